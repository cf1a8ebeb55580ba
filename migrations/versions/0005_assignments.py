"""Self-paced assignments: `assignments` (a quiz given out with a due date and a shareable code)
and `assignment_players` (who was given it, and the game of their attempt). `games.kind` grows to
16 characters for the `assignment` kind.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import persistence.models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = persistence.models.base.UTCDateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=8), type_=sa.String(length=16))
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("settings", JSON_DOC, nullable=False),
        sa.Column("quiz_snapshot", JSON_DOC, nullable=False),
        sa.Column("due_at", UTC_DATETIME, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("reminded_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_assignments_host_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quizzes.id"], name=op.f("fk_assignments_quiz_id_quizzes"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("code", name=op.f("uq_assignments_code")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_due_at"), ["due_at"], unique=False)
        batch_op.create_index("ix_assignments_host_id_created_at", ["host_id", "created_at"], unique=False)
    op.create_table(
        "assignment_players",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTC_DATETIME, nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=True),
        sa.Column("started_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_assignment_players_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["game_id"], ["games.id"], name=op.f("fk_assignment_players_game_id_games"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assignment_players_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_players")),
        sa.UniqueConstraint(
            "assignment_id", "user_id", name=op.f("uq_assignment_players_assignment_id_user_id")
        ),
    )
    with op.batch_alter_table("assignment_players", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_players_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assignment_players", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_players_user_id"))
    op.drop_table("assignment_players")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_host_id_created_at")
        batch_op.drop_index(batch_op.f("ix_assignments_due_at"))
    op.drop_table("assignments")
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=16), type_=sa.String(length=8))
