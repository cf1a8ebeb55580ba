"""The fan-out bus contract: bytes published on a channel reach every subscriber on every node.

A handful of bytes-in/bytes-out methods that every backend can honour (memory by default, Redis
pub/sub across nodes). Listeners are coroutines called one message at a time in publish order.
Delivery is at most once: rooms number their events, so an edge notices a gap and repairs it from
the store's history, and a bus that lost its subscription tells its `on_resync` callbacks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

Listener = Callable[[bytes], Awaitable[None]]
Resync = Callable[[], Awaitable[None]]


class Subscription(Protocol):
    async def close(self) -> None: ...


class Bus(Protocol):
    """Publish bytes to a channel; subscribe a listener to a channel."""

    async def publish(self, channel: str, message: bytes) -> None: ...

    async def subscribe(self, channel: str, listener: Listener) -> Subscription: ...

    def on_resync(self, callback: Resync) -> None:
        """Call `callback` after the bus had to resubscribe (messages may have been lost)."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...
