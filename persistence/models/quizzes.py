"""Quizzes, their questions and tags: the authored content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from persistence.models.base import Base, JSONDoc, utcnow


class Quiz(Base):
    """A quiz as its author wrote it; games play a snapshot of it."""

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    questions: Mapped[list[Question]] = relationship(
        order_by="Question.position", cascade="all, delete-orphan", lazy="raise", passive_deletes=True
    )
    tags: Mapped[list[QuizTag]] = relationship(
        order_by="QuizTag.position", cascade="all, delete-orphan", lazy="raise", passive_deletes=True
    )


class Question(Base):
    """One question; `payload` holds the kind-specific part of the quiz document."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("quiz_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    time_limit: Mapped[int] = mapped_column(default=20)
    points: Mapped[int] = mapped_column(default=1000)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)


class QuizTag(Base):
    """A tag of a quiz, one row each so that tag filters use an index."""

    __tablename__ = "quiz_tags"
    __table_args__ = (UniqueConstraint("quiz_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(40), index=True)
    position: Mapped[int] = mapped_column(default=0)
