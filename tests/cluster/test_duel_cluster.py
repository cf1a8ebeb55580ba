"""Duels across real nodes over one Redis: two players queued on different nodes meet, play in one
room, and see the same outcome."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.cluster.cluster import Cluster, cluster
from tests.e2e.harness import WAIT_S, Client
from tests.services import need_redis

pytestmark = pytest.mark.redis
NO_BOTS = {"DUEL_BOT_AFTER_S": "600"}  # a bot would hide a queue that is not shared


@pytest.fixture(autouse=True)
def _redis() -> None:
    need_redis()


async def queue(group: Cluster, node_index: int, nickname: str, quiz: int) -> Client:
    client = await group.connect(group.nodes[node_index])
    await client.send(type="queue", nickname=nickname, quiz=quiz)
    assert (await client.expect("queued"))["rating"] == 1200
    return client


async def demo_quiz(group: Cluster) -> int:
    async with httpx.AsyncClient(base_url=group.nodes[0].url, timeout=WAIT_S) as http:
        return (await http.get("/quizzes", params={"q": "World Capitals"})).json()["items"][0]["id"]


async def test_two_players_queued_on_different_nodes_duel_each_other(tmp_path: Path) -> None:
    async with cluster(tmp_path, "a", "b", env=NO_BOTS) as group:
        quiz = await demo_quiz(group)
        ann = await queue(group, 0, "Ann", quiz)
        ben = await queue(group, 1, "Ben", quiz)
        ann_matched, ben_matched = await ann.expect("matched"), await ben.expect("matched")
        assert ann_matched["pin"] == ben_matched["pin"]
        assert ann_matched["opponent"] == {"nickname": "Ben", "bot": False}
        assert ben_matched["opponent"] == {"nickname": "Ann", "bot": False}
        ann_welcome, ben_welcome = await ann.expect("welcome"), await ben.expect("welcome")
        assert ann_welcome["pin"] == ben_welcome["pin"] == ann_matched["pin"]
        question = await ann.expect("question")  # the room started by itself, on both nodes
        assert (await ben.expect("question"))["question"] == question["question"] == 0
        await ann.send(type="answer", question=0, answer=question["options"][0]["id"])
        assert (await ann.expect("answer_ack"))["accepted"]
        await ben.send(type="leave")  # Ben's node tells the room's owner, wherever it is
        finished = await ann.expect("finished")
        assert finished["winner"] == ann_welcome["player"]["id"]
        assert finished["forfeited"] == [ben_welcome["player"]["id"]]
        assert (await ann.expect("result"))["outcome"] == "won"
