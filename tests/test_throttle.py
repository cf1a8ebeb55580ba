"""The in-memory login throttle, driven by a fake clock: backoff, window expiry, reset, per-address cap."""

from __future__ import annotations

import pytest

from server.config import Settings
from server.throttle import MemoryLoginThrottle


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def throttle(clock: FakeClock) -> MemoryLoginThrottle:
    return MemoryLoginThrottle(failures_before_backoff=5, failure_window_s=900,
                               attempts_per_address_per_minute=1000, clock=clock)


async def fail(throttle: MemoryLoginThrottle, times: int, account: str = "alice", address: str = "a") -> None:
    for _ in range(times):
        assert await throttle.admit(account, address) == 0


async def test_five_failures_are_free_then_the_account_waits_a_second(throttle: MemoryLoginThrottle) -> None:
    await fail(throttle, 4)
    assert await throttle.admit("alice", "a") == 0
    assert await throttle.admit("alice", "a") == 1.0


async def test_backoff_doubles_with_each_further_failure(throttle: MemoryLoginThrottle,
                                                         clock: FakeClock) -> None:
    await fail(throttle, 5)
    waits = []
    for _ in range(4):
        wait = await throttle.admit("alice", "a")
        waits.append(wait)
        clock.advance(wait)
        assert await throttle.admit("alice", "a") == 0
    assert waits == [1.0, 2.0, 4.0, 8.0]


async def test_backoff_is_capped_at_fifteen_minutes(throttle: MemoryLoginThrottle) -> None:
    assert throttle.lockout_s(5) == 1.0
    assert throttle.lockout_s(14) == 512.0
    assert throttle.lockout_s(15) == 900.0
    assert throttle.lockout_s(40) == 900.0


async def test_refused_attempts_do_not_lengthen_the_lockout(throttle: MemoryLoginThrottle,
                                                            clock: FakeClock) -> None:
    await fail(throttle, 5)
    for _ in range(10):
        assert await throttle.admit("alice", "a") > 0
    clock.advance(1.0)
    assert await throttle.admit("alice", "a") == 0


async def test_failures_outside_the_window_are_forgotten(throttle: MemoryLoginThrottle,
                                                         clock: FakeClock) -> None:
    await fail(throttle, 4)
    clock.advance(900)
    await fail(throttle, 4)  # the first four have left the 15-minute window
    assert await throttle.admit("alice", "a") == 0
    assert await throttle.admit("alice", "a") == 1.0


async def test_a_success_clears_the_account(throttle: MemoryLoginThrottle, clock: FakeClock) -> None:
    await fail(throttle, 5)
    clock.advance(1)
    assert await throttle.admit("alice", "a") == 0  # the sixth, which had the right password
    await throttle.succeeded("alice")
    await fail(throttle, 5)  # a fresh allowance
    assert await throttle.admit("alice", "a") == 1.0


async def test_accounts_are_throttled_independently_of_address(throttle: MemoryLoginThrottle) -> None:
    await fail(throttle, 5, account="alice", address="a")
    assert await throttle.admit("alice", "b") == 1.0
    assert await throttle.admit("bob", "a") == 0


async def test_per_address_limit_per_minute(clock: FakeClock) -> None:
    throttle = MemoryLoginThrottle(failures_before_backoff=100, attempts_per_address_per_minute=3,
                                   clock=clock)
    for second in range(3):
        assert await throttle.admit(f"user{second}", "10.0.0.1") == 0
        clock.advance(10)
    assert await throttle.admit("user9", "10.0.0.1") == pytest.approx(30.0)
    assert await throttle.admit("user9", "10.0.0.2") == 0  # another address is unaffected
    clock.advance(30)  # the first attempt leaves the one-minute window
    assert await throttle.admit("user9", "10.0.0.1") == 0
    assert await throttle.admit("user9", "10.0.0.1") == pytest.approx(10.0)


async def test_stale_keys_are_swept(throttle: MemoryLoginThrottle, clock: FakeClock) -> None:
    for n in range(50):
        await throttle.admit(f"guess{n}", f"10.0.0.{n}")
    assert throttle.tracked_keys() == 100
    clock.advance(901)
    await throttle.admit("alice", "a")
    assert throttle.tracked_keys() == 2


def test_built_from_settings() -> None:
    settings = Settings(login_failures_before_backoff=3, login_failure_window_s=60,
                        login_attempts_per_address_per_minute=7)
    throttle = MemoryLoginThrottle.from_settings(settings, clock=FakeClock())
    assert throttle.failures_before_backoff == 3
    assert throttle.failure_window_s == 60
    assert throttle.attempts_per_address == 7
