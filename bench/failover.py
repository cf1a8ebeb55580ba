"""`python -m bench.failover`: how long a room stalls when its node dies, with rooms in Redis.

Two scenarios, each on real `quizarena serve` processes over one Redis (a key prefix per run):

- `failover`: `--nodes` nodes (2 by default). A room of `--players` players is opened on node 0
  (its owner); the host sits on node 1; players are spread round-robin over the nodes. With the
  first question open, node 0 is SIGKILLed. Then, as real clients would: the host sends
  `close_question` until a node takes it (each `unavailable` is answered with a new try at once);
  the players whose node died resume on a survivor with their token. Measured from the kill: the
  survivor holds the room's lease (polled in Redis every 5 ms), the first event from the new owner
  (the `reveal`) reaches a player, the last surviving player has it, every dropped player is back.
- `restart`: one node with `--rooms` live rooms (a question open in each, a host and
  `--room-players` players each). The node is SIGKILLed and started again at once (same port, same
  NODE_ID, same data). Measured from the kill: the node listens again, and each room answers
  again: its players resume (`welcome`) and its host's `close_question` brings a `reveal`.

    python -m bench.failover failover --players 1000 --repeats 3 [--lease-ttl-ms 5000]
    python -m bench.failover restart --rooms 20
"""

from __future__ import annotations

import argparse
import asyncio
import math
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from redis.asyncio import Redis

from bench import loadgen, rest, servers, stats, wsclient
from rooms.store.redis import RedisRoomStore

