"""Request and response shapes of the games REST area (they also generate its OpenAPI entries)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from persistence.models import Game
from rooms.core.settings import MAX_PLAYERS_LIMIT, MAX_READ_TIME_MS
from server.paging import Id, Limit, Offset


class SettingsIn(BaseModel):
    """Game settings; every one optional, defaults as in PROTOCOL.md."""

    model_config = ConfigDict(extra="forbid")

    scoring: Literal["speed", "accuracy"] = "speed"
    streak: bool = True
    read_time_ms: int = Field(default=0, ge=0, le=MAX_READ_TIME_MS)
    auto_advance: bool = False
    shuffle: bool = False
    question_on_devices: bool = True
    late_join: bool = True
    top_n: int = Field(default=10, ge=1, le=100)
    max_players: int = Field(default=5_000, ge=1, le=MAX_PLAYERS_LIMIT)


class CreateGame(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quiz_id: Id
    settings: SettingsIn = Field(default_factory=SettingsIn)


class CreatedGame(BaseModel):
    id: int
    pin: str
    host_token: str
    settings: SettingsIn
    join_url: str


class PlayerResult(BaseModel):
    id: str
    nickname: str
    user_id: int | None
    score: int
    rank: int | None
    correct_count: int


class AnswerResult(BaseModel):
    player: str
    question: int
    answer: Any
    correct: bool
    points: int
    streak: int
    receipt: dict[str, int | None]


class GameHeader(BaseModel):
    """What every view of a game starts with."""

    id: int
    kind: str
    pin: str
    status: str
    title: str
    quiz_id: int | None
    host_id: int | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


def header(game: Game, title: str) -> dict[str, Any]:
    """The `GameHeader` fields of a stored game."""
    return {
        "id": game.id,
        "kind": game.kind,
        "pin": game.pin,
        "status": game.status,
        "title": title,
        "quiz_id": game.quiz_id,
        "host_id": game.host_id,
        "created_at": game.created_at,
        "started_at": game.started_at,
        "ended_at": game.ended_at,
    }


class GameReport(GameHeader):
    """A game's full results."""

    complete: bool = Field(
        description="false while the game is live or its results are still being written: "
        "players and answers are then empty; ask again shortly"
    )
    settings: dict[str, Any]
    questions: list[dict[str, Any]]
    players: list[PlayerResult]
    answers: list[AnswerResult]


class ExportQuery(BaseModel):
    """The format of a game's export."""

    format: Literal["json", "csv"] = "json"


class GameListQuery(BaseModel):
    """Paging of `GET /games`."""

    model_config = ConfigDict(extra="ignore")

    limit: Limit = 20
    offset: Offset = 0


class Seat(BaseModel):
    """How the caller did in a game they played."""

    player: str
    nickname: str
    score: int
    rank: int | None
    correct_count: int


class GameSummary(GameHeader):
    """A line of `GET /games`."""

    role: Literal["host", "player"]
    players: int
    result: Seat | None


class GameList(BaseModel):
    items: list[GameSummary]
    total: int
    limit: int
    offset: int
