"""Duel records: whole-number Elo ratings with draws and win streaks, and each account's side of
every finished duel.

- `duel_ratings.rating` becomes an integer (persistence/ratings.py rounds every change), and gains
  `draws`, `streak` (rated wins in a row) and `best_streak`; `ix_duel_ratings_rating` serves the
  duel leaderboard, highest first.
- `duel_results`: one row per account per finished duel (opponent, scores, outcome, the rating
  before and after when rated), unique per (user, game) so a retried write cannot double it;
  `ix_duel_results_user_id_played_at` serves a user's history, newest first.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_COUNTERS = ("draws", "streak", "best_streak")


def upgrade() -> None:
    with op.batch_alter_table("duel_ratings", schema=None) as batch_op:
        batch_op.alter_column(
            "rating",
            existing_type=sa.Double(),
            type_=sa.Integer(),
            existing_nullable=False,
            postgresql_using="round(rating)::integer",
        )
        for name in NEW_COUNTERS:  # existing rows start at 0; new rows get theirs from the code
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_duel_ratings_rating", ["rating"], unique=False)
    with op.batch_alter_table("duel_ratings", schema=None) as batch_op:
        for name in NEW_COUNTERS:
            batch_op.alter_column(name, existing_type=sa.Integer(), server_default=None)
    op.create_table(
        "duel_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("played_at", persistence.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("forfeited", sa.Boolean(), nullable=False),
        sa.Column("opponent_user_id", sa.Integer(), nullable=True),
        sa.Column("opponent_nickname", sa.String(length=64), nullable=False),
        sa.Column("opponent_bot", sa.Boolean(), nullable=False),
        sa.Column("opponent_score", sa.Integer(), nullable=False),
        sa.Column("opponent_forfeited", sa.Boolean(), nullable=False),
        sa.Column("rating_before", sa.Integer(), nullable=True),
        sa.Column("rating_after", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["game_id"], ["games.id"], name=op.f("fk_duel_results_game_id_games"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["opponent_user_id"],
            ["users.id"],
            name=op.f("fk_duel_results_opponent_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_duel_results_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duel_results")),
        sa.UniqueConstraint("user_id", "game_id", name=op.f("uq_duel_results_user_id_game_id")),
    )
    with op.batch_alter_table("duel_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duel_results_game_id"), ["game_id"], unique=False)
        batch_op.create_index("ix_duel_results_user_id_played_at", ["user_id", "played_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("duel_results", schema=None) as batch_op:
        batch_op.drop_index("ix_duel_results_user_id_played_at")
        batch_op.drop_index(batch_op.f("ix_duel_results_game_id"))
    op.drop_table("duel_results")
    with op.batch_alter_table("duel_ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_duel_ratings_rating")
        for name in reversed(NEW_COUNTERS):
            batch_op.drop_column(name)
        batch_op.alter_column("rating", existing_type=sa.Integer(), type_=sa.Double(), existing_nullable=False)
