"""Indexes for the leaderboards and the results queries.

- `ix_users_xp`: the all-time leaderboard reads users by XP, highest first, up to its limit.
- `ix_xp_events_created_at_user_amount` replaces `ix_xp_events_created_at_user`: a period's
  leaderboard sums XP by user over a time range, answered from the index alone.
- `ix_games_quiz_id_ended_at` replaces `ix_games_quiz_id`: a quiz's leaderboard looks at the quiz's
  games that ended in a period (the quiz_id prefix still serves the foreign key).

The badge catalogue is not data of this migration: the app brings the `badges` table in line with
`persistence.badges.CATALOGUE` at start-up (insert missing codes, update changed rules), so that the
rules live in one place and tests built from the models get the same catalogue.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_xp", ["xp"], unique=False)
    with op.batch_alter_table("xp_events", schema=None) as batch_op:
        batch_op.drop_index("ix_xp_events_created_at_user")
        batch_op.create_index(
            "ix_xp_events_created_at_user_amount", ["created_at", "user_id", "amount"], unique=False
        )
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_index("ix_games_quiz_id")
        batch_op.create_index("ix_games_quiz_id_ended_at", ["quiz_id", "ended_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_index("ix_games_quiz_id_ended_at")
        batch_op.create_index("ix_games_quiz_id", ["quiz_id"], unique=False)
    with op.batch_alter_table("xp_events", schema=None) as batch_op:
        batch_op.drop_index("ix_xp_events_created_at_user_amount")
        batch_op.create_index("ix_xp_events_created_at_user", ["created_at", "user_id"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_xp")
