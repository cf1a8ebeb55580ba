"""Quizzes with their questions and tags: loading, a filtered page of summaries, replacing the content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from persistence.models import Question, Quiz, QuizTag, User, utcnow
from persistence.repositories.base import Repository

QuizSort = Literal["-updated_at", "updated_at", "-created_at", "created_at", "title", "-title"]

# The allow-list of sort orders; the id breaks ties so that pages never overlap or skip.
_ORDER_BY: dict[str, tuple[Any, ...]] = {
    "-updated_at": (Quiz.updated_at.desc(), Quiz.id.desc()),
    "updated_at": (Quiz.updated_at.asc(), Quiz.id.asc()),
    "-created_at": (Quiz.created_at.desc(), Quiz.id.desc()),
    "created_at": (Quiz.created_at.asc(), Quiz.id.asc()),
    "title": (func.lower(Quiz.title).asc(), Quiz.id.asc()),
    "-title": (func.lower(Quiz.title).desc(), Quiz.id.desc()),
}
_LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class QuizFilter:
    """Which quizzes a listing shows; every condition given must hold."""

    text: str | None = None  # in the title or the description, case-insensitive
    tag: str | None = None  # one normalised tag
    owner_id: int | None = None
    published_only: bool = True


@dataclass(frozen=True)
class QuizListing:
    """One row of a listing: the quiz (tags loaded, questions not) and what a summary adds to it."""

    quiz: Quiz
    owner_username: str
    question_count: int


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with the wildcards in `text` taken literally."""
    escaped = text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filters: QuizFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.published_only:
        conditions.append(Quiz.published.is_(True))
    if filters.owner_id is not None:
        conditions.append(Quiz.owner_id == filters.owner_id)
    if filters.tag is not None:
        conditions.append(exists().where(QuizTag.quiz_id == Quiz.id, QuizTag.tag == filters.tag))
    if filters.text:
        # lower() on both sides keeps this portable (no ILIKE on SQLite); SQLite folds ASCII only.
        pattern = like_pattern(filters.text.lower())
        conditions.append(
            or_(
                func.lower(Quiz.title).like(pattern, escape=_LIKE_ESCAPE),
                func.lower(Quiz.description).like(pattern, escape=_LIKE_ESCAPE),
            )
        )
    return conditions


class QuizRepository(Repository[Quiz]):
    """Data access for quizzes; never commits."""

    model = Quiz

    async def get_full(self, quiz_id: int) -> Quiz | None:
        """The quiz with its questions and tags loaded (relationships never lazy-load)."""
        return await self.session.scalar(self._full().where(Quiz.id == quiz_id))

    async def get_with_owner(self, quiz_id: int, for_update: bool = False) -> tuple[Quiz, User] | None:
        """The quiz (questions and tags loaded) and its owner.

        `for_update` locks the quiz row until the transaction ends (PostgreSQL; SQLite has one writer
        anyway), so two edits of one quiz run one after the other instead of deleting the same rows.
        """
        statement = (
            self._full().add_columns(User).join(User, User.id == Quiz.owner_id).where(Quiz.id == quiz_id)
        )
        if for_update:
            statement = statement.with_for_update(of=Quiz)
        row = (await self.session.execute(statement)).first()
        return None if row is None else (row[0], row[1])

    async def page(
        self, filters: QuizFilter, sort: QuizSort, limit: int, offset: int
    ) -> tuple[list[QuizListing], int]:
        """One page of matching quizzes in `sort` order, and how many match in all (both counted in SQL)."""
        conditions = _conditions(filters)
        total = await self.session.scalar(select(func.count()).select_from(Quiz).where(*conditions))
        question_count = (
            select(func.count(Question.id))
            .where(Question.quiz_id == Quiz.id)
            .correlate(Quiz)
            .scalar_subquery()
        )
        statement = (
            select(Quiz, User.username, question_count)
            .join(User, User.id == Quiz.owner_id)
            .where(*conditions)
            .order_by(*_ORDER_BY[sort])
            .limit(limit)
            .offset(offset)
            .options(selectinload(Quiz.tags))
        )
        rows = (await self.session.execute(statement)).all()
        return [QuizListing(quiz, username, count) for quiz, username, count in rows], int(total or 0)

    async def create(self, quiz: Quiz, questions: list[Question], tags: list[QuizTag]) -> Quiz:
        """Adds a new quiz with its content; the quiz comes back with ids, timestamps and content loaded."""
        quiz.questions = questions
        quiz.tags = tags
        return await self.add(quiz)

    async def replace_content(self, quiz: Quiz, questions: list[Question], tags: list[QuizTag]) -> None:
        """Replaces every question and tag of a loaded quiz (from `get_full`) and marks it updated."""
        # Delete the old rows first: the unit of work would insert the new ones before deleting
        # the orphans, and (quiz_id, position) and (quiz_id, tag) are unique.
        quiz.questions.clear()
        quiz.tags.clear()
        await self.session.flush()
        quiz.questions.extend(questions)
        quiz.tags.extend(tags)
        quiz.updated_at = utcnow()  # onupdate alone misses a change to the questions only
        await self.session.flush()

    @staticmethod
    def _full() -> Select[Quiz]:
        return select(Quiz).options(selectinload(Quiz.questions), selectinload(Quiz.tags))
