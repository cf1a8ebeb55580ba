"""Indexes for the analytics queries.

- `ix_answers_game_question_stats` replaces `ix_answers_game_question`: a quiz's per-question
  aggregates (attempts, correct, credited time, the seat for item analysis) read the index alone;
  its (game_id, question_index) prefix still serves the game reports and the foreign key.
- `ix_games_host_id_ended_at` replaces `ix_games_host_id`: a host's games that ended in a range.
- `ix_xp_events_user_id_created_at`: a player's XP per day over a range, from the index alone.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index("ix_answers_game_question")
        batch_op.create_index(
            "ix_answers_game_question_stats",
            ["game_id", "question_index", "correct", "credited_ms", "game_player_id"],
            unique=False,
        )
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_index("ix_games_host_id")
        batch_op.create_index("ix_games_host_id_ended_at", ["host_id", "ended_at"], unique=False)
    with op.batch_alter_table("xp_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_xp_events_user_id_created_at", ["user_id", "created_at", "amount"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("xp_events", schema=None) as batch_op:
        batch_op.drop_index("ix_xp_events_user_id_created_at")
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_index("ix_games_host_id_ended_at")
        batch_op.create_index("ix_games_host_id", ["host_id"], unique=False)
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index("ix_answers_game_question_stats")
        batch_op.create_index("ix_answers_game_question", ["game_id", "question_index"], unique=False)
