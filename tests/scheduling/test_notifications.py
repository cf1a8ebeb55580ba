"""Notifications: stored and listed over REST, marked read, made once per key, made by the results
writer for badges and levels, and pushed to `subscribe` sockets on this node and, over real Redis,
on another node (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable

import httpx
import orjson
import pytest
import websockets

from persistence.db import Database
from persistence.models import Badge
from rooms.bus.memory import MemoryBus
from rooms.core.clock import ManualClock
from rooms.edge.connection import Connection
from rooms.edge.inbox import Inboxes, user_channel
from server.config import Settings
from server.notifications.rewards import reward_notes
from tests.e2e.conftest import sign_up
from tests.e2e.harness import Client, serve
from tests.gamedata import finished, make_game, seat
from tests.scheduling.helpers import Peer, app_on, client_of, running, today_clock
from tests.services import REDIS_URL, need_redis

WAIT_S = 5.0


async def user_id(http: httpx.AsyncClient, auth: dict[str, str]) -> int:
    return int((await http.get("/auth/me", headers=auth)).json()["id"])


def token_of(auth: dict[str, str]) -> str:
    return auth["Authorization"].removeprefix("Bearer ")


async def subscribed(node: object, auth: dict[str, str]) -> tuple[Connection, Peer]:
    peer = Peer()
    connection = Connection(peer, address="198.51.100.4")
    node.connect(connection)  # type: ignore[attr-defined]
    await node.handle(connection, orjson.dumps({"type": "subscribe", "token": token_of(auth)}))  # type: ignore[attr-defined]
    return connection, peer


async def eventually(check: Callable[[], bool]) -> None:
    """Waits (with a timeout) for a delivery that crosses Redis."""
    async with asyncio.timeout(WAIT_S):
        while not check():  # noqa: ASYNC110 - the frame lands in a plain list, which has no event
            await asyncio.sleep(0.01)


async def test_the_list_newest_first_with_the_unread_count_and_marking_read(
    settings: Settings, db: Database
) -> None:
    async with running(settings, db, today_clock()) as app, client_of(app) as http:
        ann, bob = await sign_up(http, "ann"), await sign_up(http, "bob")
        ann_id, bob_id = await user_id(http, ann), await user_id(http, bob)
        notify = app.state.notifier.notify
        first = await notify(
            ann_id, "assignment_due", "Homework due tomorrow", {"assignment": 3}, key="due:3"
        )
        assert await notify(ann_id, "assignment_due", "again", key="due:3") is None  # once per key
        second = await notify(ann_id, "level_up", "You reached level 2.", {"level": 2})
        others = await notify(bob_id, "level_up", "You reached level 2.")
        assert first and second and others

        listed = (await http.get("/notifications", headers=ann)).json()
        assert [n["id"] for n in listed["items"]] == [second.id, first.id]
        assert listed["total"] == 2 and listed["unread"] == 2
        assert listed["items"][1] | {"created_at": None} == {
            "id": first.id,
            "kind": "assignment_due",
            "text": "Homework due tomorrow",
            "data": {"assignment": 3},
            "created_at": None,
            "read_at": None,
        }
        marked = await http.post("/notifications/read", json={"ids": [first.id, others.id]}, headers=ann)
        assert marked.status_code == 200 and marked.json() == {"unread": 1}  # bob's id changed nothing
        unread = (await http.get("/notifications", params={"unread": "true"}, headers=ann)).json()
        assert [n["id"] for n in unread["items"]] == [second.id] and unread["unread"] == 1
        assert (await http.get("/notifications", headers=bob)).json()["unread"] == 1
        assert (await http.post("/notifications/read", json={"all": True}, headers=ann)).json() == {
            "unread": 0
        }

        for body in ({}, {"all": False}, {"ids": ["1"]}, {"ids": [1], "all": True}, {"ids": [0]}):
            response = await http.post("/notifications/read", json=body, headers=bob)
            assert response.status_code == 422, body
        assert (await http.get("/notifications", headers=bob)).json()["unread"] == 1
        assert (await http.get("/notifications")).status_code == 401


async def test_a_written_game_tells_its_players_their_badges_and_levels(
    settings: Settings, db: Database
) -> None:
    async with running(settings, db, today_clock()) as app, client_of(app) as http:
        ann = await sign_up(http, "ann")
        ann_id = await user_id(http, ann)
        game_id = await make_game(db)
        connection, peer = await subscribed(app.state.node, ann)
        game = finished(game_id, [seat("an", ann_id, 2_000, 1, xp=150)], [])
        await app.state.results.game_finished(game)
        await app.state.results.game_finished(game)  # written once: told once
        kinds = sorted(
            (n["kind"], n["data"].get("badge") or n["data"].get("level"))
            for n in (await http.get("/notifications", headers=ann)).json()["items"]
        )
        assert kinds == [("badge", "first_game"), ("level_up", 2)]
        pushed = sorted((f["kind"], f["text"]) for f in peer.of_type("notification"))
        assert pushed == [
            ("badge", "You earned the badge “First game”: Finish your first game."),
            ("level_up", "You reached level 2."),
        ]


async def test_a_subscribe_socket_gets_its_users_notifications_only_while_open(
    settings: Settings, db: Database
) -> None:
    async with running(settings, db, today_clock()) as app, client_of(app) as http:
        ann, bob = await sign_up(http, "ann"), await sign_up(http, "bob")
        ann_id, bob_id = await user_id(http, ann), await user_id(http, bob)
        node = app.state.node
        connection, peer = await subscribed(node, ann)
        second, other = await subscribed(node, ann)
        [confirmed] = peer.of_type("subscribed")
        assert confirmed["user_id"] == ann_id and node.bus.listeners.keys() >= {user_channel(ann_id)}
        assert len(node.bus.listeners[user_channel(ann_id)]) == 1  # one subscription per user per node

        row = await app.state.notifier.notify(ann_id, "level_up", "You reached level 3.", {"level": 3})
        await app.state.notifier.notify(bob_id, "level_up", "not for ann")
        [frame] = peer.of_type("notification")
        assert frame == {
            "type": "notification",
            "id": row.id,
            "kind": "level_up",
            "text": "You reached level 3.",
            "data": {"level": 3},
            "created_at": int(row.created_at.timestamp() * 1000),
        }
        assert other.of_type("notification") == [frame]

        # Later frames other than ping are refused; the socket stays a listener.
        await node.handle(connection, orjson.dumps({"type": "start"}))
        assert peer.of_type("error")[-1]["code"] == "bad_request"
        await node.disconnected(connection)
        await node.disconnected(second)
        assert user_channel(ann_id) not in node.bus.listeners
        await app.state.notifier.notify(ann_id, "level_up", "You reached level 4.")
        assert len(peer.of_type("notification")) == 1

        refused, bad = await subscribed(node, {"Authorization": "Bearer not-a-token"})
        assert bad.of_type("error")[0]["code"] == "unauthorized" and refused.role is None


@pytest.fixture
def redis_settings(settings: Settings) -> Callable[[str], Settings]:
    need_redis()
    prefix = f"test-{secrets.token_hex(4)}"

    def node(name: str) -> Settings:
        return Settings(
            **{**settings.__dict__, "redis_url": REDIS_URL, "redis_prefix": prefix, "node_id": name}
        )

    return node


async def test_a_notification_made_on_one_node_reaches_a_socket_on_another(
    redis_settings: Callable[[str], Settings], db: Database
) -> None:
    clock = today_clock()
    async with running(redis_settings("a"), db, clock) as a, running(redis_settings("b"), db, clock) as b:
        async with client_of(a) as http:
            ann = await sign_up(http, "ann")
            ann_id = await user_id(http, ann)
        _, peer = await subscribed(b.state.node, ann)
        await eventually(lambda: bool(peer.of_type("subscribed")))
        row = await a.state.notifier.notify(ann_id, "game_opening", "Capitals is open", {"pin": "123456"})
        await eventually(lambda: bool(peer.of_type("notification")))
        assert [f["id"] for f in peer.of_type("notification")] == [row.id]


async def test_over_real_sockets_a_notification_reaches_the_users_socket_on_the_other_node(
    redis_settings: Callable[[str], Settings], shared_database: Callable[[], Database]
) -> None:
    """Two app instances under uvicorn on one Redis and one database; the user's `subscribe` socket
    on node b gets what node a made, and a socket that left gets nothing more."""
    clock = today_clock()
    b = app_on(redis_settings("b"), shared_database(), clock)
    async with running(redis_settings("a"), shared_database(), clock) as a:
        async with client_of(a) as http:
            ann = await sign_up(http, "ann")
            ann_id = await user_id(http, ann)
        async with serve(b) as b_url:  # uvicorn runs node b's lifespan
            ws = await asyncio.wait_for(websockets.connect(b_url.replace("http", "ws", 1) + "/ws"), WAIT_S)
            listener = Client(ws)
            try:
                await listener.send(type="subscribe", token=token_of(ann))
                assert (await listener.expect("subscribed"))["user_id"] == ann_id
                row = await a.state.notifier.notify(
                    ann_id, "badge", "You earned the badge “Winner”", {"badge": "winner"}
                )
                frame = await listener.expect("notification")
                assert (frame["id"], frame["kind"], frame["data"]) == (row.id, "badge", {"badge": "winner"})
            finally:
                await listener.close()
            await eventually(lambda: user_channel(ann_id) not in b.state.node.bus._listeners)


class ResyncingBus(MemoryBus):
    """The memory bus, keeping the resync callbacks so the test can play a lost subscription."""

    def __init__(self) -> None:
        super().__init__()
        self.resyncs: list[Callable[[], Awaitable[None]]] = []

    def on_resync(self, callback: Callable[[], Awaitable[None]]) -> None:
        self.resyncs.append(callback)


async def test_after_the_bus_resubscribes_each_socket_is_told_to_read_the_list_again() -> None:
    bus, clock = ResyncingBus(), ManualClock()
    inboxes = Inboxes(bus, clock)
    peer, gone = Peer(), Peer()
    await inboxes.open(Connection(peer), 7)
    closed = Connection(gone)
    await inboxes.open(closed, 8)
    await inboxes.close(closed)
    for resync in bus.resyncs:  # the Redis bus had to resubscribe: messages may have been lost
        await resync()
    assert [f["user_id"] for f in peer.of_type("subscribed")] == [7, 7]
    assert len(gone.of_type("subscribed")) == 1 and inboxes.listening(8) == 0


def test_reward_notes_tell_each_badge_and_every_level_crossed() -> None:
    winner = Badge(id=7, code="winner", name="Winner", description="Win a game.", rule={})
    notes = reward_notes(31, [(1, winner)], granted={1: 450, 2: 30}, xp_now={1: 450, 2: 110})
    assert [(n.user_id, n.kind, n.key) for n in notes] == [
        (1, "badge", "badge:winner"),
        (1, "level_up", "level:2"),  # 0 -> 450 XP crosses into levels 2 and 3
        (1, "level_up", "level:3"),
        (2, "level_up", "level:2"),  # 80 -> 110 XP: level 2 starts at 100
    ]
    assert notes[0].data == {"badge": "winner", "name": "Winner", "game_id": 31}
    assert reward_notes(31, [], granted={3: 10}, xp_now={3: 60}) == []  # still level 1
