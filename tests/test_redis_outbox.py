"""The results outbox on a Redis stream (several nodes): durable on append, drained by one node at a
time, an entry done is gone for everyone, and a node's clean shutdown hands the draining on."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from server.outbox import OutboxEntry
from server.redis_outbox import RedisStreamOutbox
from tests.services import REDIS_URL, need_redis

pytestmark = pytest.mark.redis


@pytest.fixture
async def redis() -> AsyncIterator[tuple[Redis, str]]:
    need_redis()
    client = Redis.from_url(REDIS_URL)
    prefix = f"test-{secrets.token_hex(4)}"
    try:
        yield client, prefix
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_one_node_drains_at_a_time_and_done_is_done_for_all(redis: tuple[Redis, str]) -> None:
    client, prefix = redis
    a, b = RedisStreamOutbox(client, prefix, "a"), RedisStreamOutbox(client, prefix, "b")
    await a.append("game:1", {"score": 10})
    await b.append("game:2", {"score": 20})
    await b.append("game:1", {"score": 99})  # a retried append: the first payload wins
    assert await a.pending() == [OutboxEntry("game:1", {"score": 10}), OutboxEntry("game:2", {"score": 20})]
    assert await b.pending() == []  # node a holds the drainer's lock
    await a.done("game:1")
    assert await a.pending() == [OutboxEntry("game:2", {"score": 20})]
    await a.aclose()  # a clean shutdown: node b drains from now on
    assert await b.pending() == [OutboxEntry("game:2", {"score": 20})]
    await b.done("game:2")
    assert await b.pending() == []
