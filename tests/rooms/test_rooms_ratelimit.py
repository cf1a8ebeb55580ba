"""Joins per address: a burst up to the limit, then the average rate; idle addresses are forgotten."""

from __future__ import annotations

from rooms.edge.ratelimit import AddressLimiter

MINUTE_MS = 60_000


def test_an_address_may_join_up_to_its_limit_at_once_then_at_the_average_rate() -> None:
    joins = AddressLimiter(limit=6, window_ms=MINUTE_MS)
    assert all(joins.allow("10.0.0.1", 0) for _ in range(6))
    assert not joins.allow("10.0.0.1", 0)
    assert joins.allow("10.0.0.2", 0)  # every address has its own allowance
    assert not joins.allow("10.0.0.1", MINUTE_MS // 6 - 1)
    assert joins.allow("10.0.0.1", MINUTE_MS // 6)  # one more every sixth of the window
    assert not joins.allow("10.0.0.1", MINUTE_MS // 6)


def test_idle_addresses_are_forgotten_once_there_are_too_many_and_lose_nothing() -> None:
    joins = AddressLimiter(limit=2, window_ms=MINUTE_MS, max_addresses=3)
    for number in range(4):
        assert joins.allow(f"10.0.0.{number}", 0)
    assert joins.allow("10.0.0.9", MINUTE_MS)  # over the cap: the idle four are dropped
    assert len(joins._buckets) == 1
    assert joins.allow("10.0.0.0", MINUTE_MS) and joins.allow("10.0.0.0", MINUTE_MS)  # a full allowance
