"""Self-paced assignments: a quiz a host gives out with a due date, and the players who were given it.

Each player plays alone in a room of their own (a game of kind `assignment`); their result is that
game's, written by the ordinary results path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from persistence.models.base import Base, JSONDoc, utcnow


class Assignment(Base):
    """A quiz given out until `due_at`; `code` is the unguessable part of its shareable link and
    `quiz_snapshot` the quiz as it was when assigned, so every player plays the same questions."""

    __tablename__ = "assignments"
    __table_args__ = (
        # A host's assignments, newest first.
        Index("ix_assignments_host_id_created_at", "host_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    quiz_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    due_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reminded_at: Mapped[datetime | None]  # when the "due soon" notifications went out


class AssignmentPlayer(Base):
    """A player given an assignment (they opened its link signed in) and their attempt, once they
    start it: `game_id` is the room they play it in."""

    __tablename__ = "assignment_players"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    game_id: Mapped[int | None] = mapped_column(ForeignKey("games.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None]
