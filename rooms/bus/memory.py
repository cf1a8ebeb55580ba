"""The bus in one process: the embedded default, and the reference the Redis bus is tested against."""

from __future__ import annotations

import logging

from rooms.bus.base import Listener, Resync, Subscription

log = logging.getLogger(__name__)


class _MemorySubscription:
    def __init__(self, bus: MemoryBus, channel: str, listener: Listener):
        self._bus, self._channel, self._listener = bus, channel, listener

    async def close(self) -> None:
        listeners = self._bus.listeners.get(self._channel)
        if listeners and self._listener in listeners:
            listeners.remove(self._listener)
            if not listeners:
                del self._bus.listeners[self._channel]


class MemoryBus:
    """In-process delivery in order: `publish` returns once every listener has handled the message;
    one failing listener never stops the others. It never loses a message, so it never resyncs."""

    def __init__(self) -> None:
        self.listeners: dict[str, list[Listener]] = {}

    async def publish(self, channel: str, message: bytes) -> None:
        for listener in list(self.listeners.get(channel, ())):
            try:
                await listener(message)
            except Exception:  # a broken listener must not cost the other nodes/rooms their events
                log.exception("bus listener failed on %s", channel)

    async def subscribe(self, channel: str, listener: Listener) -> Subscription:
        self.listeners.setdefault(channel, []).append(listener)
        return _MemorySubscription(self, channel, listener)

    def on_resync(self, callback: Resync) -> None:
        """Nothing to call back: in-process delivery never goes quiet, so nothing needs a resync."""

    async def start(self) -> None:
        """Nothing to connect to: the bus is ready when made."""

    async def close(self) -> None:
        self.listeners.clear()
