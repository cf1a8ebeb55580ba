"""One contract for the fan-out bus, run over the memory bus and real Redis pub/sub: in order,
to every subscriber on every node, and nothing after a subscription is closed."""

from __future__ import annotations

import asyncio
from typing import Any

WAIT_S = 5.0


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self._arrived = asyncio.Event()

    async def __call__(self, message: bytes) -> None:
        self.messages.append(message)
        self._arrived.set()

    async def wait_for(self, count: int) -> list[bytes]:
        async with asyncio.timeout(WAIT_S):
            while len(self.messages) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.messages


async def test_every_subscriber_on_every_node_gets_every_message_in_order(bus_pair: tuple[Any, Any]) -> None:
    a, b = bus_pair
    here, there, elsewhere = Inbox(), Inbox(), Inbox()
    await a.subscribe("room:{1}:events", here)
    await b.subscribe("room:{1}:events", there)
    await b.subscribe("room:{2}:events", elsewhere)
    sent = [f"event {n}".encode() for n in range(200)]
    for message in sent:
        await a.publish("room:{1}:events", message)
    assert await here.wait_for(200) == sent
    assert await there.wait_for(200) == sent
    await a.publish("room:{2}:events", b"other room")
    assert await elsewhere.wait_for(1) == [b"other room"]


async def test_a_closed_subscription_hears_nothing_more(bus_pair: tuple[Any, Any]) -> None:
    a, b = bus_pair
    gone, staying = Inbox(), Inbox()
    subscription = await b.subscribe("room:{1}:events", gone)
    await b.subscribe("room:{1}:events", staying)
    await a.publish("room:{1}:events", b"one")
    await gone.wait_for(1)
    await subscription.close()
    await a.publish("room:{1}:events", b"two")
    assert await staying.wait_for(2) == [b"one", b"two"]
    assert gone.messages == [b"one"]


async def test_one_failing_listener_does_not_stop_the_others(bus_pair: tuple[Any, Any]) -> None:
    a, b = bus_pair

    async def broken(message: bytes) -> None:
        raise RuntimeError("a broken room")

    inbox = Inbox()
    await b.subscribe("room:{1}:events", broken)
    await b.subscribe("room:{1}:events", inbox)
    await a.publish("room:{1}:events", b"one")
    await a.publish("room:{1}:events", b"two")
    assert await inbox.wait_for(2) == [b"one", b"two"]


async def test_a_redis_subscription_that_goes_quiet_is_rebuilt_and_rooms_resync() -> None:
    """Killing the subscriber's connection from the server side: the probe notices, the bus
    resubscribes, tells its resync callbacks, and delivers again."""
    import secrets

    from redis.asyncio import Redis

    from rooms.bus.redis import RedisBus
    from tests.services import REDIS_URL, need_redis

    need_redis()
    redis = Redis.from_url(REDIS_URL)
    bus = RedisBus(
        redis, f"n{secrets.token_hex(3)}", prefix=f"test-{secrets.token_hex(4)}", probe_interval_s=0.1
    )
    await bus.start()
    resynced_once = asyncio.Event()

    async def resynced() -> None:
        resynced_once.set()

    bus.on_resync(resynced)
    inbox = Inbox()
    await bus.subscribe("room:{1}:events", inbox)
    try:
        await bus.publish("room:{1}:events", b"before")
        await inbox.wait_for(1)
        await redis.client_kill_filter(_type="pubsub")  # the server drops every subscriber connection
        await asyncio.wait_for(resynced_once.wait(), WAIT_S)
        await bus.publish("room:{1}:events", b"after")
        assert await inbox.wait_for(2) == [b"before", b"after"]
        assert bus.resubscriptions >= 1
    finally:
        await bus.close()
        await redis.aclose()
