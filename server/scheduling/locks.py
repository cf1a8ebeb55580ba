"""A lock per job run, so that a job fired on every node runs on one of them at a time.

With Redis: `SET key token NX PX ttl`, released by a Lua compare-and-delete (a run that outlived its
lease never frees the next holder's lock). Without Redis: the same, in this process. The lock only
spares duplicate work; the jobs' own writes stay idempotent (row claims, unique keys) in any case.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from redis.asyncio import Redis

from rooms.core.clock import Clock

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class JobLock(Protocol):
    """Take a named lock for `ttl_ms` (a token, or None when another holder has it); give it back."""

    async def acquire(self, name: str, ttl_ms: int) -> str | None: ...

    async def release(self, name: str, token: str) -> None: ...


class LocalJobLock:
    """One process's locks, on its clock."""

    def __init__(self, clock: Clock):
        self._clock = clock
        self._held: dict[str, tuple[str, int]] = {}  # name -> (token, expires at ms)

    async def acquire(self, name: str, ttl_ms: int) -> str | None:
        now = self._clock.now_ms()
        held = self._held.get(name)
        if held is not None and held[1] > now:
            return None
        token = secrets.token_hex(16)
        self._held[name] = (token, now + ttl_ms)
        return token

    async def release(self, name: str, token: str) -> None:
        held = self._held.get(name)
        if held is not None and held[0] == token:
            del self._held[name]


class RedisJobLock:
    """Locks shared by every node on one Redis."""

    def __init__(self, redis: Redis, prefix: str = "qa"):
        self._redis = redis
        self._prefix = f"{prefix}:job-lock:"
        self._release = redis.register_script(RELEASE)

    async def acquire(self, name: str, ttl_ms: int) -> str | None:
        token = secrets.token_hex(16)
        taken = await self._redis.set(self._prefix + name, token, nx=True, px=ttl_ms)
        return token if taken else None

    async def release(self, name: str, token: str) -> None:
        await self._release(keys=[self._prefix + name], args=[token])


@asynccontextmanager
async def holding(lock: JobLock, name: str, ttl_ms: int) -> AsyncIterator[bool]:
    """`async with holding(lock, "job", 60_000) as mine:` — `mine` says whether this run has it."""
    token = await lock.acquire(name, ttl_ms)
    try:
        yield token is not None
    finally:
        if token is not None:
            await lock.release(name, token)
