"""Scheduled sessions (with their invited users) and notifications.

- `scheduled_games`: a host's game set for a time; the opener looks up due rows by
  (`state`, `starts_at`), a host lists theirs by (`host_id`, `starts_at`).
- `scheduled_game_invites`: who is invited; a user's upcoming sessions start from `user_id`.
- `notifications`: a user's list newest first (`user_id`, `id`), the unread count
  (`user_id`, `read_at`), and a per-user `key` that makes a repeated notification a no-op.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import persistence.models.base

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=True),
    sa.Column('created_at', persistence.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', persistence.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_notifications_user_id_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id_id', ['user_id', 'id'], unique=False)
        batch_op.create_index('ix_notifications_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('scheduled_games',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('starts_at', persistence.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('game_id', sa.Integer(), nullable=True),
    sa.Column('pin', sa.String(length=6), nullable=True),
    sa.Column('opened_by', sa.String(length=64), nullable=True),
    sa.Column('opened_at', persistence.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failure', sa.String(length=200), nullable=True),
    sa.Column('created_at', persistence.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['game_id'], ['games.id'], name=op.f('fk_scheduled_games_game_id_games'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_id'], ['users.id'], name=op.f('fk_scheduled_games_host_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_scheduled_games_quiz_id_quizzes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_games'))
    )
    with op.batch_alter_table('scheduled_games', schema=None) as batch_op:
        batch_op.create_index('ix_scheduled_games_host_id_starts_at', ['host_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_scheduled_games_state_starts_at', ['state', 'starts_at'], unique=False)

    op.create_table('scheduled_game_invites',
    sa.Column('scheduled_game_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['scheduled_game_id'], ['scheduled_games.id'], name=op.f('fk_scheduled_game_invites_scheduled_game_id_scheduled_games'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_scheduled_game_invites_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('scheduled_game_id', 'user_id', name=op.f('pk_scheduled_game_invites'))
    )
    with op.batch_alter_table('scheduled_game_invites', schema=None) as batch_op:
        batch_op.create_index('ix_scheduled_game_invites_user_id', ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('scheduled_game_invites', schema=None) as batch_op:
        batch_op.drop_index('ix_scheduled_game_invites_user_id')

    op.drop_table('scheduled_game_invites')
    with op.batch_alter_table('scheduled_games', schema=None) as batch_op:
        batch_op.drop_index('ix_scheduled_games_state_starts_at')
        batch_op.drop_index('ix_scheduled_games_host_id_starts_at')

    op.drop_table('scheduled_games')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at')
        batch_op.drop_index('ix_notifications_user_id_id')

    op.drop_table('notifications')
