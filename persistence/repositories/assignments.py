"""Assignments, the players given them, and each player's attempt as the games tables record it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from persistence.models import Answer, Assignment, AssignmentPlayer, Game, GamePlayer, User
from persistence.repositories.base import Repository


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """A player given an assignment, with their attempt's game and, once its results are written,
    their seat in it: score, questions right and the credited time the ranking breaks ties with."""

    assignment_id: int
    user_id: int
    username: str
    opened_at: datetime
    started_at: datetime | None
    game_id: int | None
    game_status: str | None
    score: int | None  # None: no seat in a finished game (not played, or not written yet)
    correct_count: int
    credited_ms: int


class AssignmentRepository(Repository[Assignment]):
    """Assignments and their players; never commits."""

    model = Assignment

    async def by_code(self, code: str) -> Assignment | None:
        return await self.session.scalar(select(Assignment).where(Assignment.code == code))

    async def player(self, assignment_id: int, user_id: int) -> AssignmentPlayer | None:
        query = select(AssignmentPlayer).where(
            AssignmentPlayer.assignment_id == assignment_id, AssignmentPlayer.user_id == user_id
        )
        return await self.session.scalar(query.execution_options(populate_existing=True))

    async def claim(
        self, assignment_id: int, user_id: int, seen: int | None, game_id: int, now: datetime
    ) -> bool:
        """Point the player's attempt at `game_id` if it still points at `seen` (the game read
        before, or none): a compare-and-set, so of two requests starting the same attempt at once
        exactly one wins, on SQLite as on PostgreSQL. False when another request got there first."""
        current = AssignmentPlayer.game_id
        result = await self.session.execute(
            update(AssignmentPlayer)
            .where(
                AssignmentPlayer.assignment_id == assignment_id,
                AssignmentPlayer.user_id == user_id,
                current.is_(None) if seen is None else current == seen,
            )
            .values(game_id=game_id, started_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def give(self, assignment_id: int, user_id: int, now: datetime) -> AssignmentPlayer:
        """The player's row, added when they first open the assignment: one insert that does nothing
        when the row is there (two requests at once add one), then the row."""
        dialect = self.session.get_bind().dialect.name
        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await self.session.execute(
            dialect_insert(AssignmentPlayer)
            .values(assignment_id=assignment_id, user_id=user_id, opened_at=now)
            .on_conflict_do_nothing(index_elements=["assignment_id", "user_id"])
        )
        found = await self.player(assignment_id, user_id)
        assert found is not None
        return found

    async def of_host(self, host_id: int, limit: int, offset: int) -> tuple[Sequence[Assignment], int]:
        """The host's assignments, newest first, and how many there are."""
        return await self._page(Assignment.host_id == host_id, Assignment.created_at.desc(), limit, offset)

    async def of_player(self, user_id: int, limit: int, offset: int) -> tuple[Sequence[Assignment], int]:
        """The assignments `user_id` was given, latest due date first, and how many there are."""
        given = Assignment.id.in_(
            select(AssignmentPlayer.assignment_id).where(AssignmentPlayer.user_id == user_id)
        )
        return await self._page(given, Assignment.due_at.desc(), limit, offset)

    async def _page(
        self, where: ColumnElement[bool], order: ColumnElement, limit: int, offset: int
    ) -> tuple[Sequence[Assignment], int]:
        total = int(await self.session.scalar(select(func.count()).select_from(Assignment).where(where)) or 0)
        rows = await self.session.scalars(
            select(Assignment).where(where).order_by(order, Assignment.id.desc()).limit(limit).offset(offset)
        )
        return rows.all(), total

    async def attempts(self, assignment_ids: Sequence[int]) -> list[AttemptRecord]:
        """Every player of these assignments with their attempt, from the games tables, in the order
        they opened it."""
        if not assignment_ids:
            return []
        credited = (
            select(func.coalesce(func.sum(Answer.credited_ms), 0))
            .where(Answer.game_player_id == GamePlayer.id)
            .correlate(GamePlayer)
            .scalar_subquery()
        )
        seat = and_(
            GamePlayer.game_id == AssignmentPlayer.game_id,
            GamePlayer.user_id == AssignmentPlayer.user_id,
            Game.status == "finished",
        )
        rows = await self.session.execute(
            select(
                AssignmentPlayer,
                User.username,
                Game.status,
                GamePlayer.score,
                GamePlayer.correct_count,
                credited,
            )
            .join(User, User.id == AssignmentPlayer.user_id)
            .outerjoin(Game, Game.id == AssignmentPlayer.game_id)
            .outerjoin(GamePlayer, seat)
            .where(AssignmentPlayer.assignment_id.in_(assignment_ids))
            .order_by(AssignmentPlayer.opened_at, AssignmentPlayer.id)
            .execution_options(populate_existing=True)
        )
        return [
            AttemptRecord(
                assignment_id=player.assignment_id,
                user_id=player.user_id,
                username=username,
                opened_at=player.opened_at,
                started_at=player.started_at,
                game_id=player.game_id,
                game_status=status,
                score=score,
                correct_count=correct or 0,
                credited_ms=int(ms or 0),
            )
            for player, username, status, score, correct, ms in rows
        ]

    async def due_between(self, start: datetime, end: datetime) -> Sequence[Assignment]:
        """Assignments due in [start, end) whose reminders have not gone out."""
        rows = await self.session.scalars(
            select(Assignment).where(
                Assignment.due_at >= start, Assignment.due_at < end, Assignment.reminded_at.is_(None)
            )
        )
        return rows.all()
