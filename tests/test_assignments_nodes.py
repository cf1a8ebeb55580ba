"""An assignment across two nodes over real Redis (SQLite and PostgreSQL): the attempt's room opens
on the node that answered `POST .../attempts`, the player's socket lands on the other one, and the
room still starts by itself, moves on by its clock and writes the result the host reads on either
node."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from persistence.db import Database
from rooms.core.settings import AUTO_ADVANCE_PAUSE_MS, AUTOSTART_COUNTDOWN_MS
from rooms.edge.connection import Connection
from server.config import Settings
from tests.e2e.conftest import sign_up
from tests.scheduling.helpers import Peer, client_of, iso, running, today_clock
from tests.services import REDIS_URL, need_redis

WAIT_S = 5.0
QUIZ: dict[str, Any] = {
    "title": "Two capitals",
    "published": False,
    "questions": [
        {
            "kind": "single",
            "text": f"Capital of {country}?",
            "time_limit": 20,
            "options": [{"text": city, "correct": True}, {"text": "Lyon", "correct": False}],
        }
        for country, city in (("France", "Paris"), ("Italy", "Rome"))
    ],
}


@pytest.fixture
def redis_settings(settings: Settings) -> Callable[[str], Settings]:
    need_redis()
    prefix = f"test-{secrets.token_hex(4)}"

    def node(name: str) -> Settings:
        return Settings(
            **{**settings.__dict__, "redis_url": REDIS_URL, "redis_prefix": prefix, "node_id": name}
        )

    return node


async def eventually(check: Callable[[], Any]) -> Any:
    """Waits (with a timeout) for what crosses Redis; returns the first truthy `check()`."""
    async with asyncio.timeout(WAIT_S):
        while not (found := check()):  # noqa: ASYNC110 - frames land in a plain list
            await asyncio.sleep(0.01)
    return found


def frame_of(peer: Peer, kind: str, **fields: Any) -> Callable[[], dict[str, Any] | None]:
    def find() -> dict[str, Any] | None:
        return next((f for f in peer.of_type(kind) if all(f.get(k) == v for k, v in fields.items())), None)

    return find


async def test_an_attempt_opened_on_one_node_is_played_through_the_other(
    redis_settings: Callable[[str], Settings], db: Database
) -> None:
    clock = today_clock()
    async with running(redis_settings("a"), db, clock) as a, running(redis_settings("b"), db, clock) as b:
        async with client_of(a) as http_a, client_of(b) as http_b:
            host, ada = await sign_up(http_a, "teacher"), await sign_up(http_a, "ada")
            quiz = (await http_a.post("/quizzes", json=QUIZ, headers=host)).json()["id"]
            body = {"quiz_id": quiz, "due_at": iso(clock.now_ms() + 24 * 3_600_000)}
            created = (await http_a.post("/assignments", json=body, headers=host)).json()
            attempt = (await http_a.post(f"/assignments/code/{created['code']}/attempts", headers=ada)).json()
            assert attempt["pin"] in a.state.node.runners and attempt["pin"] not in b.state.node.runners

            # Ada's socket is on node b: her join reaches the owner on node a over the bus.
            peer = Peer()
            connection = Connection(peer, address="198.51.100.9")
            node_b = b.state.node
            node_b.connect(connection)
            token = ada["Authorization"].removeprefix("Bearer ")
            join = {"type": "join", "pin": attempt["pin"], "nickname": "Ada", "token": token}
            await node_b.handle(connection, orjson.dumps(join))
            welcome = await eventually(frame_of(peer, "welcome"))
            assert welcome["state"]["starts_at"] == clock.now_ms() + AUTOSTART_COUNTDOWN_MS

            clock.advance(AUTOSTART_COUNTDOWN_MS)  # nobody hosts: the room starts by itself
            for index, city in enumerate(("Paris", "Rome")):
                question = await eventually(frame_of(peer, "question", question=index))
                answer = next(o["id"] for o in question["options"] if o["text"] == city)
                clock.advance(1_000)
                await node_b.handle(
                    connection, orjson.dumps({"type": "answer", "question": index, "answer": answer})
                )
                await eventually(frame_of(peer, "result", question=index))  # she answered: it closed
                clock.advance(AUTO_ADVANCE_PAUSE_MS)
            await eventually(frame_of(peer, "finished"))
            final = await eventually(
                lambda: next((f for f in peer.of_type("result") if "question" not in f), None)
            )

            await asyncio.wait_for(a.state.results.drainer.drain(), WAIT_S)  # the owner's node writes them
            view = (await http_b.get(f"/assignments/{created['id']}", headers=host)).json()
            (line,) = view["players"]
            assert (line["status"], line["score"], line["rank"]) == ("finished", final["score"], 1)
            assert final["score"] == 2 * 975 + 100
            await node_b.disconnected(connection)
