"""The bus on Redis pub/sub, for many nodes: one subscription connection and one reader task per
node (channels counted locally, never per socket), a probe that notices a subscription gone quiet,
and a resubscribe with backoff that tells `on_resync` callbacks so rooms repair from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from rooms.bus.base import Listener, Resync, Subscription

log = logging.getLogger(__name__)

PROBE_INTERVAL_S = 1.0
PROBE_MISSES = 3  # this many intervals without our own probe coming back: resubscribe
MAX_BACKOFF_S = 5.0


class _RedisSubscription:
    def __init__(self, bus: RedisBus, channel: str, listener: Listener):
        self._bus, self._channel, self._listener = bus, channel, listener

    async def close(self) -> None:
        await self._bus._unsubscribe(self._channel, self._listener)


class RedisBus:
    """`Bus` over Redis pub/sub. `publish` is one PUBLISH; delivery to local listeners is in order."""

    def __init__(
        self,
        redis: Redis,
        node_id: str,
        prefix: str = "qa",
        probe_interval_s: float = PROBE_INTERVAL_S,
        sharded: bool = False,
    ):
        self._redis = redis
        self._prefix = f"{prefix}:"
        self._probe_channel = f"{prefix}:probe:{node_id}"
        self._probe_interval = probe_interval_s
        self._listeners: dict[str, list[Listener]] = {}
        self._resync: list[Resync] = []
        self._pubsub: Any = None
        self._stale = False
        self._probe_seen = 0.0
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False
        self.resubscriptions = 0  # how many times the subscription had to be rebuilt (health, tests)
        # Room channels (hash-tagged `{pin}`) over sharded pub/sub (Redis 7): on a cluster each
        # room's events stay on its shard instead of reaching every node of every shard.
        self._sharded = sharded

    def _room(self, channel: str) -> bool:
        return self._sharded and "{" in channel

    async def publish(self, channel: str, message: bytes) -> None:
        if self._room(channel):
            await self._redis.spublish(self._prefix + channel, message)
        else:
            await self._redis.publish(self._prefix + channel, message)

    async def _listen(self, pubsub: Any, channels: list[str]) -> None:
        rooms = [self._prefix + c for c in channels if self._room(c)]
        others = [self._prefix + c for c in channels if not self._room(c)]
        if rooms:
            await pubsub.ssubscribe(*rooms)
        if others:
            await pubsub.subscribe(*others)

    async def subscribe(self, channel: str, listener: Listener) -> Subscription:
        listeners = self._listeners.setdefault(channel, [])
        listeners.append(listener)
        if len(listeners) == 1 and self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):  # the reader resubscribes everything on repair
                await self._listen(self._pubsub, [channel])
        return _RedisSubscription(self, channel, listener)

    async def _unsubscribe(self, channel: str, listener: Listener) -> None:
        listeners = self._listeners.get(channel)
        if not listeners or listener not in listeners:
            return
        listeners.remove(listener)
        if not listeners:
            del self._listeners[channel]
            if self._pubsub is not None:
                with contextlib.suppress(RedisError, OSError):
                    if self._room(channel):
                        await self._pubsub.sunsubscribe(self._prefix + channel)
                    else:
                        await self._pubsub.unsubscribe(self._prefix + channel)

    def on_resync(self, callback: Resync) -> None:
        self._resync.append(callback)

    @property
    def healthy(self) -> bool:
        return self._pubsub is not None and not self._stale

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            await self._connect()
        except (RedisError, OSError) as exc:  # Redis is away at start-up: the reader keeps trying
            log.warning("bus: cannot subscribe yet (%s)", exc)
            self._stale = True
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._read()), loop.create_task(self._probe())]

    async def close(self) -> None:
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._drop_pubsub()

    async def _connect(self) -> None:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self._probe_channel)
        await self._listen(pubsub, list(self._listeners))
        self._pubsub, self._stale = pubsub, False
        self._probe_seen = asyncio.get_running_loop().time()

    async def _drop_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def _repair(self) -> None:
        """Resubscribe from scratch (with backoff while Redis is away), then let rooms resync."""
        await self._drop_pubsub()
        delay = 0.1
        while not self._closed:
            try:
                await self._connect()
                break
            except (RedisError, OSError) as exc:
                log.warning("bus: cannot resubscribe (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)
        self.resubscriptions += 1
        log.warning("bus: subscribed again (%d channels); resyncing rooms", len(self._listeners))
        for callback in list(self._resync):
            try:
                await callback()
            except Exception:
                log.exception("bus: a resync callback failed")

    async def _read(self) -> None:
        while not self._closed:
            if self._stale or self._pubsub is None:
                await self._repair()
                continue
            try:
                message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except (RedisError, OSError) as exc:
                log.warning("bus: subscription lost (%s)", exc)
                self._stale = True
                continue
            if message is not None:
                await self._deliver(message["channel"].decode(), message["data"])

    async def _deliver(self, channel: str, data: bytes) -> None:
        if channel == self._probe_channel:
            self._probe_seen = asyncio.get_running_loop().time()
            return
        for listener in list(self._listeners.get(channel.removeprefix(self._prefix), ())):
            try:
                await listener(data)
            except Exception:  # one broken room must not cost the others their events
                log.exception("bus listener failed on %s", channel)

    async def _probe(self) -> None:
        """Publish to ourselves; when our own probes stop coming back, the subscription went quiet."""
        loop = asyncio.get_running_loop()
        while not self._closed:
            await asyncio.sleep(self._probe_interval)
            with contextlib.suppress(RedisError, OSError):
                await self._redis.publish(self._probe_channel, b"probe")
            if loop.time() - self._probe_seen > PROBE_MISSES * self._probe_interval and not self._stale:
                log.warning("bus: our own probes stopped arriving; resubscribing")
                self._stale = True
