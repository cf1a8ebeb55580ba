"""Request and response shapes of the analytics REST area (they also generate its OpenAPI entries)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from persistence.repositories.leaderboards import Window

DEFAULT_DAYS = 30
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """Only a calendar date as ISO 8601 writes it (YYYY-MM-DD): pydantic would also read a number
    as a Unix time, which nobody means by a day."""
    if isinstance(value, str) and not ISO_DATE.fullmatch(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]

# Examples for the OpenAPI document (tests check that each validates against its model).
QUIZ_EXAMPLE: dict[str, Any] = {
    "quiz": {"id": 7, "name": "World Capitals"},
    "from": "2026-03-01",
    "to": "2026-03-31",
    "summary": {"games": 4, "players": 96, "average_score": 3120.5, "completion": 0.94, "accuracy": 0.71},
    "days": [
        {"date": "2026-03-10", "games": 1, "players": 28},
        {"date": "2026-03-12", "games": 3, "players": 68},
    ],
    "questions": [
        {
            "index": 2,
            "kind": "single",
            "text": "Capital of Australia?",
            "games": 4,
            "given": 96,
            "attempts": 90,
            "correct": 31,
            "accuracy": 0.344,
            "difficulty": 0.323,
            "discrimination": 0.41,
            "average_ms": 7410.2,
            "median_ms": 6849.5,
            "distribution": [
                {"label": "Canberra", "count": 31, "correct": True},
                {"label": "Sydney", "count": 47, "correct": False},
                {"label": "Melbourne", "count": 12, "correct": False},
            ],
            "distractors": [
                {"label": "Sydney", "count": 47, "correct": False},
                {"label": "Melbourne", "count": 12, "correct": False},
            ],
            "flags": ["distractor_beats_key"],
        }
    ],
}
PLAYER_EXAMPLE: dict[str, Any] = {
    "user": {"id": 12, "name": "hana"},
    "from": "2026-03-01",
    "to": "2026-03-31",
    "summary": {"games": 2, "answers": 19, "correct": 14, "accuracy": 0.737, "average_ms": 5120.0, "xp": 310},
    "games": [
        {
            "game_id": 41,
            "quiz_id": 7,
            "title": "World Capitals",
            "ended_at": "2026-03-12T18:40:00Z",
            "score": 7340,
            "rank": 2,
            "players": 28,
            "answered": 10,
            "correct": 8,
        },
    ],
    "xp": [{"date": "2026-03-12", "xp": 190}],
    "tags": [{"tag": "geography", "answers": 19, "correct": 14, "accuracy": 0.737}],
    "strongest": ["geography"],
    "weakest": [],
}
HOST_EXAMPLE: dict[str, Any] = {
    "user": {"id": 3, "name": "host"},
    "from": "2026-03-01",
    "to": "2026-03-31",
    "summary": {"games": 2, "players": 56, "average_score": 2980.0},
    "days": [{"date": "2026-03-12", "games": 2, "players": 56}],
    "quizzes": [
        {"quiz_id": 7, "title": "World Capitals", "games": 2, "players": 56, "average_score": 2980.0}
    ],
    "games": [
        {
            "id": 41,
            "quiz_id": 7,
            "title": "World Capitals",
            "ended_at": "2026-03-12T18:40:00Z",
            "players": 28,
            "average_score": 3011.5,
        },
    ],
}


class RangeQuery(BaseModel):
    """A range of UTC calendar days, both included, and the answer's format. Without `to`, up to
    today; without `from`, the 30 days that end at `to`."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    from_: IsoDate | None = Field(
        default=None, alias="from", description="first day (ISO date, UTC); not after `to`"
    )
    to: IsoDate | None = Field(default=None, description="last day (ISO date, UTC)")
    format: Literal["json", "csv"] = Field(default="json", description="csv: one table, see `table`")

    @model_validator(mode="after")
    def _ordered(self) -> RangeQuery:
        if self.from_ is not None and self.to is not None and self.from_ > self.to:
            raise ValueError("`from` must not be after `to`")
        return self

    def days(self, today: date) -> tuple[date, date]:
        """The first and last day: as given, else the 30 days up to `to` (or today, or `from`)."""
        last = self.to or (today if self.from_ is None else max(self.from_, today))
        if self.from_ is not None:
            return self.from_, last
        span = min(timedelta(days=DEFAULT_DAYS - 1), last - date.min)
        return last - span, last


