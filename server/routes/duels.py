"""Duels REST area: a user's duel history and the duel leaderboard by Elo rating. Public, like
the profile they belong to."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from persistence.models import DuelResult
from persistence.ratings import Outcome
from persistence.repositories.duels import RatedPlayer
from server.api import Api
from server.errors import NotFound
from server.paging import Limit, Offset, path_id
from server.routes.leaderboards import UserRef

api = Api("duels")


class DuelPage(BaseModel):
    """Which lines."""

    model_config = ConfigDict(extra="ignore")

    limit: Limit = 20
    offset: Offset = 0


class DuelOpponent(BaseModel):
    nickname: str
    bot: bool
    user: UserRef | None = Field(description="the opponent's account, when they played signed in")
    score: int
    forfeited: bool


class DuelEntry(BaseModel):
    game_id: int
    played_at: datetime
    outcome: Outcome
    score: int
    forfeited: bool = Field(description="this player left or stayed away past the grace period")
    opponent: DuelOpponent
    rated: bool = Field(description="both seats were different accounts and neither a bot")
    rating_before: int | None = Field(description="null when the duel was not rated")
    rating_after: int | None
    rating_change: int | None


class DuelHistory(BaseModel):
    user: UserRef
    items: list[DuelEntry]
    total: int
    limit: int
    offset: int


class RatingEntry(BaseModel):
    rank: int
    user: UserRef
    rating: int
    won: int
    lost: int
    drawn: int


class DuelLeaderboard(BaseModel):
    items: list[RatingEntry]
    total: int
    limit: int
    offset: int


def _entry(result: DuelResult, opponent_username: str | None) -> DuelEntry:
    opponent_user = None
    if result.opponent_user_id is not None and opponent_username is not None:
        opponent_user = UserRef(id=result.opponent_user_id, username=opponent_username)
    before, after = result.rating_before, result.rating_after
    change = None if before is None or after is None else after - before
    return DuelEntry(
        game_id=result.game_id,
        played_at=result.played_at,
        outcome=cast(Outcome, result.outcome),
        score=result.score,
        forfeited=result.forfeited,
        opponent=DuelOpponent(
            nickname=result.opponent_nickname,
            bot=result.opponent_bot,
            user=opponent_user,
            score=result.opponent_score,
            forfeited=result.opponent_forfeited,
        ),
        rated=change is not None,
        rating_before=before,
        rating_after=after,
        rating_change=change,
    )


@api.get("/users/{id:int}/duels", "A user's duels, newest first", query=DuelPage, response=DuelHistory)
async def duel_history(request: Request, query: DuelPage) -> DuelHistory:
    """Every finished duel of the user, rated or not: the opponent (a person or a bot), both scores,
    the outcome and, for a rated duel, the rating before and after."""
    user_id = path_id(request, "No such user")
    async with request.app.state.db.uow() as uow:
        user = await uow.users.get(user_id)
        if user is None:
            raise NotFound("No such user")
        rows, total = await uow.duels.history(user.id, query.limit, query.offset)
        items = [_entry(result, username) for result, username in rows]
        owner = UserRef(id=user.id, username=user.username)
    return DuelHistory(user=owner, items=items, total=total, limit=query.limit, offset=query.offset)


def _rating_entry(line: RatedPlayer) -> RatingEntry:
    record = line.record
    return RatingEntry(
        rank=line.rank,
        user=UserRef(id=line.user_id, username=line.username),
        rating=record.rating,
        won=record.won,
        lost=record.lost,
        drawn=record.drawn,
    )


@api.get(
    "/leaderboards/duels",
    "Users ranked by duel rating (Elo)",
    query=DuelPage,
    response=DuelLeaderboard,
)
async def duel_leaderboard(request: Request, query: DuelPage) -> DuelLeaderboard:
    """Users with at least one rated duel, highest rating first; equal ratings share a rank."""
    async with request.app.state.db.uow() as uow:
        lines, total = await uow.duels.leaderboard(query.limit, query.offset)
    return DuelLeaderboard(
        items=[_rating_entry(line) for line in lines], total=total, limit=query.limit, offset=query.offset
    )
