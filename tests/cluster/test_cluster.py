"""Several real nodes over one Redis: one room served from every node as if from one, and a room
that survives its owner's death. Each node is a `quizarena serve` process on a loopback port."""

from __future__ import annotations

import asyncio
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.cluster.cluster import LEASE_TTL_MS, Cluster, PrivateRedis, cluster, host_a_game
from tests.e2e.harness import WAIT_S, Client
from tests.services import need_program, need_redis

pytestmark = pytest.mark.redis
FAILOVER_S = 15.0  # the lease lapses after 1.5 s; a loaded CI machine gets room to spare
# Ann alone answered and then lost her socket: with the default 5 s drop grace a slow restart could
# close the question before she is back; these tests close it themselves.
LONG_GRACE = {"DROP_GRACE_MS": "120000"}


@pytest.fixture(autouse=True)
def _redis() -> None:
    need_redis()


async def seat_player(group: Cluster, node_index: int, pin: str, nickname: str) -> Client:
    client = await group.connect(group.nodes[node_index])
    await client.send(type="join", pin=pin, nickname=nickname)
    welcome = await client.expect("welcome")
    assert welcome["player"]["nickname"] == nickname
    return client


async def seat_host(group: Cluster, node_index: int, game: dict[str, Any]) -> Client:
    client = await group.connect(group.nodes[node_index])
    await client.send(type="host", pin=game["pin"], token=game["host_token"])
    assert (await client.expect("welcome"))["role"] == "host"
    return client


async def seat_retrying(client: Client, **first_frame: Any) -> dict[str, Any]:
    """Send a first frame until the room takes it (during a failover it answers `unavailable`)."""
    async with asyncio.timeout(FAILOVER_S):
        while True:
            await client.send(**first_frame)
            frame = await client.recv()
            if frame["type"] == "welcome":
                return frame
            assert frame["type"] == "error" and frame["code"] == "unavailable", frame
            await asyncio.sleep(0.2)


async def first_since(client: Client, since: int, kind: str) -> dict[str, Any]:
    """The first frame of `kind` among those after `since` (already read, or still to come)."""
    for frame in client.frames[since:]:
        if frame["type"] == kind:
            return frame
    return await client.expect(kind)


@dataclass
class Table:
    """A game under way: the host, Ann (who answered question 0 correctly and was acked) and maybe Ben."""

    game: dict[str, Any]
    host: Client
    ann: Client
    ben: Client | None
    question: dict[str, Any]

    @property
    def token(self) -> str:
        return self.ann.frames[0]["resume_token"]


async def ann_has_answered(group: Cluster, host_on: int, ann_on: int, ben_on: int | None = None) -> Table:
    """A game opened on node 0 with the host, Ann and Ben on the given nodes; question 0 is open and
    Ann's answer to it was acked: it must survive whatever the test does next."""
    game = await host_a_game(group.nodes[0])
    host = await seat_host(group, host_on, game)
    ann = await seat_player(group, ann_on, game["pin"], "Ann")
    ben = None if ben_on is None else await seat_player(group, ben_on, game["pin"], "Ben")
    await host.send(type="start")
    question = await ann.expect("question")
    await ann.send(type="answer", question=0, answer=option(question, "Paris"))
    await accepted(ann)
    return Table(game, host, ann, ben, question)


async def closed_with(client: Client) -> int | None:
    """Read until the server closes the socket; the close code it sent."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        async with asyncio.timeout(FAILOVER_S):
            while True:
                await client.recv()
    return None if closed.value.rcvd is None else closed.value.rcvd.code


async def accepted(client: Client) -> None:
    """The client's next `answer_ack` accepts its answer (the ack says why not, when it does not)."""
    ack = await client.expect("answer_ack")
    assert ack["accepted"], ack


def option(question: dict[str, Any], text: str) -> str:
    return next(o["id"] for o in question["options"] if o["text"] == text)


def shared_seqs(client: Client) -> list[int]:
    return [f["seq"] for f in client.frames if "seq" in f and f["type"] not in ("welcome",)]


async def command_until_taken(host: Client, done_already: str = "", **frame: Any) -> None:
    """Send a host command until an owner takes it (during a failover the room answers `unavailable`);
    an error `done_already` says the room did it by itself meanwhile."""
    async with asyncio.timeout(FAILOVER_S):
        while True:
            await host.send(**frame)
            marker = time.monotonic()
            await host.send(type="ping", t=marker)
            while True:
                reply = await host.recv()
                if reply["type"] == "pong" and reply["t"] == marker:
                    return  # no error before the pong: the command was taken
                if reply["type"] == "error":
                    if reply["code"] == done_already:
                        return
                    assert reply["code"] == "unavailable", reply
                    break
            await asyncio.sleep(0.2)


