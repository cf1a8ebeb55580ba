"""Whatever a client sends, the node answers with a frame (or closes the socket for a reason the
protocol names) and never raises: property tests over arbitrary JSON and arbitrary text."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.bus.memory import MemoryBus
from rooms.core.clock import ManualClock
from rooms.core.outcomes import NoRewards
from rooms.core.protocol import KNOWN_TYPES
from rooms.core.results import MemoryResultsSink
from rooms.core.settings import GameSettings
from rooms.edge.connection import Connection
from rooms.node import NewRoom, RoomNode
from rooms.store.memory import MemoryRoomStore

PIN = "424242"
QUIZ = [
    {
        "kind": "single",
        "text": "?",
        "time_limit": 10,
        "options": [{"id": "R", "text": "right", "correct": True}, {"id": "W", "text": "wrong"}],
    }
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
frames = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(KNOWN_TYPES)) | st.text(max_size=12)},
    optional={
        "pin": st.just(PIN) | st.text(max_size=8),
        "nickname": st.text(max_size=30),
        "token": st.text(max_size=20),
        "question": json_values,
        "answer": json_values,
        "t": json_values,
        "last_seq": json_values,
        "player": json_values,
        "locked": json_values,
    },
)


class Peer:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.close_code: int | None = None

    async def send(self, text: str) -> None:
        self.frames.append(orjson.loads(text))

    async def close(self, code: int, reason: str = "") -> None:
        self.close_code = code


def _is_pong(data: bytes) -> bool:
    try:
        frame = orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return isinstance(frame, dict) and frame.get("type") == "pong"


async def _exchange(sequence: list[bytes]) -> list[Peer]:
    clock = ManualClock()
    node = RoomNode(MemoryRoomStore(clock.now_ms), MemoryBus(), clock, MemoryResultsSink(), NoRewards())
    assert await node.store.reserve_pin(PIN)
    await node.open_game(PIN, NewRoom(1, "Quiz", GameSettings(), QUIZ, "host-token", None))
    host, player = Connection(Peer()), Connection(Peer())
    for connection, first in (
        (host, {"type": "host", "pin": PIN, "token": "host-token"}),
        (player, {"type": "join", "pin": PIN, "nickname": "Ann"}),
    ):
        node.connect(connection)
        await node.handle(connection, orjson.dumps(first))
    await node.handle(host, b'{"type":"start"}')
    for data in sequence:
        for connection in (host, player, Connection(Peer())):
            node.connect(connection)
            peer = connection.peer
            assert isinstance(peer, Peer)
            before = len(peer.frames)
            await node.handle(connection, data)  # never raises
            runner = node.runners.get(PIN)
            if runner is not None:
                await runner.idle()  # a host command is answered by what the room broadcasts
            answered = len(peer.frames) > before or peer.close_code is not None or connection.closed
            assert answered or _is_pong(data), data  # a pong is the one frame nothing answers
    return [host.peer, player.peer]  # type: ignore[list-item]


@settings(max_examples=150, deadline=None)
@given(st.lists(frames, min_size=1, max_size=6))
def test_any_json_frame_gets_an_answer_and_never_an_exception(sequence: list[dict[str, Any]]) -> None:
    peers = asyncio.run(_exchange([orjson.dumps(frame) for frame in sequence]))
    for peer in peers:
        for frame in peer.frames:
            assert frame["type"] in {
                "welcome",
                "ping",
                "pong",
                "question",
                "answer_ack",
                "answers",
                "error",
                "lobby",
                "reveal",
                "result",
                "scoreboard",
                "finished",
            }


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=64) | st.text(max_size=64), min_size=1, max_size=4))
def test_any_bytes_or_text_get_an_answer_and_never_an_exception(sequence: list[bytes | str]) -> None:
    asyncio.run(_exchange([item if isinstance(item, bytes) else item.encode() for item in sequence]))
