"""XP events, badges (rules as data) with their awards, and duel ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from persistence.models.base import Base, JSONDoc, utcnow
from persistence.models.users import User


class XpEvent(Base):
    """XP granted to a user; unique per (user, game, reason) so a retried write cannot double it."""

    __tablename__ = "xp_events"
    __table_args__ = (
        UniqueConstraint("user_id", "game_id", "reason"),
        # Leaderboards by period sum XP by user over a time range: this index alone answers them.
        Index("ix_xp_events_created_at_user_amount", "created_at", "user_id", "amount"),
        # A player's XP per day over a range: this index alone answers it.
        Index("ix_xp_events_user_id_created_at", "user_id", "created_at", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    game_id: Mapped[int | None] = mapped_column(ForeignKey("games.id", ondelete="SET NULL"))
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The all-time leaderboard reads users by XP, highest first, and stops at its limit.
Index("ix_users_xp", User.xp)


class Badge(Base):
    """A badge in the catalogue; `rule` is data evaluated by pure functions."""

    __tablename__ = "badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


class BadgeAward(Base):
    """A badge earned by a user, once."""

    __tablename__ = "badge_awards"
    __table_args__ = (UniqueConstraint("user_id", "badge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    badge_id: Mapped[int] = mapped_column(ForeignKey("badges.id", ondelete="CASCADE"))
    game_id: Mapped[int | None] = mapped_column(ForeignKey("games.id", ondelete="SET NULL"))
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)


class DuelRating(Base):
    """A user's rated duels: their Elo rating and record (persistence/ratings.py); a row appears with
    the user's first rated duel."""

    __tablename__ = "duel_ratings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    rating: Mapped[int] = mapped_column(default=1200)
    wins: Mapped[int] = mapped_column(default=0)
    losses: Mapped[int] = mapped_column(default=0)
    draws: Mapped[int] = mapped_column(default=0)
    streak: Mapped[int] = mapped_column(default=0)  # rated wins in a row up to now
    best_streak: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# The duel leaderboard reads ratings highest first and stops at its limit.
Index("ix_duel_ratings_rating", DuelRating.rating)


class DuelResult(Base):
    """One account's side of a finished duel, written with the game's results: the history a
    profile lists, and the rating change when the duel was rated (null otherwise: a bot or a guest
    on the other seat)."""

    __tablename__ = "duel_results"
    __table_args__ = (
        UniqueConstraint("user_id", "game_id"),
        # A user's history, newest first.
        Index("ix_duel_results_user_id_played_at", "user_id", "played_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    played_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(8))  # won, lost, drawn
    score: Mapped[int]
    forfeited: Mapped[bool] = mapped_column(default=False)
    opponent_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opponent_nickname: Mapped[str] = mapped_column(String(64))
    opponent_bot: Mapped[bool] = mapped_column(default=False)
    opponent_score: Mapped[int]
    opponent_forfeited: Mapped[bool] = mapped_column(default=False)
    rating_before: Mapped[int | None]
    rating_after: Mapped[int | None]
