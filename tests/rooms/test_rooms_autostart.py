"""Host-less rooms (`autostart`): the room starts by itself once its seats are taken, after a short
countdown, and moves on after every reveal until it ends; a new owner keeps its timers going.
Manual clock, memory store and bus: time moves only when a test says so."""

from __future__ import annotations

import asyncio

import orjson

from rooms.bus.memory import MemoryBus
from rooms.core.clock import ManualClock
from rooms.core.outcomes import NoRewards
from rooms.core.results import MemoryResultsSink
from rooms.core.settings import AUTO_ADVANCE_PAUSE_MS, AUTOSTART_COUNTDOWN_MS, GameSettings
from rooms.core.state import Phase
from rooms.edge.connection import Connection
from rooms.node import Leases, NewRoom, RoomNode
from rooms.store.memory import MemoryRoomStore
from tests.rooms.test_rooms_runner import LIMIT_MS, PIN, QUIZ, SLACK_MS, FakePeer, Room


async def test_a_room_starts_by_itself_once_its_seats_are_taken_after_the_countdown() -> None:
    room = await Room(autostart=2).open()
    ann = await room.join("Ann")
    await room.advance(AUTOSTART_COUNTDOWN_MS * 3)  # one seat of two: it waits
    assert room.state.phase is Phase.LOBBY and "starts_at" not in ann.peer.last("welcome")["state"]
    ben = await room.join("Ben")
    starts_at = room.clock.now_ms() + AUTOSTART_COUNTDOWN_MS
    assert ben.peer.last("welcome")["state"]["starts_at"] == starts_at
    countdown = [frame for frame in ann.peer.of("lobby") if "starts_at" in frame]
    assert countdown and countdown[-1]["starts_at"] == starts_at and countdown[-1]["count"] == 2
    await room.advance(AUTOSTART_COUNTDOWN_MS - 1)
    assert room.state.phase is Phase.LOBBY
    await room.advance(1)
    assert room.state.phase is Phase.QUESTION and ann.peer.last("question")["question"] == 0
    assert room.state.started_at_ms == starts_at and room.state.starts_at_ms is None


async def test_a_host_less_room_advances_after_each_reveal_until_it_finishes() -> None:
    room = await Room(autostart=1).open()
    ann = await room.join("Ann")
    await room.advance(AUTOSTART_COUNTDOWN_MS)
    for index in range(len(QUIZ)):
        assert room.state.phase is Phase.QUESTION and room.state.question_index == index
        await ann.answer(index, "R")
        assert room.state.phase is Phase.REVEAL
        await room.advance(AUTO_ADVANCE_PAUSE_MS - 1)
        assert room.state.phase is Phase.REVEAL
        await room.advance(1)
    assert room.state.phase is Phase.FINISHED
    assert ann.peer.last("result")["score"] == 1000 + 1100 + 1200 and ann.peer.of("finished")


async def test_an_unanswered_question_closes_at_its_deadline_and_the_room_still_moves_on() -> None:
    room = await Room(autostart=1).open()
    ann = await room.join("Ann")
    await room.advance(AUTOSTART_COUNTDOWN_MS)
    await room.advance(LIMIT_MS + SLACK_MS)
    assert room.state.phase is Phase.REVEAL and ann.peer.last("result")["answered"] is False
    await room.advance(AUTO_ADVANCE_PAUSE_MS)
    assert room.state.phase is Phase.QUESTION and room.state.question_index == 1


async def test_a_room_without_autostart_waits_for_its_host() -> None:
    room = await Room().open()
    await room.join("Ann")
    await room.join("Ben")
    await room.advance(AUTOSTART_COUNTDOWN_MS * 10)
    assert room.state.phase is Phase.LOBBY and room.state.starts_at_ms is None


async def test_a_host_start_during_the_countdown_cancels_the_autostart() -> None:
    room = await Room(autostart=1).open()
    host = await room.host()
    ann = await room.join("Ann")
    await host.send(type="start")
    await ann.answer(0, "R")
    await room.advance(AUTOSTART_COUNTDOWN_MS)  # the countdown's timer would start a started game
    assert room.state.phase is Phase.REVEAL and room.state.question_index == 0


# --- a new owner carries the countdown and the pauses on ---------------------------------------------


class TwoNodes:
    """Node `a` owns the room and holds the sockets; node `b` takes the room over when `a` dies."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.store = MemoryRoomStore(self.clock.now_ms)
        bus, sink, leases = MemoryBus(), MemoryResultsSink(), Leases(ttl_ms=2_000)
        self.a = RoomNode(self.store, bus, self.clock, sink, NoRewards(), node_id="a", leases=leases)
        self.b = RoomNode(self.store, bus, self.clock, sink, NoRewards(), node_id="b", leases=leases)

    async def open(self, settings: GameSettings) -> None:
        assert await self.store.reserve_pin(PIN)
        await self.a.open_game(PIN, NewRoom(7, "Test", settings, QUIZ, "host-token", None))

    async def join(self, nickname: str) -> FakePeer:
        peer = FakePeer(self.clock)
        connection = Connection(peer, address="10.0.0.1")
        self.a.connect(connection)
        await self.a.handle(connection, orjson.dumps({"type": "join", "pin": PIN, "nickname": nickname}))
        await self.settle()
        return peer

    async def settle(self) -> None:
        for _ in range(5):  # notices from a non-owner edge go out on the next loop tick
            await asyncio.sleep(0)
            for node in (self.a, self.b):
                for runner in list(node.runners.values()):
                    await runner.idle()

    async def kill_a_and_take_over(self) -> None:
        self.a.runners[PIN].stand_down()  # a stops renewing and running the room; its edge stays
        self.clock.advance(2_000)
        await self.b.sweep()
        assert PIN in self.b.runners
        await self.settle()

    async def advance(self, ms: int) -> None:
        self.clock.advance(ms)
        await self.settle()


async def test_a_new_owner_starts_the_room_when_the_old_owners_countdown_ends() -> None:
    nodes = TwoNodes()
    await nodes.open(GameSettings(autostart=2))
    ann, _ = await nodes.join("Ann"), await nodes.join("Ben")
    starts_at = nodes.a.runners[PIN].state.starts_at_ms
    assert starts_at is not None
    await nodes.kill_a_and_take_over()
    assert nodes.clock.now_ms() < starts_at
    await nodes.advance(starts_at - nodes.clock.now_ms())
    assert nodes.b.runners[PIN].state.phase is Phase.QUESTION
    assert ann.last("question")["question"] == 0  # through a's edge, from b


async def test_a_new_owner_moves_on_after_a_reveal_it_took_over() -> None:
    nodes = TwoNodes()
    await nodes.open(GameSettings(autostart=1))
    await nodes.join("Ann")
    await nodes.advance(AUTOSTART_COUNTDOWN_MS)
    await nodes.advance(LIMIT_MS + SLACK_MS)
    assert nodes.a.runners[PIN].state.phase is Phase.REVEAL
    await nodes.kill_a_and_take_over()
    await nodes.advance(AUTO_ADVANCE_PAUSE_MS)
    state = nodes.b.runners[PIN].state
    assert state.phase is Phase.QUESTION and state.question_index == 1
