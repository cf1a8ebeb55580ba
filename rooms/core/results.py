"""A finished game as a plain value, and the sink the room hands it to (wired by `server/`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from rooms.core.state import Receipt
from rooms.core.types import PlayerId


@dataclass(frozen=True, slots=True)
class PlayerOutcome:
    """A player's final standing; `xp_gained` is what the final `result` frame promised."""

    player_id: PlayerId
    nickname: str
    user_id: int | None
    score: int
    rank: int | None
    correct_count: int
    xp_gained: int
    kicked: bool = False
    bot: bool = False  # a duel's bot opponent: no account, no XP, no rating
    forfeited: bool = False  # a duel player who left or stayed away past the drop grace
    response_ms: int = 0  # total credited response time of the scored answers (breaks a duel's tie)


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    """One accepted answer with how it scored and its timing receipt."""

    player_id: PlayerId
    question: int
    answer: Any
    correct: bool
    points: int
    streak: int
    receipt: Receipt


@dataclass(frozen=True, slots=True)
class FinishedGame:
    """Everything a finished game leaves behind, handed to a `ResultsSink`."""

    game_id: int
    pin: str
    kind: str
    title: str
    host_user_id: int | None
    settings: dict[str, Any]
    questions: list[dict[str, Any]]
    started_at_ms: int | None
    ended_at_ms: int
    players: tuple[PlayerOutcome, ...]
    answers: tuple[AnswerOutcome, ...]
    voided: tuple[int, ...] = field(default=())
    winner: PlayerId | None = None  # a duel's winner; None for a draw, and for every other kind


class ResultsSink(Protocol):
    """Where finished games go. `record` returns once the game is durable (the room sends
    `finished` only then); writing it to the database is the sink's business, later."""

    async def record(self, game: FinishedGame) -> None: ...


class MemoryResultsSink:
    """Keeps finished games in memory (tests, and a node without a database)."""

    def __init__(self) -> None:
        self.games: dict[int, FinishedGame] = {}

    async def record(self, game: FinishedGame) -> None:
        self.games[game.game_id] = game
