"""`python -m bench.loadgen`: one room of N bots against QuizArena and/or the raw baseline.

It starts each server itself (pinned to one core, the load generator on the other), creates the
room (REST for QuizArena), joins N bots over WebSockets, plays K questions driven by a host socket
and prints the figures of DESIGN.md's "Performance" as a markdown table; with `--target both`,
also QuizArena/baseline. Everything is bounded by timeouts and every process it started is ended.

    python -m bench.loadgen --players 1000 --questions 3 --answer-window-ms 1000 --target both

Targets: `baseline` (bench/baseline.py), `quizarena` (one node, rooms in memory: the embedded
default) and `redis` (`--nodes` QuizArena nodes over one Redis, `REDIS_URL` set; the room is opened
on node 0, which owns it; players are spread round-robin over the nodes, the host sits on
`--host-node`). `--target` takes one, a comma list, `both` (baseline,quizarena) or `all`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from bench import procstat, rest, servers, stats
from bench.fleet import Fleet
from bench.worker import (
    AwaitFinish,
    AwaitRound,
    Join,
    JoinReport,
    RoundReport,
    Stop,
    StopReport,
    raise_fd_limit,
)

ROUND_TIMEOUT_S = 60.0
SETTLE_S = 1.0
HOST_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 30.0
TARGETS = ("baseline", "quizarena", "redis")
TARGET_SETS = {"both": ("baseline", "quizarena"), "all": TARGETS}
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

Figures = dict[str, Any]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, required=True)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--answer-window-ms", type=float, default=0.0,
                        help="each bot answers at a uniform random delay in [0, W] after its question")
    parser.add_argument("--nodes", type=int, default=1, help="QuizArena nodes over one Redis (target redis)")
    parser.add_argument("--host-node", type=int, default=0, help="the node the host's socket goes to (redis)")
    parser.add_argument("--lease-ttl-ms", type=int,
                        help="LEASE_TTL_MS of the redis nodes (default: the server's)")
    parser.add_argument("--client-procs", type=int, default=1, help="bot processes (all on the loadgen core)")
    parser.add_argument("--join-concurrency", type=int, default=256, help="joins in flight at once, in all")
    parser.add_argument("--join-timeout-s", type=float, default=300.0)
    add_run_options(parser)
    return parser.parse_args(argv)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options every run against the servers shares (bench.loadgen, bench.classrooms): targets,
    Redis, cores and niceness, the revision measured, the seed and where results go."""
    parser.add_argument("--target", type=parse_targets, default="both",
                        help="baseline, quizarena, redis, a comma list, both (baseline,quizarena) or all")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="the Redis of target redis; each run "
                        "uses a key prefix of its own and deletes its keys at the end")
    parser.add_argument("--redis-max-connections", type=int,
                        help="add max_connections=N to the nodes' REDIS_URL (redis-py's pool refuses a "
                        "101st connection in use with MaxConnectionsError by default; see RESULTS.md)")
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--loadgen-cpu", type=int, default=1)
    parser.add_argument("--nice", type=int, default=0,
                        help="niceness for the run and the servers it starts (inherited); a negative one "
                        "(root) shields the figures from other work on a shared machine")
    parser.add_argument("--quizarena-rev", help="run QuizArena from this git revision (a `git archive` "
                        "snapshot) instead of the working tree")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the servers' data and logs in this new directory")
    parser.add_argument("--json", type=Path, help="also write every figure and per-round detail here")


def parse_targets(text: str) -> tuple[str, ...]:
    targets = TARGET_SETS.get(text) or tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [target for target in targets if target not in TARGETS]
    if unknown or not targets:
        raise argparse.ArgumentTypeError(f"unknown target(s) {unknown}; pick from {TARGETS}, both, all")
    return targets


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pin_cores(args: argparse.Namespace) -> int | None:
    """Pin this process (and so its bot processes) to the loadgen core; the server core to return."""
    available = os.sched_getaffinity(0)
    if args.server_cpu == args.loadgen_cpu or not {args.server_cpu, args.loadgen_cpu} <= available:
        log(f"not pinning: cores {args.server_cpu}/{args.loadgen_cpu} are not two of {sorted(available)}")
        return None
    os.sched_setaffinity(0, {args.loadgen_cpu})
    return int(args.server_cpu)