WAIT_S = 60.0
RETRY_S = 0.05  # how long a client waits before trying again after `unavailable` or a refused connect
Frame = dict[str, Any]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Client:
    """One socket of the scenario: every frame it got, with its arrival time (perf_counter)."""

    def __init__(self, name: str):
        self.name = name
        self.frames: list[tuple[float, Frame]] = []
        self.socket: wsclient.BotSocket | None = None
        self._changed = asyncio.Event()
        self.token = ""
        self.last_seq = 0

    def on_text(self, now: float, data: bytes) -> None:
        frame = orjson.loads(data)
        if frame.get("type") == "ping":
            self.send({"type": "pong", "t": frame.get("t")})
        if "seq" in frame and frame.get("type") != "welcome":
            self.last_seq = max(self.last_seq, frame["seq"])
        self.frames.append((now, frame))
        self._changed.set()

    async def connect(self, uri: str) -> None:
        self.socket = await wsclient.connect(uri, self.on_text, 10.0)

    @property
    def closed(self) -> bool:
        return self.socket is None or self.socket.closed.done()

    def send(self, frame: Frame) -> None:
        if self.socket is not None:
            self.socket.send_text(orjson.dumps(frame))

    async def wait(
        self,
        match: Callable[[Frame], bool],
        since: int = 0,
        timeout: float = WAIT_S,  # noqa: ASYNC109 - one bound for the whole wait, not per step
        until_closed: bool = False,
    ) -> tuple[float, Frame] | None:
        """The first frame at or after index `since` that matches; None if the socket closed first
        (with `until_closed`)."""
        async with asyncio.timeout(timeout):
            while True:
                for at, frame in self.frames[since:]:
                    if match(frame):
                        return at, frame
                since = len(self.frames)
                if until_closed and self.closed:
                    return None
                self._changed.clear()
                waiter: asyncio.Future[Any] = asyncio.ensure_future(self._changed.wait())
                closed = self.socket.closed if self.socket is not None else None
                watch: list[asyncio.Future[Any]] = (
                    [closed] if until_closed and closed is not None and not closed.done() else []
                )
                await asyncio.wait([waiter, *watch], return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()


def kind(*names: str) -> Callable[[Frame], bool]:
    return lambda frame: frame.get("type") in names


async def seat(client: Client, uri: str, first: Frame) -> Frame:
    await client.connect(uri)
    client.send(first)
    found = await client.wait(kind("welcome", "error"), timeout=30.0)
    assert found is not None
    if found[1]["type"] != "welcome":
        raise RuntimeError(f"{client.name} refused: {found[1]}")
    welcome = found[1]
    client.token = welcome.get("resume_token", client.token)
    client.last_seq = max(client.last_seq, welcome.get("seq", 0))
    return welcome


def resume_frame(client: Client) -> Callable[[], Frame]:
    """The `resume` frame a player sends on coming back, as of its latest `seq` when it is sent."""
    return lambda: {"type": "resume", "token": client.token, "last_seq": client.last_seq}


async def come_back(
    client: Client, uris: list[str], first: Callable[[], Frame], deadline: float, retries: list[int]
) -> float:
    """Reconnect (to the given nodes in turn) and send `first` until a `welcome`; its arrival time.
    Each `unavailable`, refused connect or closed socket is tried again after RETRY_S."""
    attempt = 0
    while time.perf_counter() < deadline:
        uri = uris[attempt % len(uris)]
        attempt += 1
        if client.closed:
            try:
                await client.connect(uri)
            except (OSError, TimeoutError, Exception):  # noqa: BLE001 - not listening yet, or refused
                retries[0] += 1
                await asyncio.sleep(RETRY_S)
                continue
        since = len(client.frames)
        client.send(first())
        found = await client.wait(
            kind("welcome", "error"),
            since,
            timeout=max(0.1, deadline - time.perf_counter()),
            until_closed=True,
        )
        if found is not None and found[1]["type"] == "welcome":
            return found[0]
        retries[0] += 1
        await asyncio.sleep(RETRY_S)
    raise TimeoutError(f"{client.name} did not get back in")


async def command_until_taken(host: Client, command: str, deadline: float, retries: list[int]) -> float:
    """Send a host command until the room takes it (a `reveal` follows); the reveal's arrival."""
    while time.perf_counter() < deadline:
        since = len(host.frames)
        host.send({"type": command})
        found = await host.wait(
            kind("reveal", "error"),
            since,
            timeout=max(0.1, deadline - time.perf_counter()),
            until_closed=True,
        )
        if found is not None and found[1]["type"] == "reveal":
            return found[0]
        if found is not None and found[1].get("code") == "wrong_state":
            raise RuntimeError("the question closed by itself before the host's command")
        retries[0] += 1
        await asyncio.sleep(0 if found is not None else RETRY_S)
    raise TimeoutError("the host's command was never taken")


async def poll_lease(redis: Redis, prefix: str, pin: str, not_holder: str, deadline: float) -> float:
    """When the room's lease names a node other than `not_holder` (polled every 5 ms)."""
    store = RedisRoomStore(redis, prefix)  # the nodes' own key layout and lease format
    while time.perf_counter() < deadline:
        holder = await store.lease_holder(pin)
        if holder is not None and holder != not_holder:
            return time.perf_counter()
        await asyncio.sleep(0.005)
    return math.nan


class FirstPublish:
    """A subscription of the bench's own to rooms' event channels: when each channel carried its
    first message after `arm()` (the new owner's first publish: its `owner` notice to the edges)."""

    def __init__(self, redis: Redis, prefix: str, pins: list[str]):
        self._pubsub = redis.pubsub()
        self._channels = [f"{prefix}:room:{{{pin}}}:events" for pin in pins]
        self.first: dict[str, float] = {}
        self._armed = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._pubsub.subscribe(*self._channels)
        self._task = asyncio.ensure_future(self._read())

    def arm(self) -> None:
        self._armed = True

    async def _read(self) -> None:
        while True:
            message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is not None and self._armed:
                self.first.setdefault(message["channel"].decode(), time.perf_counter())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._pubsub.aclose()

    def last(self) -> float:
        return max(self.first.values()) if len(self.first) == len(self._channels) else math.nan


@dataclass
class Nodes:
    """The nodes of one scenario and the Redis prefix they share (deleted at the end)."""

    root: Path
    redis_url: str
    prefix: str = field(default_factory=lambda: f"bench-{secrets.token_hex(4)}")
    members: list[servers.ServerProcess] = field(default_factory=list)

    def uris(self, numbers: list[int] | None = None) -> list[str]:
        chosen = self.members if numbers is None else [self.members[n] for n in numbers]
        return [f"ws://127.0.0.1:{member.port}/ws" for member in chosen]

    def stop(self) -> None:
        for member in self.members:
            member.stop()
        loadgen.delete_redis_keys(self.redis_url, self.prefix)


def start(root: Path, count: int, args: argparse.Namespace, cpu: int | None) -> Nodes:
    nodes = Nodes(root, args.redis_url)
    url = servers.with_max_connections(args.redis_url, args.redis_max_connections)
    nodes.members = servers.start_nodes(root, count, cpu, url, nodes.prefix, args.source, args.lease_ttl_ms)
    return nodes


async def join_players(pin: str, uris: list[str], count: int, concurrency: int = 64) -> list[Client]:
    players = [Client(f"p{n}") for n in range(count)]
    pending = iter(enumerate(players))

    async def lane() -> None:
        for number, client in pending:
            await seat(
                client, uris[number % len(uris)], {"type": "join", "pin": pin, "nickname": f"bot{number}"}
            )

    await asyncio.gather(*(lane() for _ in range(min(concurrency, count))))
    return players


def since_kill(killed: float, at: float) -> float:
    return (at - killed) * stats.MS


async def failover_trial(args: argparse.Namespace, root: Path, cpu: int | None) -> dict[str, Any]:
    nodes = await asyncio.to_thread(start, root, args.nodes, args, cpu)
    redis = Redis.from_url(args.redis_url)
    clients: list[Client] = []
    try:
        game = await asyncio.to_thread(
            rest.create_game, f"http://127.0.0.1:{nodes.members[0].port}", 3, args.players
        )
        pin = game.pin
        host = Client("host")
        clients.append(host)
        await seat(host, nodes.uris([1])[0], {"type": "host", "pin": pin, "token": game.host_token})
        players = await join_players(pin, nodes.uris(), args.players)
        clients += players
        since = len(host.frames)
        host.send({"type": "start"})
        await host.wait(kind("question"), since)
        for player in players:
            await player.wait(kind("question"))
        await asyncio.sleep(args.settle_s)  # a lease renewal or two after the question opened

        publishes = FirstPublish(redis, nodes.prefix, [pin])
        await publishes.start()
        await asyncio.sleep(0.2)
        on_owner = [p for n, p in enumerate(players) if n % args.nodes == 0]
        survivors = [p for n, p in enumerate(players) if n % args.nodes != 0]
        marks = {id(p): len(p.frames) for p in survivors}
        publishes.arm()
        killed = time.perf_counter()
        nodes.members[0].kill()
        deadline = killed + WAIT_S
        host_retries, player_retries = [0], [0]
        lease = asyncio.ensure_future(poll_lease(redis, nodes.prefix, pin, "node0", deadline))
        survivor_uris = nodes.uris(list(range(1, args.nodes)))
        returns = [
            come_back(
                p,
                survivor_uris,
                resume_frame(p),
                deadline,
                player_retries,
            )
            for p in on_owner
        ]
        resumed = asyncio.gather(*returns)
        revealed_host = await command_until_taken(host, "close_question", deadline, host_retries)
        reveals = [await p.wait(kind("reveal"), marks[id(p)]) for p in survivors]
        back = await resumed
        lease_at = await lease
        await publishes.close()
        arrivals = sorted(found[0] for found in reveals if found is not None)
        return {
            "nodes": args.nodes,
            "players": len(players),
            "lease_ttl_ms": args.lease_ttl_ms or 5000,
            "lease_taken_ms": since_kill(killed, lease_at),
            "new_owner_first_publish_ms": since_kill(killed, publishes.last()),
            "first_reveal_ms": since_kill(killed, arrivals[0]),
            "last_reveal_ms": since_kill(killed, arrivals[-1]),
            "host_reveal_ms": since_kill(killed, revealed_host),
            "host_tries": host_retries[0] + 1,
            "dropped_players": len(on_owner),
            "all_resumed_ms": since_kill(killed, max(back, default=killed)),
            "resume_retries": player_retries[0],
        }
    finally:
        for client in clients:
            client.close()
        await redis.aclose()
        await asyncio.to_thread(nodes.stop)


async def restart_trial(args: argparse.Namespace, root: Path, cpu: int | None) -> dict[str, Any]:
    nodes = await asyncio.to_thread(start, root, 1, args, cpu)
    node = nodes.members[0]
    uri = nodes.uris()[0]
    clients: list[Client] = []
    try:
        rooms: list[tuple[str, str, Client, list[Client]]] = []
        for number in range(args.rooms):
            game = await asyncio.to_thread(
                rest.create_game, f"http://127.0.0.1:{node.port}", 3, args.room_players
            )
            host = Client(f"host{number}")
            await seat(host, uri, {"type": "host", "pin": game.pin, "token": game.host_token})
            players = await join_players(game.pin, [uri], args.room_players)
            rooms.append((game.pin, game.host_token, host, players))
            clients += [host, *players]
        # Every room's question opens now, so none reaches its deadline while the others are set up.
        marks = [len(host.frames) for _, _, host, _ in rooms]
        for _, _, host, _ in rooms:
            host.send({"type": "start"})
        for (_, _, host, players), mark in zip(rooms, marks, strict=True):
            await host.wait(kind("question"), mark)
            for player in players:
                await player.wait(kind("question"))
        redis = Redis.from_url(args.redis_url)
        publishes = FirstPublish(redis, nodes.prefix, [room[0] for room in rooms])
        await publishes.start()
        await asyncio.sleep(args.settle_s)
        publishes.arm()
        killed = time.perf_counter()
        node.kill()
        node.start_again()
        deadline = killed + WAIT_S
        listening = await asyncio.to_thread(wait_port, node.port, deadline)
        retries = [0]

        async def room_back(pin: str, token: str, host: Client, players: list[Client]) -> dict[str, float]:
            back = await asyncio.gather(
                *(
                    come_back(
                        p,
                        [uri],
                        resume_frame(p),
                        deadline,
                        retries,
                    )
                    for p in players
                )
            )
            host_back = await come_back(
                host, [uri], lambda: {"type": "host", "pin": pin, "token": token}, deadline, retries
            )
            revealed = await command_until_taken(host, "close_question", deadline, retries)
            return {"players_back": max(back), "host_back": host_back, "reveal": revealed}

        seats = [room_back(*room) for room in rooms]
        results = await asyncio.gather(*seats)
        await publishes.close()
        await redis.aclose()
        return {
            "rooms": args.rooms,
            "players_per_room": args.room_players,
            "lease_ttl_ms": args.lease_ttl_ms or 5000,
            "listening_ms": since_kill(killed, listening),
            "all_rooms_owned_again_ms": since_kill(killed, publishes.last()),
            "first_room_back_ms": since_kill(killed, min(r["players_back"] for r in results)),
            "all_players_back_ms": since_kill(killed, max(r["players_back"] for r in results)),
            "all_hosts_back_ms": since_kill(killed, max(r["host_back"] for r in results)),
            "all_rooms_revealed_ms": since_kill(killed, max(r["reveal"] for r in results)),
            "retries": retries[0],
        }
    finally:
        for client in clients:
            client.close()
        await asyncio.to_thread(nodes.stop)


def wait_port(port: int, deadline: float) -> float:
    import socket

    while time.perf_counter() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return time.perf_counter()
        except OSError:
            time.sleep(0.01)
    return math.nan


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.failover", description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=("failover", "restart"))
    parser.add_argument("--nodes", type=int, default=2, help="failover: nodes over one Redis")
    parser.add_argument("--players", type=int, default=1000, help="failover: players in the room")
    parser.add_argument("--rooms", type=int, default=20, help="restart: live rooms on the node")
    parser.add_argument("--room-players", type=int, default=5, help="restart: players per room")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lease-ttl-ms", type=int, help="LEASE_TTL_MS (default: the server's, 5000)")
    parser.add_argument(
        "--settle-s", type=float, default=1.0, help="pause between the last setup step and the kill"
    )
    parser.add_argument("--redis-url", default=loadgen.DEFAULT_REDIS_URL)
    parser.add_argument("--redis-max-connections", type=int)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--loadgen-cpu", type=int, default=1)
    parser.add_argument("--nice", type=int, default=0)
    parser.add_argument(
        "--quizarena-rev", help="run the nodes from this git revision (a `git archive` snapshot)"
    )
    parser.add_argument("--keep", type=Path, help="keep the nodes' data and logs in this new directory")
    parser.add_argument("--json", type=Path)
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    cpu = loadgen.pin_cores(args)
    loadgen.set_niceness(args.nice)
    trials = []
    with tempfile.TemporaryDirectory(prefix="quizarena-failover-") as tmp:
        base = args.keep if args.keep is not None else Path(tmp)
        args.source = servers.snapshot(args.quizarena_rev, base / "src") if args.quizarena_rev else None
        for number in range(args.repeats):
            root = base / f"{args.scenario}{number}"
            root.mkdir(parents=True)
            trial = failover_trial if args.scenario == "failover" else restart_trial
            figures = await trial(args, root, cpu)
            log(
                f"{args.scenario} {number}: "
                + ", ".join(
                    f"{k} {v:.0f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()
                )
            )
            trials.append(figures)
    return trials


def summary(trials: list[dict[str, Any]]) -> str:
    keys = [key for key, value in trials[0].items() if isinstance(value, float)]
    lines = [
        "| figure (ms from the SIGKILL) | "
        + " | ".join(f"trial {n + 1}" for n in range(len(trials)))
        + " | median |",
        "|---|" + "---|" * (len(trials) + 1),
    ]
    for key in keys:
        values = [trial[key] for trial in trials]
        finite = stats.finite(values)
        median = finite[len(finite) // 2] if finite else math.nan
        lines.append(f"| {key} | " + " | ".join(f"{v:,.0f}" for v in values) + f" | {median:,.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    trials = loadgen.run_command(run, args)
    if trials is None:
        return 130
    print(summary(trials))
    loadgen.save_json(args, trials=trials)
    return 0


if __name__ == "__main__":
    sys.exit(main())
