"""What travels on a room's bus channel: pre-encoded frames wrapped in a small envelope.

Frames are encoded once by the owner; every node decodes the envelope once and writes the same
frame text to each of its sockets. Shared events are kept in the store's history as envelopes too,
so a resume replays exactly what was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from rooms.core.events import Effects, SharedEvent
from rooms.core.types import PlayerId

EVENT, PERSONAL, HOST, KICK, CLOSED, OWNER = "event", "personal", "host", "kick", "closed", "owner"


def encode_frame(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


def channel(pin: str) -> str:
    """The room's event channel; `{pin}` is the hash tag that keeps a room on one cluster shard."""
    return f"room:{{{pin}}}:events"


@dataclass(frozen=True, slots=True)
class Envelope:
    """A decoded bus message. `frames` holds the host's frame first, then one per player variant."""

    kind: str
    seq: int = 0
    frames: tuple[str, ...] = ()
    personal: dict[PlayerId, str] | None = None
    players: tuple[PlayerId, ...] = ()
    question: int | None = None  # a question event opens this question
    revealed: int | None = None  # a reveal closes this question (and personal results follow it)
    ends_game: bool = False  # `finished` (and the final personal results follow it)

    @property
    def closes_question(self) -> bool:
        return self.revealed is not None

    def frame_for(self, variant: int | None) -> str:
        if variant is None or len(self.frames) == 1:
            return self.frames[0]
        return self.frames[1 + variant % (len(self.frames) - 1)]


def shared(event: SharedEvent) -> bytes:
    frames = [encode_frame(event.host), *(encode_frame(v) for v in event.variants)]
    kind = event.host["type"]
    return orjson.dumps(
        {
            "k": EVENT,
            "seq": event.seq,
            "frames": frames,
            "q": event.host["question"] if kind == "question" else None,
            "close": event.host["question"] if kind == "reveal" else None,
            "end": kind == "finished",
        }
    )


def messages(effects: Effects) -> list[tuple[int | None, bytes]]:
    """A transition's output in the order clients get it (PROTOCOL.md: reveal, each player's result,
    scoreboard): shared events with their `seq` (they go into the history too), the rest with None."""
    out: list[tuple[int | None, bytes]] = []
    personal_at = len(effects.shared) if effects.personal_at is None else effects.personal_at
    for position, event in enumerate(effects.shared):
        if position == personal_at and effects.personal:
            out.append((None, personal(effects.personal)))
        out.append((event.seq, shared(event)))
    if personal_at >= len(effects.shared) and effects.personal:
        out.append((None, personal(effects.personal)))
    out += [(None, host(frame)) for frame in effects.host]
    if effects.kicked:
        out.append((None, kick(effects.kicked)))
    return out


def personal(frames: dict[PlayerId, dict[str, Any]]) -> bytes:
    return orjson.dumps({"k": PERSONAL, "personal": {pid: encode_frame(f) for pid, f in frames.items()}})


def host(frame: dict[str, Any]) -> bytes:
    return orjson.dumps({"k": HOST, "frames": [encode_frame(frame)]})


def kick(players: list[PlayerId]) -> bytes:
    return orjson.dumps({"k": KICK, "players": players})


def closed() -> bytes:
    return orjson.dumps({"k": CLOSED})


def owner() -> bytes:
    """A new owner took the room over: edges tell it who is connected."""
    return orjson.dumps({"k": OWNER})


def decode(message: bytes) -> Envelope:
    raw = orjson.loads(message)
    return Envelope(
        kind=raw["k"],
        seq=raw.get("seq", 0),
        frames=tuple(raw.get("frames", ())),
        personal=raw.get("personal"),
        players=tuple(raw.get("players", ())),
        question=raw.get("q"),
        revealed=raw.get("close"),
        ends_game=bool(raw.get("end")),
    )