def window_of(first: date, last: date) -> Window:
    """The days `first` to `last` (both included) as a half-open window of UTC instants."""
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC)
    end = end + timedelta(days=1) if last < date.max else end.replace(hour=23, minute=59, second=59)
    return Window(start, end)


class QuizRangeQuery(RangeQuery):
    table: Literal["questions", "options", "days"] = Field(
        default="questions", description="with format=csv: which table"
    )


class PlayerRangeQuery(RangeQuery):
    table: Literal["games", "tags", "xp"] = Field(default="games", description="with format=csv: which table")


class HostRangeQuery(RangeQuery):
    table: Literal["games", "days", "quizzes"] = Field(
        default="games", description="with format=csv: which table"
    )


class Ref(BaseModel):
    id: int
    name: str


class Day(BaseModel):
    date: date
    games: int
    players: int


class OptionShare(BaseModel):
    """One answer (an option, true or false, a typed answer, a slider range, or for ordering
    `correct`/`partial`/`wrong`) and how many gave it."""

    label: str
    count: int
    correct: bool


class QuestionStats(BaseModel):
    index: int = Field(description="the question's place in the quiz, from 0")
    kind: str
    text: str
    games: int = Field(description="sessions that played it")
    given: int = Field(description="players it was put to")
    attempts: int = Field(description="answers given")
    correct: int
    accuracy: float | None = Field(description="correct / attempts")
    difficulty: float | None = Field(description="share of those given it who got it right (item p-value)")
    discrimination: float | None = Field(
        description="point-biserial correlation of the item with the rest of the score (number correct)"
    )
    average_ms: float | None
    median_ms: float | None = Field(
        description="median credited time, read off 100 ms buckets (within 50 ms)"
    )
    distribution: list[OptionShare]
    distractors: list[OptionShare] = Field(description="wrong answers that drew anyone, most chosen first")
    flags: list[Literal["negative_discrimination", "distractor_beats_key"]]


class QuizSummary(BaseModel):
    games: int
    players: int = Field(description="ranked seats over all games")
    average_score: float | None
    completion: float | None = Field(
        description="answers / (players x questions played); a game ended early counts the questions "
        "up to the last one answered; voided questions do not count"
    )
    accuracy: float | None = Field(description="fully correct / answers, polls and voided left out")


class QuizAnalytics(BaseModel):
    quiz: Ref
    from_: date = Field(alias="from")
    to: date
    summary: QuizSummary
    days: list[Day]
    questions: list[QuestionStats] = Field(description="hardest first (lowest difficulty); polls last")

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [QUIZ_EXAMPLE]})


class PlayerGame(BaseModel):
    game_id: int
    quiz_id: int | None
    title: str
    ended_at: datetime
    score: int
    rank: int
    players: int
    answered: int
    correct: int


class TagStats(BaseModel):
    tag: str
    answers: int
    correct: int
    accuracy: float | None


class XpDay(BaseModel):
    date: date
    xp: int


class PlayerSummary(BaseModel):
    games: int
    answers: int = Field(description="answers to scored questions")
    correct: int
    accuracy: float | None
    average_ms: float | None
    xp: int = Field(description="XP earned in the range")


class PlayerAnalytics(BaseModel):
    user: Ref
    from_: date = Field(alias="from")
    to: date
    summary: PlayerSummary
    games: list[PlayerGame] = Field(description="newest first")
    xp: list[XpDay] = Field(description="XP earned per UTC day, days with none left out")
    tags: list[TagStats] = Field(description="accuracy per quiz tag, best first")
    strongest: list[str]
    weakest: list[str] = Field(description="weakest first")

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [PLAYER_EXAMPLE]})


class HostGame(BaseModel):
    id: int
    quiz_id: int | None
    title: str
    ended_at: datetime
    players: int
    average_score: float | None


