"""The notification to make, its kinds and their texts: plain values in, a `Note` out, no I/O.

`data` carries what a page needs to link or render the notification itself (ids, names, numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

BADGE, LEVEL_UP, GAME_OPENING, ASSIGNMENT_DUE = "badge", "level_up", "game_opening", "assignment_due"
MAX_TEXT_CHARS = 300


@dataclass(frozen=True, slots=True)
class Note:
    """A notification to make. `key`, when given, makes it once per user: a job that runs again
    (a retry, another node) adds nothing."""

    user_id: int
    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    key: str | None = None


def badge_earned(user_id: int, code: str, name: str, description: str, game_id: int | None) -> Note:
    return Note(
        user_id,
        BADGE,
        f"You earned the badge “{name}”: {description}",
        {"badge": code, "name": name, "game_id": game_id},
        key=f"badge:{code}",  # a badge is earned once
    )


def level_reached(user_id: int, level: int, xp: int) -> Note:
    return Note(
        user_id, LEVEL_UP, f"You reached level {level}.", {"level": level, "xp": xp}, key=f"level:{level}"
    )


def game_opening(
    user_id: int, scheduled_id: int, title: str, host: str, pin: str, starts_at: datetime, hosting: bool
) -> Note:
    """A scheduled session is open: its invitees join with the PIN, its host takes the seat."""
    text = (
        f"Your session “{title}” is open (PIN {pin}): take the host seat."
        if hosting
        else f"“{title}” hosted by {host} is open: join with PIN {pin}."
    )
    return Note(
        user_id,
        GAME_OPENING,
        text,
        {
            "scheduled_id": scheduled_id,
            "title": title,
            "host": host,
            "pin": pin,
            "starts_at": starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "role": "host" if hosting else "player",
        },
        key=f"game_opening:{scheduled_id}",
    )
