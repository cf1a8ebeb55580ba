"""Request and response shapes of scheduled sessions (they also generate their OpenAPI entries)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from server.game_schemas import SettingsIn
from server.paging import Id, Limit, Offset
from server.routes.leaderboards import UserRef
from server.scheduling.sessions import MAX_INVITEES

State = Literal["scheduled", "open", "cancelled", "failed"]


def _iso_moment(value: Any) -> Any:
    """Only ISO 8601 text (bodies validate strictly, and a number is no time): parsed here."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date and time as ISO 8601 text, e.g. 2026-12-24T18:00:00Z")
    try:
        return datetime.fromisoformat(value.strip().upper())
    except ValueError:
        raise ValueError("must be a date and time as ISO 8601 text, e.g. 2026-12-24T18:00:00Z") from None


Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_moment),
    Field(description="ISO 8601 with a time zone; not in the past, at most a year ahead"),
]
Username = Annotated[str, Field(min_length=1, max_length=32)]


class ScheduleGame(BaseModel):
    """`POST /games/scheduled`."""

    model_config = ConfigDict(extra="forbid")

    quiz_id: Id
    starts_at: Moment
    settings: SettingsIn = Field(default_factory=SettingsIn)
    invitees: list[Username] = Field(
        default_factory=list,
        max_length=MAX_INVITEES,
        description="usernames of existing accounts (case-insensitive); each is told when the game opens",
    )


class ScheduledSession(BaseModel):
    """A scheduled session as its host sees it."""

    id: int
    quiz_id: int | None
    title: str
    starts_at: datetime
    state: State = Field(
        description="`scheduled` until it opens; `open` with `game_id`, `pin`, `host_token` and "
        "`join_url`; `cancelled` by its host; `failed` with `failure` (the quiz went away, or no "
        "server was running within an hour of its time)"
    )
    settings: SettingsIn
    invitees: list[str]
    created_at: datetime
    game_id: int | None = None
    pin: str | None = None
    host_token: str | None = Field(default=None, description="take the host seat with it (`host` frame)")
    join_url: str | None = None
    failure: str | None = None


class ScheduledList(BaseModel):
    items: list[ScheduledSession]
    total: int
    limit: int
    offset: int


class ScheduledQuery(BaseModel):
    """Paging of the lists."""

    model_config = ConfigDict(extra="ignore")

    limit: Limit = 20
    offset: Offset = 0


class UpcomingGame(BaseModel):
    """A session the caller hosts or is invited to that has not happened yet."""

    id: int
    title: str
    host: UserRef
    starts_at: datetime
    state: Literal["scheduled", "open"]
    role: Literal["host", "player"]
    pin: str | None = Field(default=None, description="once open: join with it")
    join_url: str | None = None


class UpcomingList(BaseModel):
    items: list[UpcomingGame]
    total: int
    limit: int
    offset: int
