"""A user's progress: XP events, the badge catalogue and awards, and the record of games played, won
and on which days (duels: persistence/repositories/duels.py).

The methods that the results writer calls take many users at once: a finished room may hold
thousands of accounts, and a fixed handful of queries per game beats a handful per player.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from persistence.badges import BadgeSpec
from persistence.models import Badge, BadgeAward, Game, GamePlayer, User, XpEvent
from persistence.repositories.base import Repository

FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class Award:
    """A badge a user holds, with when (and in which game) it was earned."""

    badge: Badge
    awarded_at: datetime
    game_id: int | None


@dataclass(frozen=True, slots=True)
class Record:
    """A user's games: how many played and won, and on which UTC days."""

    games_played: int
    games_won: int
    play_days: set[date]


def _counted(user_ids: Collection[int]) -> list[ColumnElement[bool]]:
    """The seats that count for a record: in finished games, and ranked (kicked players are not)."""
    return [GamePlayer.user_id.in_(user_ids), GamePlayer.rank.is_not(None), Game.status == FINISHED]


class ProgressRepository(Repository[XpEvent]):
    """XP, badges and records; never commits."""

    model = XpEvent

    # ---- XP --------------------------------------------------------------------------------------

    async def grant_xp(self, grants: dict[int, int], game_id: int, reason: str, at: datetime) -> set[int]:
        """Records an XP event per `{user_id: amount}` and adds it to each user's total, except for
        users who hold a (user, game, reason) event already; returns who was granted now. A total
        moves only with a new event, so a retry cannot double it."""
        held = await self.session.scalars(
            select(XpEvent.user_id).where(
                XpEvent.game_id == game_id, XpEvent.reason == reason, XpEvent.user_id.in_(grants)
            )
        )
        granted_before = set(held.all())
        new = {user_id: amount for user_id, amount in grants.items() if user_id not in granted_before}
        if not new:
            return set()
        events = [
            {"user_id": user_id, "game_id": game_id, "amount": amount, "reason": reason, "created_at": at}
            for user_id, amount in new.items()
        ]
        await self.session.execute(insert(XpEvent), events)
        # An increment in SQL, not read-modify-write: two games finishing at once both count.
        users = cast(Table, User.__table__)  # the table, not the ORM entity: a plain executemany UPDATE
        increment = (
            update(users)
            .where(users.c.id == bindparam("uid"))
            .values(xp=users.c.xp + bindparam("amount"))
        )
        await self.session.execute(increment, [{"uid": u, "amount": a} for u, a in new.items()])
        return set(new)

    async def xp_of(self, user_ids: Collection[int]) -> dict[int, int]:
        rows = await self.session.execute(select(User.id, User.xp).where(User.id.in_(user_ids)))
        return {user_id: xp for user_id, xp in rows.all()}

    async def existing_users(self, user_ids: Iterable[int]) -> set[int]:
        """Which of `user_ids` still have an account (one may be deleted while its game runs)."""
        wanted = set(user_ids)
        if not wanted:
            return set()
        return set((await self.session.scalars(select(User.id).where(User.id.in_(wanted)))).all())

    # ---- badges ----------------------------------------------------------------------------------

    async def sync_catalogue(self, specs: Iterable[BadgeSpec]) -> None:
        """Brings the `badges` table in line with `specs`: adds missing codes, updates changed ones.
        Never deletes (awards refer to badges). Safe when several nodes start at once."""
        specs = list(specs)
        dialect = self.session.get_bind().dialect.name
        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        rows = [{"code": s.code, "name": s.name, "description": s.description, "rule": s.rule} for s in specs]
        if rows:
            await self.session.execute(
                dialect_insert(Badge).values(rows).on_conflict_do_nothing(index_elements=["code"])
            )
        stored = {badge.code: badge for badge in await self.catalogue()}
        for spec in specs:
            badge = stored[spec.code]
            if (badge.name, badge.description, badge.rule) != (spec.name, spec.description, spec.rule):
                badge.name, badge.description, badge.rule = spec.name, spec.description, spec.rule
        await self.session.flush()

    async def catalogue(self) -> Sequence[Badge]:
        return (await self.session.scalars(select(Badge).order_by(Badge.id))).all()

    async def awards(self, user_id: int) -> list[Award]:
        """The user's badges, oldest first."""
        rows = await self.session.execute(
            select(Badge, BadgeAward.awarded_at, BadgeAward.game_id)
            .join(BadgeAward, BadgeAward.badge_id == Badge.id)
            .where(BadgeAward.user_id == user_id)
            .order_by(BadgeAward.awarded_at, Badge.id)
        )
        return [Award(badge, awarded_at, game_id) for badge, awarded_at, game_id in rows.all()]

    async def held_badges(self, user_ids: Collection[int]) -> dict[int, set[int]]:
        """The badge ids each of `user_ids` holds."""
        rows = await self.session.execute(
            select(BadgeAward.user_id, BadgeAward.badge_id).where(BadgeAward.user_id.in_(user_ids))
        )
        held: dict[int, set[int]] = defaultdict(set)
        for user_id, badge_id in rows.all():
            held[user_id].add(badge_id)
        return held

    async def award(self, awards: Iterable[tuple[int, int]], game_id: int | None, at: datetime) -> None:
        """Awards each `(user_id, badge_id)`, earned in `game_id` at `at`."""
        rows = [
            {"user_id": user_id, "badge_id": badge_id, "game_id": game_id, "awarded_at": at}
            for user_id, badge_id in awards
        ]
        if rows:
            await self.session.execute(insert(BadgeAward), rows)

    # ---- record ----------------------------------------------------------------------------------

    async def games_played(self, user_ids: Collection[int]) -> dict[int, int]:
        """Finished games each user played (users with none are left out)."""
        rows = await self.session.execute(
            select(GamePlayer.user_id, func.count(func.distinct(GamePlayer.game_id)))
            .join(Game, Game.id == GamePlayer.game_id)
            .where(*_counted(user_ids))
            .group_by(GamePlayer.user_id)
        )
        return {user_id: count for user_id, count in rows.all() if user_id is not None}

    async def games_won(self, user_id: int) -> int:
        """Games the user finished first in, among at least two ranked players."""
        others = aliased(GamePlayer)
        ranked = (
            select(func.count(others.id))
            .where(others.game_id == GamePlayer.game_id, others.rank.is_not(None))
            .correlate(GamePlayer)
            .scalar_subquery()
        )
        return int(
            await self.session.scalar(
                select(func.count(func.distinct(GamePlayer.game_id)))
                .join(Game, Game.id == GamePlayer.game_id)
                .where(*_counted([user_id]), GamePlayer.rank == 1, ranked >= 2)
            )
            or 0
        )

    async def play_days(
        self, user_ids: Collection[int], since: datetime | None = None
    ) -> dict[int, set[date]]:
        """The UTC days on which each user finished a game (since `since`, when given)."""
        statement = (
            select(GamePlayer.user_id, Game.ended_at)
            .join(Game, Game.id == GamePlayer.game_id)
            .where(*_counted(user_ids), Game.ended_at.is_not(None))
            .distinct()
        )
        if since is not None:
            statement = statement.where(Game.ended_at >= since)
        days: dict[int, set[date]] = defaultdict(set)
        for user_id, ended in (await self.session.execute(statement)).all():
            if user_id is not None and ended is not None:  # both filtered in SQL; this tells the type
                days[user_id].add(ended.astimezone(UTC).date())
        return days

    async def record(self, user_id: int) -> Record:
        """What a profile shows besides XP and badges."""
        return Record(
            games_played=(await self.games_played([user_id])).get(user_id, 0),
            games_won=await self.games_won(user_id),
            play_days=(await self.play_days([user_id])).get(user_id, set()),
        )

    # ---- what one game earned, and who may be due a badge by the calendar -------------------------

    async def awards_in_game(self, game_id: int) -> list[tuple[int, Badge]]:
        """The badges earned with `game_id`, as (user_id, badge)."""
        rows = await self.session.execute(
            select(BadgeAward.user_id, Badge)
            .join(Badge, Badge.id == BadgeAward.badge_id)
            .where(BadgeAward.game_id == game_id)
            .order_by(BadgeAward.user_id, Badge.id)
        )
        return [(user_id, badge) for user_id, badge in rows.all()]

    async def xp_in_game(self, game_id: int) -> dict[int, int]:
        """The XP each user was granted for `game_id`."""
        rows = await self.session.execute(
            select(XpEvent.user_id, func.sum(XpEvent.amount))
            .where(XpEvent.game_id == game_id)
            .group_by(XpEvent.user_id)
        )
        return {user_id: int(amount or 0) for user_id, amount in rows.all()}

    async def players_since(self, since: datetime) -> set[int]:
        """Accounts with a counted game that ended since `since`."""
        rows = await self.session.scalars(
            select(GamePlayer.user_id)
            .join(Game, Game.id == GamePlayer.game_id)
            .where(
                GamePlayer.user_id.is_not(None),
                GamePlayer.rank.is_not(None),
                Game.status == FINISHED,
                Game.ended_at >= since,
            )
            .distinct()
        )
        return {user_id for user_id in rows.all() if user_id is not None}

    async def joined_before(self, when: datetime, lacking_any_of: Collection[int]) -> dict[int, datetime]:
        """Accounts created before `when` that played a counted game and lack at least one of the
        badges `lacking_any_of`, with when they joined."""
        if not lacking_any_of:
            return {}
        played = (
            select(GamePlayer.id)
            .join(Game, Game.id == GamePlayer.game_id)
            .where(GamePlayer.user_id == User.id, GamePlayer.rank.is_not(None), Game.status == FINISHED)
            .exists()
        )
        held = (
            select(func.count(BadgeAward.id))
            .where(BadgeAward.user_id == User.id, BadgeAward.badge_id.in_(lacking_any_of))
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(User.id, User.created_at).where(
                User.created_at < when, played, held < len(set(lacking_any_of))
            )
        )
        return {user_id: created for user_id, created in rows.all()}
