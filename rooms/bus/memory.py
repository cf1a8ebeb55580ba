"""The fan-out bus: bytes published on a channel reach every subscriber on every node.

Listeners are coroutines, called one message at a time in publish order. A handful of
bytes-in/bytes-out methods every backend can honour: `MemoryBus` in one process
(the embedded default), Redis pub/sub across nodes. Delivery is at most once; rooms number their
events so a gap is noticed and repaired from the store's history.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

log = logging.getLogger(__name__)

Listener = Callable[[bytes], Awaitable[None]]


class Subscription(Protocol):
    def close(self) -> None: ...


class Bus(Protocol):
    """Publish bytes to a channel; subscribe a listener to a channel."""

    async def publish(self, channel: str, message: bytes) -> None: ...

    def subscribe(self, channel: str, listener: Listener) -> Subscription: ...


class _MemorySubscription:
    def __init__(self, bus: MemoryBus, channel: str, listener: Listener):
        self._bus, self._channel, self._listener = bus, channel, listener

    def close(self) -> None:
        listeners = self._bus.listeners.get(self._channel)
        if listeners and self._listener in listeners:
            listeners.remove(self._listener)
            if not listeners:
                del self._bus.listeners[self._channel]


class MemoryBus:
    """In-process delivery in order: `publish` returns once every listener has handled the message;
    one failing listener never stops the others."""

    def __init__(self) -> None:
        self.listeners: dict[str, list[Listener]] = {}

    async def publish(self, channel: str, message: bytes) -> None:
        for listener in list(self.listeners.get(channel, ())):
            try:
                await listener(message)
            except Exception:  # a broken listener must not cost the other nodes/rooms their events
                log.exception("bus listener failed on %s", channel)

    def subscribe(self, channel: str, listener: Listener) -> Subscription:
        self.listeners.setdefault(channel, []).append(listener)
        return _MemorySubscription(self, channel, listener)
