"""Played sessions: a game with its quiz snapshot, its players and every answer they gave."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from persistence.models.base import Base, JSONDoc, utcnow


class Game(Base):
    """A live session or duel; `quiz_snapshot` is the quiz as it was at creation."""

    __tablename__ = "games"
    __table_args__ = (
        Index("ix_games_pin_status", "pin", "status"),
        # A quiz's leaderboard looks at the quiz's games that ended in a period.
        Index("ix_games_quiz_id_ended_at", "quiz_id", "ended_at"),
        # A host's analytics: their games that ended in a range.
        Index("ix_games_host_id_ended_at", "host_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="quiz")  # quiz, duel, assignment
    pin: Mapped[str] = mapped_column(String(6))
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id", ondelete="SET NULL"))
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    quiz_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    status: Mapped[str] = mapped_column(String(16), default="lobby")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None] = mapped_column(index=True)


class GamePlayer(Base):
    """A player's final standing in a game; `user_id` is set when they played signed in."""

    __tablename__ = "game_players"
    __table_args__ = (UniqueConstraint("game_id", "player_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"))
    player_key: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    nickname: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(default=0)
    rank: Mapped[int | None]
    correct_count: Mapped[int] = mapped_column(default=0)


class Answer(Base):
    """One scored answer with its timing receipt (epoch ms), so a player can see why they got their points."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("game_player_id", "question_index"),
        # A game's answers by question; with the columns the per-question analytics sum, so those
        # aggregates read the index alone (migration 0003).
        Index(
            "ix_answers_game_question_stats",
            "game_id",
            "question_index",
            "correct",
            "credited_ms",
            "game_player_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"))
    game_player_id: Mapped[int] = mapped_column(ForeignKey("game_players.id", ondelete="CASCADE"))
    question_index: Mapped[int]
    answer: Mapped[Any] = mapped_column(JSONDoc)
    correct: Mapped[bool]
    points: Mapped[int]
    streak: Mapped[int] = mapped_column(default=0)
    sent_ms: Mapped[int] = mapped_column(BigInteger)
    received_ms: Mapped[int] = mapped_column(BigInteger)
    rtt_ms: Mapped[int | None]
    credited_ms: Mapped[int]