@pytest.mark.parametrize("sharded", ["0", "1"], ids=["pubsub", "sharded-pubsub"])
async def test_two_nodes_serve_one_room_as_if_it_were_one(tmp_path: Path, sharded: str) -> None:
    async with cluster(tmp_path, "a", "b", env={"REDIS_SHARDED_PUBSUB": sharded}) as group:
        game = await host_a_game(group.nodes[0])  # node a owns the room
        host = await seat_host(group, 1, game)  # the host and Ben are on node b
        ann = await seat_player(group, 0, game["pin"], "Ann")
        ben = await seat_player(group, 1, game["pin"], "Ben")
        await host.send(type="start")
        question = await ann.expect("question")
        assert (
            (await ben.expect("question"))["seq"] == question["seq"] == (await host.expect("question"))["seq"]
        )
        for client, pick in ((ann, "Paris"), (ben, "Lyon")):
            await client.send(type="answer", question=0, answer=option(question, pick))
            await accepted(client)
        # Everyone answered: the owner on node a closes the question for all three.
        reveal = await host.expect("reveal")
        assert reveal["correct"] == [option(question, "Paris")]
        assert (await ann.expect("result"))["correct"] and not (await ben.expect("result"))["correct"]
        await host.expect("scoreboard")
        await host.send(type="end")
        finished = await host.expect("finished")
        assert [p["nickname"] for p in finished["podium"]] == ["Ann", "Ben"]
        for client in (ann, ben):
            assert (await client.expect("finished"))["seq"] == finished["seq"]
            seqs = shared_seqs(client)
            assert seqs == sorted(set(seqs)), seqs  # every event once, in order


async def test_the_room_finishes_on_a_survivor_when_its_owner_is_killed(tmp_path: Path) -> None:
    async with cluster(tmp_path, "a", "b") as group:
        table = await ann_has_answered(group, host_on=1, ann_on=0, ben_on=1)  # Ann is on the owner
        host, ben, token, question = table.host, table.ben, table.token, table.question
        assert ben is not None

        group.nodes[0].kill()
        killed_at = time.monotonic()
        await ben.expect("question")
        # Ann comes back through node b with her token; the room is still open for her.
        ann = await group.connect(group.nodes[1])
        frame = await seat_retrying(ann, type="resume", token=token, last_seq=question["seq"])
        failover_s = time.monotonic() - killed_at
        assert frame["recovered"] and frame["state"]["phase"] == "question" and frame["state"]["answered"]
        await ben.send(type="answer", question=0, answer=option(question, "Lyon"))
        await accepted(ben)

        since = len(host.frames)
        await command_until_taken(host, "wrong_state", type="close_question")
        reveal = await first_since(host, since, "reveal")
        assert reveal["distribution"][option(question, "Paris")] == 1
        assert (await ann.expect("result"))["correct"], "an answer acked before the kill was lost"
        assert not (await ben.expect("result"))["correct"]
        await command_until_taken(host, type="end")
        finished = await ben.expect("finished")
        assert [p["nickname"] for p in finished["podium"]] == ["Ann", "Ben"]
        assert failover_s < FAILOVER_S
        print(
            f"failover: owner killed -> room answering on the survivor in {failover_s:.2f} s "
            f"(lease {LEASE_TTL_MS} ms)"
        )


async def test_a_frozen_owner_that_wakes_up_changes_nothing(tmp_path: Path) -> None:
    async with cluster(tmp_path, "a", "b") as group:
        game = await host_a_game(group.nodes[0])
        host = await seat_host(group, 1, game)
        ben = await seat_player(group, 1, game["pin"], "Ben")
        group.nodes[0].signal(signal.SIGSTOP)  # node a froze past its lease: node b takes the room
        await command_until_taken(host, type="start")
        question = await ben.expect("question")
        group.nodes[0].signal(signal.SIGCONT)  # the zombie wakes up, believing it still owns the room
        await asyncio.sleep(LEASE_TTL_MS / 1000)
        await ben.send(type="answer", question=0, answer=option(question, "Paris"))
        await accepted(ben)
        reveal = await host.expect("reveal")  # the one answer closes the question, once
        assert reveal["seq"] == question["seq"] + 1
        await host.expect("scoreboard")
        await host.send(type="end")
        await ben.expect("finished")
        seqs = shared_seqs(ben)
        assert seqs == sorted(set(seqs)), seqs
        await asyncio.sleep(0.5)
        assert not [
            f for f in ben.frames if f["type"] == "question" and f is not question and f["question"] == 0
        ]


