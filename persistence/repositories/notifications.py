"""A user's notifications: add (once per key), list newest first, count and mark the unread."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from persistence.models import Notification
from persistence.repositories.base import Repository


class NotificationRepository(Repository[Notification]):
    """Notifications; never commits."""

    model = Notification

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> list[Notification]:
        """Inserts `rows` (`user_id`, `kind`, `text`, `data`, `key`, `created_at`); a row whose
        (user, key) is already there is skipped. Returns the rows inserted now, in order."""
        if not rows:
            return []
        dialect = self.session.get_bind().dialect.name
        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            dialect_insert(Notification)
            .values(list(rows))
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
            .returning(Notification)
        )
        return list((await self.session.scalars(statement)).all())

    async def page(self, user_id: int, unread_only: bool, limit: int, offset: int) -> list[Notification]:
        """The user's notifications, newest first."""
        statement = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            statement = statement.where(Notification.read_at.is_(None))
        statement = statement.order_by(Notification.id.desc()).limit(limit).offset(offset)
        return list((await self.session.scalars(statement)).all())

    async def count(self, user_id: int, unread_only: bool = False) -> int:
        statement = select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
        if unread_only:
            statement = statement.where(Notification.read_at.is_(None))
        return int(await self.session.scalar(statement) or 0)

    async def mark_read(self, user_id: int, ids: Collection[int] | None, now: datetime) -> int:
        """Marks the user's unread notifications among `ids` (all of them when None) read; others'
        ids are ignored. Returns how many changed."""
        statement = update(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        if ids is not None:
            statement = statement.where(Notification.id.in_(ids))
        result = await self.session.execute(
            statement.values(read_at=now), execution_options={"synchronize_session": False}
        )
        return int(getattr(result, "rowcount", 0) or 0)