class HostQuiz(BaseModel):
    quiz_id: int | None
    title: str
    games: int
    players: int
    average_score: float | None


class HostSummary(BaseModel):
    games: int
    players: int
    average_score: float | None


class HostAnalytics(BaseModel):
    user: Ref
    from_: date = Field(alias="from")
    to: date
    summary: HostSummary
    days: list[Day]
    quizzes: list[HostQuiz] = Field(description="most played first")
    games: list[HostGame] = Field(description="newest first")

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [HOST_EXAMPLE]})


class GameQuery(BaseModel):
    """The answer's format for one game's analytics."""

    model_config = ConfigDict(extra="ignore")

    format: Literal["json", "csv"] = Field(default="json", description="csv: one table, see `table`")
    table: Literal["questions", "options"] = Field(
        default="questions", description="with format=csv: which table"
    )


GAME_EXAMPLE: dict[str, Any] = {
    "game": {"id": 41, "name": "World Capitals"},
    "complete": True,
    "summary": QUIZ_EXAMPLE["summary"] | {"games": 1, "players": 28},
    "questions": QUIZ_EXAMPLE["questions"],
}


class GameAnalytics(BaseModel):
    """One game's questions, as a quiz's analytics has them over one session."""

    game: Ref
    complete: bool = Field(description="false until the game is finished and its results written")
    summary: QuizSummary
    questions: list[QuestionStats] = Field(description="hardest first (lowest difficulty); polls last")

    model_config = ConfigDict(json_schema_extra={"examples": [GAME_EXAMPLE]})


class PlayerRef(BaseModel):
    player: str = Field(description="the player's id in the game")
    nickname: str


class FastAnswerHint(PlayerRef):
    question: int
    reaction_ms: int = Field(description="received - sent - round trip: how soon after the question arrived")


class FastPlayerHint(PlayerRef):
    count: int = Field(description="answers under `thresholds.fast_ms`")
    answered: int


class PairHint(BaseModel):
    players: list[PlayerRef]
    shared: int = Field(description="questions both answered (polls left out)")
    matching: int = Field(description="of those, the same answer within `thresholds.pair_gap_ms`")
    identical_wrong: int = Field(description="matching answers that were wrong")
    median_gap_ms: float


class IntegrityThresholds(BaseModel):
    fast_ms: int
    pair_gap_ms: int
    pair_share: float
    pair_min_questions: int
    pair_max_players: int


INTEGRITY_EXAMPLE: dict[str, Any] = {
    "game_id": 41,
    "complete": True,
    "thresholds": {
        "fast_ms": 250,
        "pair_gap_ms": 300,
        "pair_share": 0.9,
        "pair_min_questions": 4,
        "pair_max_players": 500,
    },
    "fast_answers": [{"player": "p7", "nickname": "Zed", "question": 3, "reaction_ms": 120}],
    "fast_players": [{"player": "p7", "nickname": "Zed", "count": 1, "answered": 10}],
    "similar_pairs": [
        {
            "players": [{"player": "p2", "nickname": "Ann"}, {"player": "p5", "nickname": "Bo"}],
            "shared": 10,
            "matching": 10,
            "identical_wrong": 3,
            "median_gap_ms": 85.0,
        },
    ],
    "pairs_checked": True,
    "join_bursts_checked": False,
    "notes": ["join addresses are not recorded, so bursts of joins from one address are not checked"],
}


class GameIntegrity(BaseModel):
    """Hints for the host to look at; nothing here bans anyone or changes a score."""

    game_id: int
    complete: bool
    thresholds: IntegrityThresholds
    fast_answers: list[FastAnswerHint] = Field(description="answers faster than anyone reads, by player")
    fast_players: list[FastPlayerHint] = Field(
        description="players with fast answers, most first (then by nickname)"
    )
    similar_pairs: list[PairHint] = Field(
        description="near-identical answers and timings, most matching first"
    )
    pairs_checked: bool = Field(description="false past `thresholds.pair_max_players` ranked players")
    join_bursts_checked: bool = Field(description="always false: join addresses are not recorded")
    notes: list[str]

    model_config = ConfigDict(json_schema_extra={"examples": [INTEGRITY_EXAMPLE]})
