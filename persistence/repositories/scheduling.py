"""Scheduled sessions: add with invites, list a host's and a user's upcoming ones, find the due
ones and claim one for opening (a conditional UPDATE, so two nodes never both open it)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import aliased

from persistence.models import Game, ScheduledGame, ScheduledInvite, User
from persistence.repositories.base import Repository

SCHEDULED, OPEN, CANCELLED, FAILED = "scheduled", "open", "cancelled", "failed"


@dataclass(frozen=True, slots=True)
class Upcoming:
    """A scheduled session as a user sees it: with its host's name and whether the caller hosts it."""

    session: ScheduledGame
    host_name: str
    hosting: bool


class ScheduledGameRepository(Repository[ScheduledGame]):
    """Scheduled sessions and their invites; never commits."""

    model = ScheduledGame

    async def add_with_invites(self, session: ScheduledGame, user_ids: Collection[int]) -> ScheduledGame:
        await self.add(session)
        if user_ids:
            await self.session.execute(
                insert(ScheduledInvite), [{"scheduled_game_id": session.id, "user_id": u} for u in user_ids]
            )
        return session

    async def invitees(self, session_ids: Collection[int]) -> dict[int, list[User]]:
        """The users invited to each session, by username."""
        if not session_ids:
            return {}
        rows = await self.session.execute(
            select(ScheduledInvite.scheduled_game_id, User)
            .join(User, User.id == ScheduledInvite.user_id)
            .where(ScheduledInvite.scheduled_game_id.in_(session_ids))
            .order_by(User.username_key)
        )
        found: dict[int, list[User]] = {session_id: [] for session_id in session_ids}
        for session_id, user in rows.all():
            found[session_id].append(user)
        return found

    async def of_host(self, host_id: int, limit: int, offset: int) -> tuple[list[ScheduledGame], int]:
        """A host's sessions, the latest start first."""
        mine = ScheduledGame.host_id == host_id
        total = int(
            await self.session.scalar(select(func.count()).select_from(ScheduledGame).where(mine)) or 0
        )
        rows = await self.session.scalars(
            select(ScheduledGame)
            .where(mine)
            .order_by(ScheduledGame.starts_at.desc(), ScheduledGame.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(rows.all()), total

    async def upcoming(self, user_id: int, limit: int, offset: int) -> tuple[list[Upcoming], int]:
        """Sessions the user hosts or is invited to that have not happened yet: still scheduled, or
        open with their game live; soonest first."""
        invited = select(ScheduledInvite.scheduled_game_id).where(ScheduledInvite.user_id == user_id)
        host = aliased(User)
        ahead = or_(
            ScheduledGame.state == SCHEDULED,
            (ScheduledGame.state == OPEN) & (Game.status == "live"),
        )
        mine = or_(ScheduledGame.host_id == user_id, ScheduledGame.id.in_(invited))
        base = (
            select(ScheduledGame, host.username)
            .join(host, host.id == ScheduledGame.host_id)
            .outerjoin(Game, Game.id == ScheduledGame.game_id)
            .where(mine, ahead)
        )
        total = int(await self.session.scalar(select(func.count()).select_from(base.subquery())) or 0)
        rows = await self.session.execute(
            base.order_by(ScheduledGame.starts_at, ScheduledGame.id).limit(limit).offset(offset)
        )
        return [Upcoming(session, name, session.host_id == user_id) for session, name in rows.all()], total

    async def due(self, now: datetime, limit: int, exclude: Collection[int] = ()) -> Sequence[int]:
        """Ids of the sessions due to open at `now` (but `exclude`), the earliest first."""
        rows = await self.session.scalars(
            select(ScheduledGame.id)
            .where(
                ScheduledGame.state == SCHEDULED,
                ScheduledGame.starts_at <= now,
                ScheduledGame.id.not_in(exclude),
            )
            .order_by(ScheduledGame.starts_at, ScheduledGame.id)
            .limit(limit)
        )
        return rows.all()

    async def claim(self, session_id: int, node_id: str, now: datetime) -> ScheduledGame | None:
        """Takes a due session for opening: state `scheduled` -> `open`, in the caller's transaction.
        On PostgreSQL a second claimer waits on the row lock and then matches nothing; SQLite has one
        writer. None when someone else claimed (or the host cancelled) it first."""
        claimed = await self.session.scalar(
            update(ScheduledGame)
            .where(ScheduledGame.id == session_id, ScheduledGame.state == SCHEDULED)
            .values(state=OPEN, opened_by=node_id, opened_at=now)
            .returning(ScheduledGame.id)
        )
        if claimed is None:
            return None
        return await self.session.get(ScheduledGame, session_id, populate_existing=True)

    async def cancel(self, session_id: int) -> bool:
        """Cancels a session that has not opened; False when it already has (or is cancelled)."""
        result = await self.session.execute(
            update(ScheduledGame)
            .where(ScheduledGame.id == session_id, ScheduledGame.state == SCHEDULED)
            .values(state=CANCELLED),
            execution_options={"synchronize_session": False},
        )
        return bool(getattr(result, "rowcount", 0))
