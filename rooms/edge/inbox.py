"""A node's notification sockets: a signed-in user's `subscribe` socket receives the `notification`
frames published on that user's channel.

The user's sockets on this node share one bus subscription (counted here, never one per socket);
publishers anywhere encode the frame once and publish it on `user_channel(user_id)`, so a
notification made on one node reaches the user's socket on another. The bus delivers at most once:
after it had to resubscribe, each socket is sent `subscribed` again, which tells its page to read
the list again over REST.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from rooms.bus.base import Bus, Listener, Subscription
from rooms.core.clock import Clock
from rooms.edge.connection import Connection

log = logging.getLogger(__name__)

ROLE = "subscriber"


def user_channel(user_id: int) -> str:
    """The bus channel a user's notifications are published on."""
    return f"notify:{user_id}"


class Inboxes:
    """This node's `subscribe` sockets, by user."""

    def __init__(self, bus: Bus, clock: Clock):
        self._bus, self._clock = bus, clock
        self._sockets: dict[int, set[Connection]] = {}
        self._subscriptions: dict[int, Subscription] = {}
        self._users: dict[Connection, int] = {}
        bus.on_resync(self._resync)

    async def open(self, connection: Connection, user_id: int) -> None:
        """Make `connection` a notification socket of `user_id` and confirm with `subscribed`."""
        connection.role = ROLE
        self._users[connection] = user_id
        sockets = self._sockets.setdefault(user_id, set())
        sockets.add(connection)
        if user_id not in self._subscriptions:
            self._subscriptions[user_id] = await self._bus.subscribe(
                user_channel(user_id), self._deliverer(user_id)
            )
        await self._confirm(connection, user_id)

    async def close(self, connection: Connection) -> None:
        """The socket is gone: the user's subscription goes with their last socket on this node."""
        user_id = self._users.pop(connection, None)
        if user_id is None:
            return
        sockets = self._sockets.get(user_id, set())
        sockets.discard(connection)
        if not sockets:
            self._sockets.pop(user_id, None)
            subscription = self._subscriptions.pop(user_id, None)
            if subscription is not None:
                await subscription.close()

    def listening(self, user_id: int) -> int:
        """How many of the user's sockets on this node are subscribed."""
        return len(self._sockets.get(user_id, ()))

    def _deliverer(self, user_id: int) -> Listener:
        async def deliver(message: bytes) -> None:
            text = message.decode()
            for connection in list(self._sockets.get(user_id, ())):
                if not connection.closed:
                    await connection.peer.send(text)

        return deliver

    async def _confirm(self, connection: Connection, user_id: int) -> None:
        await connection.send_frame(
            {"type": "subscribed", "user_id": user_id, "server_time": self._clock.now_ms()}
        )

    async def _resync(self) -> None:
        for user_id, sockets in list(self._sockets.items()):
            for connection in list(sockets):
                if not connection.closed:
                    await self._confirm(connection, user_id)


def encode_notification(frame: dict[str, Any]) -> bytes:
    """A `notification` frame as it travels on the bus: encoded once, sent as is to every socket."""
    return orjson.dumps({"type": "notification", **frame})