async def test_a_lone_node_killed_and_started_again_carries_its_game_on_and_keeps_its_results(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, "a", env=LONG_GRACE) as group:
        node = group.nodes[0]
        table = await ann_has_answered(group, host_on=0, ann_on=0)
        game, token, question = table.game, table.token, table.question

        node.kill()
        node.start()
        await node.ready()
        host = await group.connect(node)  # the host page comes back with its token
        await seat_retrying(host, type="host", pin=game["pin"], token=game["host_token"])
        ann = await group.connect(node)
        frame = await seat_retrying(ann, type="resume", token=token, last_seq=question["seq"])
        assert frame["state"]["phase"] == "question" and frame["state"]["answered"]
        await command_until_taken(host, "wrong_state", type="close_question")
        assert (await ann.expect("result"))["correct"]
        await host.send(type="end")
        finished = await host.expect("finished")

        node.kill()  # right after `finished`: the results were spooled before anyone saw it
        node.start()
        await node.ready()
        async with httpx.AsyncClient(base_url=node.url, timeout=WAIT_S) as http:
            login = await http.post("/auth/login", json={"username": "host", "password": "host-password"})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            async with asyncio.timeout(FAILOVER_S):
                while True:
                    report = (await http.get(f"/games/{finished['game_id']}", headers=headers)).json()
                    if report.get("players"):
                        break
                    await asyncio.sleep(0.2)
        assert [p["nickname"] for p in report["players"]] == ["Ann"]


async def test_a_node_that_loses_redis_sends_its_sockets_away_and_serves_again_when_it_is_back(
    tmp_path: Path,
) -> None:
    redis = PrivateRedis(tmp_path / "redis", need_program("redis-server", "redis-server"))
    redis.directory.mkdir()
    await redis.start()
    try:
        async with cluster(tmp_path, "a", redis_url=redis.url, env=LONG_GRACE) as group:
            node = group.nodes[0]
            table = await ann_has_answered(group, host_on=0, ann_on=0)
            game, token, question = table.game, table.token, table.question

            redis.kill()
            assert await closed_with(table.ann) == 1013

            await redis.start()  # the same data directory: the room is still there
            ann = await group.connect(node)
            frame = await seat_retrying(ann, type="resume", token=token, last_seq=question["seq"])
            assert frame["state"]["phase"] == "question" and frame["state"]["answered"]
            host = await group.connect(node)
            await seat_retrying(host, type="host", pin=game["pin"], token=game["host_token"])
            await command_until_taken(host, "wrong_state", type="close_question")
            assert (await ann.expect("result"))["correct"], "an answer acked before Redis died was lost"
    finally:
        redis.kill()


async def test_sigterm_hands_the_rooms_over_and_sends_players_away_with_1013(tmp_path: Path) -> None:
    async with cluster(tmp_path, "a", "b") as group:
        table = await ann_has_answered(group, host_on=1, ann_on=0, ben_on=1)
        ben, token, question = table.ben, table.token, table.question
        assert ben is not None

        group.nodes[0].signal(signal.SIGTERM)
        assert await closed_with(table.ann) == 1013  # resume elsewhere
        assert group.nodes[0].process is not None
        # uvicorn shuts down cleanly, then re-raises the signal: the exit status says SIGTERM.
        assert await asyncio.to_thread(group.nodes[0].process.wait, FAILOVER_S) in (0, -signal.SIGTERM)
        log = group.nodes[0].log.read_text()
        assert "handed room" in log and "Application shutdown complete" in log

        ann = await group.connect(group.nodes[1])
        frame = await seat_retrying(ann, type="resume", token=token, last_seq=question["seq"])
        assert frame["state"]["phase"] == "question" and frame["state"]["answered"]
        await ben.send(type="answer", question=0, answer=option(question, "Lyon"))
        await accepted(ben)
        assert (await ann.expect("result"))["correct"]
        assert not (await ben.expect("result"))["correct"]
