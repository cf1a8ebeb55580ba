"""A client socket as the rooms see it, and who it is: its identity comes from its first frame and
never changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from rooms.core.types import PlayerId
from rooms.edge.ratelimit import TokenBucket

RTT_WEIGHT = 0.3  # exponential moving average: recent round trips count most
MAX_RTT_SAMPLE_MS = 30_000


class Peer(Protocol):
    """One client socket. `send` must not stall a broadcast on a slow client: the server's
    implementation queues (bounded) and closes with 1013 when the queue overflows."""

    async def send(self, text: str) -> None: ...

    async def close(self, code: int, reason: str = "") -> None: ...


@dataclass(eq=False, slots=True)
class Connection:
    """A socket and the seat it holds on this node's edge of a room."""

    peer: Peer
    address: str = ""
    role: str | None = None  # "player" or "host" once the first frame is accepted
    pin: str | None = None
    player_id: PlayerId | None = None
    variant: int | None = None
    first_question: int = 0  # late joiners answer from this question on
    floor_seq: int = 0  # events up to this seq were in the socket's welcome: never send them again
    rtt_ms: float | None = None
    closed: bool = False
    bucket: TokenBucket | None = None  # this socket's frame rate
    refusals: TokenBucket | None = None  # its budget of refused frames (made on the first refusal)
    ping_t: int | None = None  # the `t` of the ping sent on seating: its pong is the first round trip
    resume_hash: str = ""  # the seat's resume token, shortened to the resume window on a drop
    gone: bool = False  # left by choice: no resume window

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.peer.send(orjson.dumps(frame).decode())

    async def error(self, code: str, message: str) -> None:
        await self.send_frame({"type": "error", "code": code, "message": message})

    async def close(self, code: int, reason: str = "") -> None:
        if not self.closed:
            self.closed = True
            await self.peer.close(code, reason)

    def record_rtt(self, sample_ms: float) -> None:
        if 0 <= sample_ms <= MAX_RTT_SAMPLE_MS:
            self.rtt_ms = (
                sample_ms
                if self.rtt_ms is None
                else ((1 - RTT_WEIGHT) * self.rtt_ms + RTT_WEIGHT * sample_ms)
            )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