def set_niceness(nice: int) -> None:
    """This process's niceness; the servers and bot processes it starts inherit it."""
    if nice:
        os.setpriority(os.PRIO_PROCESS, 0, nice)


Server = servers.ServerProcess | servers.ServerGroup


def start_server(target: str, workdir: Path, cpu: int | None, args: argparse.Namespace) -> Server:
    if target == "baseline":
        return servers.start_baseline(workdir, cpu, args.questions)
    source = servers.snapshot(args.quizarena_rev, workdir / "src") if args.quizarena_rev else None
    if target == "redis":
        args.redis_prefix = f"bench-{secrets.token_hex(4)}"
        url = servers.with_max_connections(args.redis_url, args.redis_max_connections)
        nodes = servers.start_nodes(workdir, args.nodes, cpu, url, args.redis_prefix, source,
                                    args.lease_ttl_ms)
        return servers.ServerGroup("redis", nodes)
    return servers.start_quizarena(workdir, cpu, source)


def socket_uris(server: Server) -> list[str]:
    """The `/ws` address of every node (one for a lone server)."""
    members = server.members if isinstance(server, servers.ServerGroup) else [server]
    return [f"ws://127.0.0.1:{member.port}/ws" for member in members]


def delete_redis_keys(redis_url: str, prefix: str) -> None:
    """Remove what a run left in the shared Redis (its keys all start with its own prefix)."""
    from redis import Redis

    redis = Redis.from_url(redis_url)
    try:
        keys = list(redis.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            redis.delete(*keys[start:start + 1000])
    finally:
        redis.close()


def redis_cpu_seconds(server: Server, args: argparse.Namespace) -> float:
    """The Redis server's own CPU so far (INFO cpu), for runs on Redis; NaN otherwise."""
    if not isinstance(server, servers.ServerGroup):
        return math.nan
    from redis import Redis

    redis = Redis.from_url(args.redis_url)
    try:
        info = redis.info("cpu")
    finally:
        redis.close()
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def open_room(target: str, server: Server, args: argparse.Namespace) -> rest.GameSeat:
    servers.wait_listening(server)
    if target == "baseline":
        return rest.GameSeat(pin="000000", host_token="baseline")
    return rest.create_game(f"http://127.0.0.1:{server.port}", args.questions, args.players)


class HostSeat:
    """The host's socket: sends the commands and keeps the size of the last `question` frame."""

    def __init__(self, socket: ClientConnection):
        self.socket = socket
        self.question_bytes = math.nan
        self._drain = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            if isinstance(message, str) and message.startswith('{"type":"question"'):
                self.question_bytes = len(message.encode())

    async def command(self, kind: str) -> tuple[float, float]:
        """Send a host command; perf_counter() and epoch ms just before it left."""
        sent, sent_ms = time.perf_counter(), time.time() * stats.MS
        await self.socket.send(orjson.dumps({"type": kind}).decode())
        return sent, sent_ms

    async def close(self) -> None:
        self._drain.cancel()
        await self.socket.close()


async def take_host_seat(uri: str, seat: rest.GameSeat) -> HostSeat:
    socket = await connect(uri, compression=None, max_size=None, ping_interval=None,
                           open_timeout=HOST_TIMEOUT_S)
    await socket.send(orjson.dumps({"type": "host", "pin": seat.pin, "token": seat.host_token}).decode())
    welcome = orjson.loads(await asyncio.wait_for(socket.recv(), HOST_TIMEOUT_S))
    if welcome.get("type") != "welcome":
        raise RuntimeError(f"the host seat was refused: {welcome}")
    return HostSeat(socket)


async def join_everyone(server: Server, fleet: Fleet, uris: list[str], seat: rest.GameSeat,
                        args: argparse.Namespace) -> Figures:
    rss_before, cpu_before, started = server.rss_kib(), server.cpu_seconds(), time.perf_counter()
    lanes = max(1, args.join_concurrency // len(fleet.sizes))
    command = Join(uris[0], seat.pin, lanes, CONNECT_TIMEOUT_S, tuple(uris))
    reports: list[JoinReport] = await fleet.ask(command, args.join_timeout_s)
    await asyncio.sleep(SETTLE_S)  # the last lobby frames go out
    cpu_after, rss_after = server.cpu_seconds(), server.rss_kib()
    failures = sum((r.failures for r in reports), Counter())
    latencies = sorted(ms for r in reports for ms in r.latencies)
    joined = len(latencies)
    if failures:
        log(f"join failures: {dict(failures.most_common(5))}")
    if not joined:
        raise RuntimeError("no bot could join")
    return {
        "players": joined,
        "joins_s": max(r.last_welcome for r in reports) - min(r.started for r in reports),
        "join_p50": stats.percentile(latencies, 0.5) * stats.MS,
        "join_p99": stats.percentile(latencies, 0.99) * stats.MS,
        "join_failures": sum(failures.values()),
        "join_cpu_ms": (cpu_after - cpu_before) * stats.MS / joined,
        "rss_per_player_kib": (rss_after - rss_before) / joined,
        "rss_before_mib": rss_before / 1024,
        "rss_after_mib": rss_after / 1024,
        "window": (started, time.perf_counter()),
    }


def merge(reports: list[RoundReport]) -> dict[str, list[float]]:
    merged: dict[str, list[float]] = {}
    for report in reports:
        for name, values in report.series.items():
            merged.setdefault(name, []).extend(values)
    return merged


def describe(figures: Figures) -> str:
    parts = [("opened", "open_delay"), ("fan-out max", "fanout_max"), ("server span", "server_fanout"),
             ("ack p99", "ack_p99"), ("round", "round"), ("scoreboard", "to_scoreboard"),
             ("server CPU", "server_cpu_ms"), ("loadgen CPU", "loadgen_cpu_ms")]
    return ", ".join(f"{label} {figures[key]:.0f} ms" for label, key in parts)


def node_figures(t0: float, t0_ms: float, series: dict[str, list[float]], server_time_ms: float,
                 nodes: int) -> Figures:
    """The question's path from the owner's own stamp (`server_time`, when it opened the question)
    to each player's receive, for the players on the owner's node (node 0) and on the other nodes
    (cross-node: the owner's publish through Redis to another node's edge and its socket). Bots'
    perf_counter times become epoch ms through t0, which the load generator holds in both clocks."""
    offset_ms = t0_ms - t0 * stats.MS
    owner: list[float] = []
    remote: list[float] = []
    owner_sent: list[float] = []
    remote_sent: list[float] = []
    for index, (arrived, sent) in enumerate(zip(series["arrive"], series["sent_ms"], strict=True)):
        on_owner = index % nodes == 0
        if not math.isnan(arrived):
            (owner if on_owner else remote).append(arrived * stats.MS + offset_ms - server_time_ms)
        if not math.isnan(sent):
            (owner_sent if on_owner else remote_sent).append(sent - server_time_ms)
    owner.sort()
    remote.sort()
    return {
        "stamp_owner_p50": stats.percentile(owner, 0.5),
        "stamp_owner_p99": stats.percentile(owner, 0.99),
        "stamp_owner_max": stats.percentile(owner, 1.0),
        "stamp_remote_p50": stats.percentile(remote, 0.5),
        "stamp_remote_p99": stats.percentile(remote, 0.99),
        "stamp_remote_max": stats.percentile(remote, 1.0),
        "span_owner": max(owner_sent, default=math.nan),
        "span_remote": max(remote_sent, default=math.nan),
    }


async def play_round(server: Server, fleet: Fleet, host: HostSeat, question: int,
                     args: argparse.Namespace) -> Figures:
    deadline = time.perf_counter() + args.answer_window_ms / stats.MS + ROUND_TIMEOUT_S
    server_cpu, loadgen_cpu = server.cpu_seconds(), procstat.total_cpu_seconds(fleet.pids)
    redis_cpu = redis_cpu_seconds(server, args)
    fleet.tell(AwaitRound(question, deadline))
    t0, t0_ms = await host.command("start" if question == 0 else "next")
    reports: list[RoundReport] = await fleet.replies(deadline - time.perf_counter() + HOST_TIMEOUT_S)
    server_time_ms = min((r.server_time_ms for r in reports), default=math.nan)
    series = merge(reports)
    figures: Figures = stats.round_figures(t0, series, server_time_ms)
    figures.update(node_figures(t0, t0_ms, series, server_time_ms, max(1, getattr(args, "nodes_now", 1))))
    figures["open_delay"] = server_time_ms - t0_ms
    figures["server_cpu_ms"] = (server.cpu_seconds() - server_cpu) * stats.MS
    figures["loadgen_cpu_ms"] = (procstat.total_cpu_seconds(fleet.pids) - loadgen_cpu) * stats.MS
    figures["redis_cpu_ms"] = (redis_cpu_seconds(server, args) - redis_cpu) * stats.MS
    figures["window"] = (t0, time.perf_counter())
    log(f"  q{question}: {describe(figures)}")
    await asyncio.sleep(SETTLE_S)
    return figures


async def finish(fleet: Fleet, host: HostSeat) -> float:
    """The host's last `next`; ms until the last bot holds `finished`."""
    fleet.tell(AwaitFinish(time.perf_counter() + ROUND_TIMEOUT_S))
    t0, _ = await host.command("next")
    reports = await fleet.replies(ROUND_TIMEOUT_S + HOST_TIMEOUT_S)
    arrivals = stats.finite(t for report in reports for t in report.finished)
    return (arrivals[-1] - t0) * stats.MS if arrivals else math.nan


def traffic_figures(reports: list[StopReport], players: int) -> Figures:
    frames = sum((r.traffic for r in reports), Counter())
    sizes = sum((r.traffic_bytes for r in reports), Counter())
    return {
        "lobby_kib_per_player": sizes["lobby"] / 1024 / players,
        "frames_per_player": {kind: count / players for kind, count in frames.items()},
        "refusals": dict(sum((r.refusals for r in reports), Counter())),
        "errors": dict(sum((r.errors for r in reports), Counter())),
    }


async def play(server: Server, fleet: Fleet, seat: rest.GameSeat, args: argparse.Namespace) -> Figures:
    uris = socket_uris(server)
    args.nodes_now = len(uris)
    ours = [*(server.pids if isinstance(server, servers.ServerGroup) else [server.pid]), *fleet.pids]
    ours_before, busy_before = procstat.total_cpu_seconds(ours), procstat.machine_busy_seconds()
    redis_before = redis_cpu_seconds(server, args)
    host = await take_host_seat(uris[min(args.host_node, len(uris) - 1)], seat)
    try:
        figures = await join_everyone(server, fleet, uris, seat, args)
        figures["nodes"] = len(uris)
        log(f"  {figures['players']} joined in {figures['joins_s']:.2f} s")
        rounds = [await play_round(server, fleet, host, q, args) for q in range(args.questions)]
        figures["finished_ms"] = await finish(fleet, host)
        add_gc_pauses(server, [figures, *rounds])
        figures["join_gc_ms"] = figures.pop("server_gc_ms")
        figures["join_gc_max_ms"] = figures.pop("server_gc_max_ms")
        figures.update(stats.combine(rounds), rounds=rounds, question_bytes=host.question_bytes)
        figures["rss_end_mib"] = server.rss_kib() / 1024
        busy = procstat.machine_busy_seconds() - busy_before
        redis_cpu = redis_cpu_seconds(server, args) - redis_before
        figures["redis_cpu_s"] = redis_cpu
        figures["other_cpu_s"] = busy - (procstat.total_cpu_seconds(ours) - ours_before) - (
            0.0 if math.isnan(redis_cpu) else redis_cpu)
        figures.update(traffic_figures(await fleet.ask(Stop(), HOST_TIMEOUT_S), figures["players"]))
    finally:
        await host.close()
    return figures


def add_gc_pauses(server: Server, phases: list[Figures]) -> None:
    """Each phase's (joins, a round) long garbage collections in the server, from its probe."""
    pauses = servers.gc_pauses(server)
    for phase in phases:
        start, end = phase.pop("window")
        inside = [took * stats.MS for began, took in pauses if start <= began <= end]
        phase["server_gc_ms"] = sum(inside)
        phase["server_gc_max_ms"] = max(inside, default=0.0)


def log_problems(server: Server) -> int:
    total = 0
    for member in server.members if isinstance(server, servers.ServerGroup) else [server]:
        text = member.log_path.read_text(errors="replace")
        problems = text.count("Traceback") + text.count(" ERROR ")
        if problems:
            log(f"  {member.name} logged {problems} errors/tracebacks: see {member.log_path}")
        total += problems
    return total


async def measure(target: str, args: argparse.Namespace, workdir: Path, cpu: int | None) -> Figures:
    nodes = f" on {args.nodes} node(s) over {args.redis_url}" if target == "redis" else ""
    log(f"{target}: {args.players} players{nodes}, {args.questions} questions, "
        f"window {args.answer_window_ms:g} ms")
    args.redis_prefix = None
    server = start_server(target, workdir, cpu, args)
    fleet: Fleet | None = None
    try:
        seat = await asyncio.to_thread(open_room, target, server, args)
        fleet = Fleet(args.players, args.client_procs, args.answer_window_ms / stats.MS, args.seed)
        figures = await play(server, fleet, seat, args)
        server.check_alive()
        figures["server_log_problems"] = log_problems(server)
        return figures
    finally:
        if fleet is not None:
            fleet.close()
        server.stop()
        if args.redis_prefix:
            delete_redis_keys(args.redis_url, args.redis_prefix)


async def run(args: argparse.Namespace) -> dict[str, Figures]:
    cpu = pin_cores(args)
    set_niceness(args.nice)
    targets = args.target
    results = {}
    with tempfile.TemporaryDirectory(prefix="quizarena-bench-") as tmp:
        root = args.keep if args.keep is not None else Path(tmp)
        for target in targets:
            workdir = root / target
            workdir.mkdir(parents=True)
            results[target] = await measure(target, args, workdir, cpu)
    return results


def stop_on_sigterm() -> None:
    def raise_interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, raise_interrupt)


def run_command(
    run: Callable[[argparse.Namespace], Coroutine[Any, Any, Any]], args: argparse.Namespace
) -> Any | None:
    """A bench command's run, as every command runs it: the open-file limit raised, SIGTERM taken
    as Ctrl-C (every process it started is ended either way); None when interrupted."""
    raise_fd_limit()
    stop_on_sigterm()
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        log("interrupted")
        return None


def save_json(args: argparse.Namespace, **data: Any) -> None:
    """`--json`: the command's options and its figures, in one file."""
    if args.json:
        options = {key: str(value) for key, value in vars(args).items()}
        args.json.write_text(json.dumps({"args": options, **data}, indent=1, default=str))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = run_command(run, args)
    if results is None:
        return 130
    print(stats.table(results))
    save_json(args, results=results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
