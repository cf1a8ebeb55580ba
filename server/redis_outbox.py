"""The results outbox in a Redis stream, for several nodes: a finished game is durable once Redis
has it (XADD), so a node that dies right after `finished` strands nothing in a local file; any node
drains the stream, one at a time, under a lease-like lock (the write is idempotent anyway)."""

from __future__ import annotations

from typing import Any, cast

import orjson
from redis.asyncio import Redis

from server.outbox import OutboxEntry

LOCK_TTL_MS = 30_000  # a drainer that died frees the stream after this long


class RedisStreamOutbox:
    """`Outbox` on one Redis stream shared by every node of a deployment."""

    def __init__(self, redis: Redis, prefix: str, node_id: str):
        self._redis = redis
        self._stream = f"{prefix}:outbox:results"
        self._lock = f"{prefix}:outbox:results:drainer"
        self._node = node_id
        self._ids: dict[str, list[bytes]] = {}  # key -> its stream entries, from the last `pending`

    async def append(self, key: str, payload: dict[str, Any]) -> None:
        await self._redis.xadd(self._stream, {"key": key, "payload": orjson.dumps(payload)})

    async def _hold_lock(self) -> bool:
        """Take the drainer's lock, or renew it when it is ours."""
        if await self._redis.set(self._lock, self._node, nx=True, px=LOCK_TTL_MS):
            return True
        if await self._redis.get(self._lock) == self._node.encode():
            await self._redis.pexpire(self._lock, LOCK_TTL_MS)
            return True
        return False

    async def pending(self) -> list[OutboxEntry]:
        """What waits to be written: empty on every node but the one draining now."""
        if not await self._hold_lock():
            return []
        entries: dict[str, OutboxEntry] = {}
        self._ids = {}
        # redis-py types replies loosely; this client does not decode, so they are bytes.
        stream = cast(list[tuple[bytes, dict[bytes, bytes]]], await self._redis.xrange(self._stream))
        for entry_id, fields in stream:
            key = fields[b"key"].decode()
            self._ids.setdefault(key, []).append(entry_id)
            entries.setdefault(key, OutboxEntry(key, orjson.loads(fields[b"payload"])))  # the first one wins
        return list(entries.values())

    async def done(self, key: str) -> None:
        ids = self._ids.pop(key, [])
        if ids:
            await self._redis.xdel(self._stream, *ids)

    async def aclose(self) -> None:
        """Clean shutdown: let another node drain at once."""
        if await self._redis.get(self._lock) == self._node.encode():
            await self._redis.delete(self._lock)
