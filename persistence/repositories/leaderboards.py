"""Leaderboards, aggregated in SQL: users by XP (all time, or summed from XP events in a calendar
period) and by their best score in a quiz's games in a period. Each page is one grouped, ordered,
limited query; ranks are competition style (1, 2, 2, 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Select, func, select

from persistence.models import Game, GamePlayer, User, XpEvent
from persistence.repositories.base import Repository

Period = Literal["all", "month", "week", "day"]


@dataclass(frozen=True, slots=True)
class Window:
    """A calendar period in UTC: from `start` (included) to `end` (excluded)."""

    start: datetime
    end: datetime


def period_window(period: Period, now: datetime) -> Window | None:
    """The calendar period (in UTC) holding `now`; None for all time. Weeks start on Monday (ISO
    8601). Queries bound both ends, which also tells SQLite's planner that the range is narrow."""
    if period == "all":
        return None
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return Window(day, day + timedelta(days=1))
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return Window(monday, monday + timedelta(days=7))
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Window(first, following)


@dataclass(frozen=True, slots=True)
class Ranked:
    """One leaderboard line: the user and the value they are ranked by (XP or score)."""

    rank: int
    user_id: int
    username: str
    value: int


class LeaderboardRepository(Repository[User]):
    """Read-only ranking queries."""

    model = User

    async def global_xp(self, window: Window | None, limit: int, offset: int = 0) -> tuple[list[Ranked], int]:
        """Users by XP: their total (all time, read off `users.xp` along its index) or the XP
        events in `window`. Users with no XP in the period are not ranked."""
        if window is None:
            source = select(User.id.label("user_id"), User.username, User.xp.label("value")).where(
                User.xp > 0
            )
        else:
            earned = func.sum(XpEvent.amount)
            totals = (
                select(XpEvent.user_id, earned.label("value"))
                .where(XpEvent.created_at >= window.start, XpEvent.created_at < window.end)
                .group_by(XpEvent.user_id)
                .having(earned > 0)
                .subquery()
            )
            source = select(totals.c.user_id, User.username, totals.c.value).join(
                User, User.id == totals.c.user_id
            )
        return await self.ranked_page(source, limit, offset)

    async def quiz_scores(
        self, quiz_id: int, window: Window | None, limit: int, offset: int = 0
    ) -> tuple[list[Ranked], int]:
        """Signed-in players by their best score in the quiz's games that ended in `window`."""
        conditions = [
            Game.quiz_id == quiz_id,
            Game.status == "finished",
            GamePlayer.user_id.is_not(None),
            GamePlayer.rank.is_not(None),  # kicked players are off the board
        ]
        if window is not None:
            conditions += [Game.ended_at >= window.start, Game.ended_at < window.end]
        best = (
            select(GamePlayer.user_id, func.max(GamePlayer.score).label("value"))
            .join(Game, Game.id == GamePlayer.game_id)
            .where(*conditions)
            .group_by(GamePlayer.user_id)
            .subquery()
        )
        source = select(best.c.user_id, User.username, best.c.value).join(User, User.id == best.c.user_id)
        return await self.ranked_page(source, limit, offset)

    async def ranked_page(
        self, source: Select[*tuple[Any, ...]], limit: int, offset: int
    ) -> tuple[list[Ranked], int]:
        """One page of `source` (user_id, username, value) by value, highest first, with ranks."""
        columns = source.selected_columns
        whole = source.subquery()
        total = int(await self.session.scalar(select(func.count()).select_from(whole)) or 0)
        # Among equals the user id decides the order, only so that pages never overlap or skip.
        ordered = source.order_by(columns.value.desc(), columns.user_id).limit(limit).offset(offset)
        rows = (await self.session.execute(ordered)).all()
        if not rows:
            return [], total
        rank = 1
        if offset:  # the page's first rank: one more than everyone strictly ahead of it
            ahead = select(func.count()).select_from(whole).where(whole.c.value > rows[0].value)
            rank = 1 + int(await self.session.scalar(ahead) or 0)
        entries: list[Ranked] = []
        for position, row in enumerate(rows):
            if position and row.value != rows[position - 1].value:
                rank = offset + position + 1
            entries.append(Ranked(rank, row.user_id, row.username, int(row.value)))
        return entries, total
