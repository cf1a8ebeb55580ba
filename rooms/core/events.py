"""What a room transition produces: numbered shared events, personal frames, and refusals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rooms.core.results import FinishedGame
from rooms.core.types import PlayerId


class RoomError(Exception):
    """A request the room refuses, with the PROTOCOL.md error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(slots=True)
class SharedEvent:
    """A numbered room event; question events carry one frame per player variant."""

    seq: int
    host: dict[str, Any]
    variants: tuple[dict[str, Any], ...] = ()

    def frame_for(self, variant: int | None) -> dict[str, Any]:
        if variant is None or not self.variants:
            return self.host
        return self.variants[variant % len(self.variants)]


@dataclass(slots=True)
class Effects:
    """What a transition asks the runner to send."""

    shared: list[SharedEvent] = field(default_factory=list)
    personal: dict[PlayerId, dict[str, Any]] = field(default_factory=dict)
    host: list[dict[str, Any]] = field(default_factory=list)
    kicked: list[PlayerId] = field(default_factory=list)
    finished: FinishedGame | None = None
    personal_at: int | None = None  # personal frames go before shared[personal_at] (default: after all)
    question_opened: bool = False
    question_closed: bool = False

    def merge(self, other: Effects) -> None:
        """Append what `other` sends after what this sends."""
        self.shared.extend(other.shared)
        self.personal.update(other.personal)
        self.host.extend(other.host)
        self.kicked.extend(other.kicked)
        self.question_opened |= other.question_opened
        self.question_closed |= other.question_closed
