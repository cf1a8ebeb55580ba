"""The edge on its own, with a stand-in owner: what a resuming socket is sent, and in which order,
when the owner's snapshot is older than what this edge has already relayed (a remote owner's reply
can race the room's events over the bus)."""

from __future__ import annotations

from typing import Any

import orjson

from rooms.bus.memory import MemoryBus
from rooms.core import envelope
from rooms.core.clock import ManualClock
from rooms.core.events import SharedEvent
from rooms.core.settings import GameSettings
from rooms.core.state import RoomState
from rooms.edge.connection import Connection
from rooms.edge.edge import RoomEdge
from rooms.owner.base import Notice, Seat
from rooms.store.memory import MemoryRoomStore

PIN = "424242"


class Peer:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.frames.append(orjson.loads(text))

    async def close(self, code: int, reason: str = "") -> None:
        pass


class SnapshotAt:
    """An owner whose seats are snapshots as of `seq`."""

    def __init__(self, seq: int):
        self.seq = seq

    async def seat(self, player_id: str) -> Seat:
        return Seat(player_id, "Ann", 0, 0, {"phase": "lobby"}, self.seq, None)

    async def notify(self, notice: Notice) -> None:
        pass


async def test_a_resume_gets_the_missed_events_then_the_newer_ones_in_order() -> None:
    clock = ManualClock()
    store = MemoryRoomStore(clock.now_ms)
    state = RoomState(
        pin=PIN,
        game_id=1,
        kind="quiz",
        title="t",
        settings=GameSettings(),
        questions_doc=[],
        host_token_hash="h",
        host_user_id=None,
        created_at_ms=0,
    )
    await store.create(state)
    epoch = await store.acquire_lease(PIN, "node", 60_000)
    assert epoch is not None
    for seq in range(1, 6):
        lobby = {"type": "lobby", "seq": seq, "count": seq, "joined": [], "left": [], "locked": False}
        await store.append_event(PIN, epoch, seq, envelope.shared(SharedEvent(seq, lobby)))
    owner = SnapshotAt(seq=3)
    edge = RoomEdge(await store.info(PIN), store, MemoryBus(), clock, lambda: owner)  # type: ignore[arg-type, return-value]
    edge.last_seq = 5  # this edge relayed events 4 and 5 before the owner's reply (as of 3) arrived
    peer = Peer()
    await edge.resume(Connection(peer), "ann", "token-hash", last_seq=1)
    assert [f["type"] for f in peer.frames[:2]] == ["welcome", "ping"]
    assert peer.frames[0]["recovered"] is True and peer.frames[0]["seq"] == 3
    assert [f["seq"] for f in peer.frames[2:]] == [2, 3, 4, 5]
