"""The room store and bus backends the contract tests run over: memory, and real Redis (a key
prefix per test, removed afterwards), on a manual clock for leases."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from rooms.bus.memory import MemoryBus
from rooms.bus.redis import RedisBus
from rooms.core.clock import ManualClock
from rooms.store.memory import MemoryRoomStore
from rooms.store.redis import RedisRoomStore
from tests.services import REDIS_URL, need_redis


@dataclass
class Backend:
    """A store and the means to make its leases lapse: a manual clock (memory) or a wait (Redis)."""

    store: Any
    clock: ManualClock | None
    redis: Redis | None
    prefix: str


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param == "memory":
        clock = ManualClock()
        yield Backend(MemoryRoomStore(clock.now_ms, history_length=8), clock, None, "")
        return
    need_redis()
    redis = Redis.from_url(REDIS_URL)
    prefix = f"test-{secrets.token_hex(4)}"
    try:
        yield Backend(RedisRoomStore(redis, prefix=prefix, history_length=8), None, redis, prefix)
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


@pytest.fixture(params=["memory", "redis", "redis-sharded"])
async def bus_pair(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Any, Any]]:
    """Two nodes' buses on one fan-out (the memory bus is shared: one process)."""
    if request.param == "memory":
        bus = MemoryBus()
        yield bus, bus
        return
    need_redis()
    redis = Redis.from_url(REDIS_URL)
    prefix = f"test-{secrets.token_hex(4)}"
    sharded = request.param == "redis-sharded"  # room channels over SPUBLISH/SSUBSCRIBE
    buses = (
        RedisBus(redis, "a", prefix=prefix, probe_interval_s=0.1, sharded=sharded),
        RedisBus(redis, "b", prefix=prefix, probe_interval_s=0.1, sharded=sharded),
    )
    for bus in buses:
        await bus.start()
    try:
        yield buses
    finally:
        for bus in buses:
            await bus.close()
        await redis.aclose()
