"""Quizzes with their questions and tags."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from persistence.models import Quiz
from persistence.repositories.base import Repository


class QuizRepository(Repository[Quiz]):
    model = Quiz

    async def get_full(self, quiz_id: int) -> Quiz | None:
        """The quiz with its questions and tags loaded (relationships never lazy-load)."""
        return await self.session.scalar(
            select(Quiz).where(Quiz.id == quiz_id).options(selectinload(Quiz.questions), selectinload(Quiz.tags))
        )
