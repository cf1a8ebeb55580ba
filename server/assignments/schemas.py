"""Request and response shapes of the assignments REST area (they also generate its OpenAPI entries)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter

from rooms.core.settings import MAX_READ_TIME_MS
from server.assignments.progress import Status
from server.paging import Id, Limit, Offset

_MOMENT = TypeAdapter(AwareDatetime)


def _moment(value: Any) -> Any:
    """An ISO 8601 text as a datetime: bodies validate strictly, which takes no text for a datetime,
    and JSON has no other way to say one."""
    return _MOMENT.validate_python(value) if isinstance(value, str) else value


Moment = Annotated[AwareDatetime, BeforeValidator(_moment)]


class AssignmentSettings(BaseModel):
    """How each attempt is played; a player alone needs no host, so the rest is fixed (questions on
    the player's device, the room moves on by itself)."""

    model_config = ConfigDict(extra="forbid")

    scoring: Literal["speed", "accuracy"] = "speed"
    streak: bool = True
    read_time_ms: int = Field(default=0, ge=0, le=MAX_READ_TIME_MS)
    shuffle: bool = False


class CreateAssignment(BaseModel):
    """A quiz the caller owns (or a published one), due at a moment in the future."""

    model_config = ConfigDict(extra="forbid")

    quiz_id: Id
    due_at: Moment = Field(description="ISO 8601 with a time zone; must be in the future")
    title: str | None = Field(
        default=None, min_length=1, max_length=200, description="defaults to the quiz's title"
    )
    settings: AssignmentSettings = Field(default_factory=AssignmentSettings)


class Person(BaseModel):
    id: int
    username: str


class Attempt(BaseModel):
    """A player given the assignment and how far they got. `score`, `correct_count` and `rank` (among
    those who finished: by score, then less time) once their attempt's results are written."""

    user: Person
    status: Status
    opened_at: datetime
    started_at: datetime | None
    game_id: int | None
    score: int | None
    correct_count: int | None
    rank: int | None


class ProgressSummary(BaseModel):
    given: int = Field(description="players who opened the link signed in")
    started: int
    finished: int
    average_score: float | None = Field(description="over those who finished; null before anyone has")


class AssignmentView(BaseModel):
    """An assignment as the caller may see it: the host (or an admin) gets every player's attempt in
    `players`; a player gets their own in `attempt`; anyone else only what the link shows."""

    id: int
    code: str
    title: str
    quiz_id: int | None
    host: Person
    questions: int
    settings: AssignmentSettings
    due_at: datetime
    created_at: datetime
    open: bool = Field(description="false once the due date has passed: no new attempts")
    link: str = Field(description="the page players open to play it")
    role: Literal["host", "player", "guest"]
    progress: ProgressSummary | None
    attempt: Attempt | None
    players: list[Attempt] | None


class AssignmentListQuery(BaseModel):
    """Which of the caller's assignments: those they gave out (`host`) or were given (`player`)."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["host", "player"] = "host"
    limit: Limit = 20
    offset: Offset = 0


class AssignmentList(BaseModel):
    items: list[AssignmentView]
    total: int
    limit: int
    offset: int


class StartedAttempt(BaseModel):
    """The room of the caller's attempt: join it with `pin` over the WebSocket, signed in."""

    assignment_id: int
    game_id: int
    pin: str
    resumed: bool = Field(description="true: the attempt was already under way and this is its room")
    due_at: datetime
