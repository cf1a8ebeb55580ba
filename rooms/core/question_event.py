"""The `question` event: one frame for the host and a few shuffled variants for the players.

Each variant is encoded once and a player's variant is fixed at join, so shuffling costs a handful
of encodings per question, not one per player. Variants are seeded by the room's secret seed (never
sent) and the question, so a new owner after a failover produces the very same frames and a player
who knows the PIN cannot rebuild, and so undo, a shuffle.
"""

from __future__ import annotations

import random
from typing import Any

from rooms.core.events import SharedEvent
from rooms.core.questions import Kind, Question, public_view
from rooms.core.state import RoomState

VARIANTS = 4


def question_event(
    state: RoomState, question: Question, index: int, total: int, seq: int, now_ms: int
) -> SharedEvent:
    """The frames for question `index`; the host's keeps option texts and the written order
    (but ordering, whose written order is the solution, is shuffled for everyone)."""
    settings = state.settings
    room_fields = {
        "type": "question",
        "seq": seq,
        "question": index,
        "total": total,
        "read_time_ms": settings.read_time_ms,
        "server_time": now_ms,
    }
    count = VARIANTS if settings.shuffle or question.kind is Kind.ORDERING else 1

    def variant(number: int, *, for_host: bool) -> dict[str, Any]:
        rng = random.Random(f"{state.seed}:{index}:{number}")
        view = public_view(
            question,
            rng,
            shuffle=settings.shuffle and not for_host,
            option_text=for_host or settings.question_on_devices,
            images=for_host or settings.question_on_devices,
        )
        return {**room_fields, **view}

    host = variant(0, for_host=True)
    # Each option's `shape` is its place on the host's screen, so a player whose device shows
    # shuffled options without text can still match them to the big screen.
    shapes = {option["id"]: place for place, option in enumerate(host.get("options", ()))}
    players = tuple(variant(n, for_host=False) for n in range(count))
    for frame in (host, *players):
        for option in frame.get("options", ()):
            option["shape"] = shapes[option["id"]]
    return SharedEvent(seq, host, players)
