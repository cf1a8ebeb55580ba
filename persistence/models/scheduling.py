"""Scheduled sessions: a host's game of a quiz set for a time, with the users invited to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from persistence.models.base import Base, JSONDoc, utcnow


class ScheduledGame(Base):
    """A game to open at `starts_at`. `state`: `scheduled` until a node claims it, then `open` (with
    the game and its PIN), or `cancelled` by the host, or `failed` (the quiz went away; `failure`
    says why). This row, not a scheduler's memory, is what survives a restart."""

    __tablename__ = "scheduled_games"
    __table_args__ = (
        # The opener's question, every few seconds: which scheduled sessions are due.
        Index("ix_scheduled_games_state_starts_at", "state", "starts_at"),
        # A host's sessions, soonest first.
        Index("ix_scheduled_games_host_id_starts_at", "host_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))  # the quiz's title when scheduled
    settings: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    starts_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    game_id: Mapped[int | None] = mapped_column(ForeignKey("games.id", ondelete="SET NULL"))
    pin: Mapped[str | None] = mapped_column(String(6))
    opened_by: Mapped[str | None] = mapped_column(String(64))  # the node that claimed it
    opened_at: Mapped[datetime | None]
    failure: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScheduledInvite(Base):
    """A user invited to a scheduled session (by username, resolved when it was scheduled)."""

    __tablename__ = "scheduled_game_invites"
    # A user's upcoming sessions start from this index.
    __table_args__ = (Index("ix_scheduled_game_invites_user_id", "user_id"),)

    scheduled_game_id: Mapped[int] = mapped_column(
        ForeignKey("scheduled_games.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
