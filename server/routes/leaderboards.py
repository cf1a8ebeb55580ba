"""Leaderboards REST area: users by XP (all time or a calendar period in UTC) and by their best
score in a quiz's games. Public; a quiz's board follows the quiz's visibility."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from persistence.levels import level_for
from persistence.repositories.leaderboards import Period, Ranked, Window, period_window
from server.api import Api
from server.auth import is_admin, optional_user
from server.errors import NotFound
from server.paging import Limit, Offset, path_id

api = Api("leaderboards")


class LeaderboardQuery(BaseModel):
    """Which period and how many lines."""

    model_config = ConfigDict(extra="ignore")

    period: Period = "all"
    limit: Limit = 10
    offset: Offset = 0


class UserRef(BaseModel):
    id: int
    username: str


class XpEntry(BaseModel):
    rank: int
    user: UserRef
    xp: int
    level: int | None = None  # all time only: a period's XP is not a level


class ScoreEntry(BaseModel):
    rank: int
    user: UserRef
    score: int


class QuizRef(BaseModel):
    id: int
    title: str


class GlobalLeaderboard(BaseModel):
    period: Period
    since: datetime | None = Field(description="where the period starts (UTC); null for all time")
    until: datetime | None = Field(description="where the period ends, excluded; null for all time")
    items: list[XpEntry]
    total: int
    limit: int
    offset: int


class QuizLeaderboard(BaseModel):
    period: Period
    since: datetime | None
    until: datetime | None
    quiz: QuizRef
    items: list[ScoreEntry]
    total: int
    limit: int
    offset: int


def _bounds(window: Window | None) -> dict[str, datetime | None]:
    if window is None:
        return {"since": None, "until": None}
    return {"since": window.start, "until": window.end}


def _xp_entry(line: Ranked, all_time: bool) -> XpEntry:
    level = level_for(line.value) if all_time else None
    return XpEntry(
        rank=line.rank, user=UserRef(id=line.user_id, username=line.username), xp=line.value, level=level
    )


@api.get(
    "/leaderboards/global",
    "Users ranked by XP, all time or in this day, week or month (UTC)",
    query=LeaderboardQuery,
    response=GlobalLeaderboard,
)
async def global_leaderboard(request: Request, query: LeaderboardQuery) -> GlobalLeaderboard:
    """All time ranks by total XP; a period by the XP earned in it (weeks start on Monday).
    Equal XP shares a rank. Users with no XP in the period are not listed."""
    window = period_window(query.period, datetime.now(UTC))
    async with request.app.state.db.uow() as uow:
        lines, total = await uow.leaderboards.global_xp(window, query.limit, query.offset)
    items = [_xp_entry(line, window is None) for line in lines]
    return GlobalLeaderboard(
        period=query.period,
        **_bounds(window),
        items=items,
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


@api.get(
    "/leaderboards/quizzes/{id:int}",
    "Signed-in players ranked by their best score in a quiz's games",
    query=LeaderboardQuery,
    response=QuizLeaderboard,
    optional_auth=True,
)
async def quiz_leaderboard(request: Request, query: LeaderboardQuery) -> QuizLeaderboard:
    """Each player's best score in the quiz's games that ended in the period. Published quizzes
    have public boards; a draft's board is for its owner and admins (others get 404)."""
    quiz_id = path_id(request, "No such quiz")
    user = await optional_user(request)
    window = period_window(query.period, datetime.now(UTC))
    async with request.app.state.db.uow() as uow:
        quiz = await uow.quizzes.get(quiz_id)
        if quiz is None or not (quiz.published or is_admin(user) or (user and user.id == quiz.owner_id)):
            raise NotFound("No such quiz")
        lines, total = await uow.leaderboards.quiz_scores(quiz.id, window, query.limit, query.offset)
        title = quiz.title
    items = [
        ScoreEntry(rank=line.rank, user=UserRef(id=line.user_id, username=line.username), score=line.value)
        for line in lines
    ]
    return QuizLeaderboard(
        period=query.period,
        **_bounds(window),
        quiz=QuizRef(id=quiz_id, title=title),
        items=items,
        total=total,
        limit=query.limit,
        offset=query.offset,
    )
