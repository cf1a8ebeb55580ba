"""Unit of work: one session, one transaction, the repositories that share it.

Repositories never commit; whoever opened the unit of work (a request, the results writer) does.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from persistence.repositories.analytics import AnalyticsRepository
from persistence.repositories.assignments import AssignmentRepository
from persistence.repositories.duels import DuelRepository
from persistence.repositories.games import GameRepository
from persistence.repositories.leaderboards import LeaderboardRepository
from persistence.repositories.notifications import NotificationRepository
from persistence.repositories.progress import ProgressRepository
from persistence.repositories.quizzes import QuizRepository
from persistence.repositories.scheduling import ScheduledGameRepository
from persistence.repositories.users import RefreshTokenRepository, UserRepository


class UnitOfWork:
    """`async with db.uow() as uow: ...; await uow.commit()` — leaving without commit rolls back."""

    session: AsyncSession

    def __init__(self, sessionmaker: async_sessionmaker):
        self._sessionmaker = sessionmaker

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessionmaker()
        self.users = UserRepository(self.session)
        self.refresh_tokens = RefreshTokenRepository(self.session)
        self.quizzes = QuizRepository(self.session)
        self.games = GameRepository(self.session)
        self.progress = ProgressRepository(self.session)
        self.duels = DuelRepository(self.session)
        self.leaderboards = LeaderboardRepository(self.session)
        self.analytics = AnalyticsRepository(self.session)
        self.assignments = AssignmentRepository(self.session)
        self.scheduled = ScheduledGameRepository(self.session)
        self.notifications = NotificationRepository(self.session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
