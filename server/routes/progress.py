"""Progress REST area: a user's XP, level, badges, streak and record (public), and the badge
catalogue (with a bearer token, which badges the caller holds)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from persistence.badges import current_streak
from persistence.levels import level_progress
from server.api import Api
from server.auth import optional_user
from server.errors import NotFound
from server.paging import Limit, Offset, path_id
from server.routes.leaderboards import UserRef

api = Api("progress")


class EarnedBadge(BaseModel):
    code: str
    name: str
    description: str
    awarded_at: datetime
    game_id: int | None


class DuelRecord(BaseModel):
    """Rated duels (two different accounts, no bot): the Elo rating and the tally."""

    won: int
    lost: int
    drawn: int
    rating: int = Field(description="Elo rating (K = 32); 1200 before the first rated duel")
    streak: int = Field(description="rated duels won in a row, up to now")
    best_streak: int
    played: int = Field(description="every finished duel, rated or not (against a bot or a guest)")


class Progress(BaseModel):
    user: UserRef
    xp: int
    level: int
    level_xp: int = Field(description="the XP at which the current level starts")
    next_level_xp: int = Field(description="the XP at which the next level starts")
    badges: list[EarnedBadge]
    streak_days: int = Field(
        description="consecutive UTC days with a finished game, up to today or yesterday"
    )
    games_played: int
    games_won: int = Field(description="games finished first among at least 2 players")
    duels: DuelRecord


@api.get("/users/{id:int}/progress", "A user's XP, level, badges, streak and record", response=Progress)
async def user_progress(request: Request) -> Progress:
    """Public: what a profile page shows. Badges oldest first, each with when it was earned."""
    user_id = path_id(request, "No such user")
    async with request.app.state.db.uow() as uow:
        user = await uow.users.get(user_id)
        if user is None:
            raise NotFound("No such user")
        awards = await uow.progress.awards(user.id)
        record = await uow.progress.record(user.id)
        duel = await uow.duels.record_of(user.id)
        duels_played = await uow.duels.played(user.id)
        uow.session.expunge_all()  # readable after the unit of work rolls back (see routes/games.py)
    level = level_progress(user.xp)
    return Progress(
        user=UserRef(id=user.id, username=user.username),
        xp=user.xp,
        level=level.level,
        level_xp=level.level_xp,
        next_level_xp=level.next_level_xp,
        badges=[
            EarnedBadge(
                code=award.badge.code,
                name=award.badge.name,
                description=award.badge.description,
                awarded_at=award.awarded_at,
                game_id=award.game_id,
            )
            for award in awards
        ],
        streak_days=current_streak(record.play_days, datetime.now(UTC).date()),
        games_played=record.games_played,
        games_won=record.games_won,
        duels=DuelRecord(
            won=duel.won,
            lost=duel.lost,
            drawn=duel.drawn,
            rating=duel.rating,
            streak=duel.streak,
            best_streak=duel.best_streak,
            played=duels_played,
        ),
    )


class BadgeQuery(BaseModel):
    """Paging of the catalogue (it is small; the list shape is the same as everywhere)."""

    model_config = ConfigDict(extra="ignore")

    limit: Limit = 100
    offset: Offset = 0


class CatalogueBadge(BaseModel):
    code: str
    name: str
    description: str
    rule: dict[str, Any]
    earned: bool | None = Field(default=None, description="with a bearer token: whether the caller holds it")
    awarded_at: datetime | None = None


class BadgeList(BaseModel):
    items: list[CatalogueBadge]
    total: int
    limit: int
    offset: int


@api.get(
    "/badges",
    "The badge catalogue, and with a token which badges the caller holds",
    query=BadgeQuery,
    response=BadgeList,
    optional_auth=True,
)
async def list_badges(request: Request, query: BadgeQuery) -> dict[str, Any]:
    """Every badge with its rule (data: see persistence/badges.py). With a bearer token each also
    says `earned` and, when earned, `awarded_at`."""
    user = await optional_user(request)
    async with request.app.state.db.uow() as uow:
        catalogue = await uow.progress.catalogue()
        held = {} if user is None else {a.badge.id: a.awarded_at for a in await uow.progress.awards(user.id)}
        uow.session.expunge_all()
    page = catalogue[query.offset : query.offset + query.limit]
    items = [
        CatalogueBadge(
            code=badge.code,
            name=badge.name,
            description=badge.description,
            rule=badge.rule,
            earned=None if user is None else badge.id in held,
            awarded_at=held.get(badge.id),
        )
        for badge in page
    ]
    listing = BadgeList(items=items, total=len(catalogue), limit=query.limit, offset=query.offset)
    return listing.model_dump(mode="json", exclude_none=True)  # no `earned` at all without a token
