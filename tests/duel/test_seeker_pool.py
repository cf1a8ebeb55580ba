"""The duel queue's contract, on memory and on real Redis: one seat per account, all-or-none claims,
one matcher at a time."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from rooms.duel.matchmaking import Seeker
from rooms.duel.pool import MemorySeekerPool
from rooms.duel.redis_pool import RedisSeekerPool
from tests.services import REDIS_URL, need_redis


@pytest.fixture(params=["memory", "redis"])
async def pool(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield MemorySeekerPool()
        return
    need_redis()
    redis = Redis.from_url(REDIS_URL)
    prefix = f"test-{secrets.token_hex(4)}"
    try:
        yield RedisSeekerPool(redis, prefix=prefix)
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


def seeker(ticket: str, user_id: int | None = None, **fields: Any) -> Seeker:
    return Seeker(ticket, "node-a", ticket.title(), 1200, 5, user_id=user_id, **fields)


async def test_seekers_come_back_as_they_were_queued(pool: Any) -> None:
    await pool.heartbeat("node-a", 10_000)
    queued = [seeker("a", 7, quiz=3), seeker("b", revenge=False, rematch="123456", rematch_bot=1500)]
    for entry in queued:
        assert await pool.add(entry)
    assert sorted(await pool.seekers(), key=lambda s: s.ticket) == queued


async def test_an_account_is_queued_once_and_again_after_it_left(pool: Any) -> None:
    await pool.heartbeat("node-a", 10_000)
    assert await pool.add(seeker("a", 7))
    assert not await pool.add(seeker("b", 7))
    assert await pool.add(seeker("g1")) and await pool.add(seeker("g2"))  # guests have no account
    await pool.remove("a")
    assert await pool.add(seeker("c", 7))
    assert {s.ticket for s in await pool.seekers()} == {"c", "g1", "g2"}


async def test_a_claim_takes_all_or_none(pool: Any) -> None:
    await pool.heartbeat("node-a", 10_000)
    for ticket in ("a", "b"):
        await pool.add(seeker(ticket, ord(ticket)))
    assert not await pool.claim(["a", "gone"])
    assert {s.ticket for s in await pool.seekers()} == {"a", "b"}
    assert await pool.claim(["a", "b"])
    assert await pool.seekers() == [] and not await pool.claim(["a"])
    assert await pool.add(seeker("again", ord("a")))  # a claimed account may queue again


async def test_removing_a_seeker_who_is_not_there_changes_nothing(pool: Any) -> None:
    await pool.heartbeat("node-a", 10_000)
    await pool.add(seeker("a", 1))
    await pool.remove("nobody")
    assert [s.ticket for s in await pool.seekers()] == ["a"]


async def test_the_seekers_of_a_node_that_stopped_beating_leave_the_queue() -> None:
    need_redis()
    redis = Redis.from_url(REDIS_URL)
    prefix = f"test-{secrets.token_hex(4)}"
    pool = RedisSeekerPool(redis, prefix=prefix)
    try:
        await pool.heartbeat("alive", 10_000)
        await pool.add(Seeker("a", "alive", "A", 1200, 0, user_id=1))
        await pool.add(Seeker("d", "dead", "D", 1200, 0, user_id=2))  # its node never beat (or lapsed)
        assert [s.ticket for s in await pool.seekers()] == ["a"]
        assert await pool.add(Seeker("d2", "alive", "D", 1200, 0, user_id=2))  # the account is free again
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*")]
        await redis.delete(*keys)
        await redis.aclose()


async def test_one_matcher_at_a_time_until_its_role_lapses() -> None:
    need_redis()
    redis = Redis.from_url(REDIS_URL)
    prefix = f"test-{secrets.token_hex(4)}"
    pool = RedisSeekerPool(redis, prefix=prefix)
    try:
        assert await pool.lead("a", 200) and await pool.lead("a", 200)  # taken, renewed
        assert not await pool.lead("b", 200)
        await redis.delete(f"{prefix}:{{duel}}:matcher")  # what its TTL does once a stops renewing
        assert await pool.lead("b", 200) and not await pool.lead("a", 200)
    finally:
        await redis.delete(f"{prefix}:{{duel}}:matcher")
        await redis.aclose()
