"""Telling a user something: the row first (so `GET /notifications` lists it whether or not a socket
was listening), then one bus publish that reaches the user's sockets on any node."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from persistence.db import Database
from persistence.models import Notification
from persistence.uow import UnitOfWork
from rooms.bus.base import Bus
from rooms.core.clock import Clock
from rooms.edge.inbox import encode_notification, user_channel
from server.moments import moment
from server.notifications.kinds import MAX_TEXT_CHARS, Note

log = logging.getLogger(__name__)


def notification_frame(row: Notification) -> dict[str, Any]:
    """The `notification` frame's fields (times on the socket are epoch milliseconds)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "text": row.text,
        "data": row.data,
        "created_at": int(row.created_at.timestamp() * 1000),
    }


class Notifier:
    """Stores notifications and pushes them to the users' sockets."""

    def __init__(self, database: Database, bus: Bus, clock: Clock):
        self.database, self.bus, self.clock = database, bus, clock

    async def notify(
        self, user_id: int, kind: str, text: str, data: dict[str, Any] | None = None, key: str | None = None
    ) -> Notification | None:
        """One notification in its own transaction; None when `key` had been used for this user."""
        async with self.database.uow() as uow:
            rows = await self.stage(uow, [Note(user_id, kind, text, data or {}, key)])
            await uow.commit()
        await self.publish(rows)
        return rows[0] if rows else None

    async def stage(self, uow: UnitOfWork, notes: Sequence[Note]) -> list[Notification]:
        """Adds `notes` to the caller's transaction; `publish` what this returns once it commits."""
        now = moment(self.clock.now_ms())
        return await uow.notifications.add_many(
            [
                {
                    "user_id": note.user_id,
                    "kind": note.kind,
                    "text": note.text[:MAX_TEXT_CHARS],
                    "data": note.data,
                    "key": note.key,
                    "created_at": now,
                }
                for note in notes
            ]
        )

    async def publish(self, rows: Sequence[Notification]) -> None:
        """Pushes committed notifications to their users' sockets. Never raises: a notification
        that reached no socket is still in the list the page reads when it (re)connects."""
        for row in rows:
            try:
                frame = encode_notification(notification_frame(row))
                await self.bus.publish(user_channel(row.user_id), frame)
            except Exception as exc:  # the bus (Redis) is away; the row is stored
                log.warning("notification %s not pushed: %r", row.id, exc)
