"""ManualClock drives room timers in tests; SystemClock maps epoch-ms deadlines onto the asyncio loop."""

from __future__ import annotations

import asyncio
import time

import pytest

from rooms.core.clock import ManualClock, SystemClock

START = 1_000_000


def recorder(clock: ManualClock, log: list[tuple[str, int]], name: str):
    return lambda: log.append((name, clock.now_ms()))


def test_manual_clock_starts_where_told_and_advances() -> None:
    clock = ManualClock(start_ms=START)
    assert clock.now_ms() == START
    clock.advance(250)
    assert clock.now_ms() == START + 250
    clock.set(START + 1000)
    assert clock.now_ms() == START + 1000


def test_due_callbacks_fire_in_time_order_at_their_own_time() -> None:
    clock = ManualClock(start_ms=START)
    log: list[tuple[str, int]] = []
    clock.call_at(START + 300, recorder(clock, log, "c"))
    clock.call_at(START + 100, recorder(clock, log, "a"))
    clock.call_at(START + 200, recorder(clock, log, "b"))
    clock.call_at(START + 301, recorder(clock, log, "later"))
    clock.advance(300)
    assert log == [("a", START + 100), ("b", START + 200), ("c", START + 300)]
    assert clock.pending == 1
    clock.advance(1)
    assert log[-1] == ("later", START + 301)
    assert clock.pending == 0


def test_equal_times_fire_in_scheduling_order() -> None:
    clock = ManualClock(start_ms=START)
    log: list[tuple[str, int]] = []
    for name in ("first", "second", "third"):
        clock.call_at(START + 50, recorder(clock, log, name))
    clock.advance(50)
    assert [name for name, _ in log] == ["first", "second", "third"]


def test_callbacks_scheduled_by_callbacks_fire_when_due_within_the_same_advance() -> None:
    clock = ManualClock(start_ms=START)
    log: list[tuple[str, int]] = []

    def chain() -> None:
        log.append(("chain", clock.now_ms()))
        clock.call_at(clock.now_ms() + 100, recorder(clock, log, "inner-due"))
        clock.call_at(clock.now_ms(), recorder(clock, log, "inner-now"))
        clock.call_at(START + 1000, recorder(clock, log, "inner-late"))

    clock.call_at(START + 100, chain)
    clock.call_at(START + 150, recorder(clock, log, "outer"))
    clock.advance(500)
    assert log == [
        ("chain", START + 100),
        ("inner-now", START + 100),
        ("outer", START + 150),
        ("inner-due", START + 200),
    ]
    assert clock.now_ms() == START + 500
    assert clock.pending == 1


def test_cancelled_handles_never_fire() -> None:
    clock = ManualClock(start_ms=START)
    log: list[tuple[str, int]] = []
    doomed = clock.call_at(START + 10, recorder(clock, log, "doomed"))
    kept = clock.call_at(START + 20, recorder(clock, log, "kept"))
    late = clock.call_at(START + 30, recorder(clock, log, "late"))
    doomed.cancel()
    clock.call_at(START + 25, late.cancel)  # cancelled by an earlier callback in the same advance
    clock.advance(100)
    assert log == [("kept", START + 20)]
    kept.cancel()  # cancelling after firing is harmless
    assert clock.pending == 0


def test_a_timer_set_in_the_past_fires_on_the_next_advance_without_moving_time_back() -> None:
    clock = ManualClock(start_ms=START)
    log: list[tuple[str, int]] = []
    clock.call_at(START - 500, recorder(clock, log, "overdue"))
    assert log == []
    clock.advance(0)
    assert log == [("overdue", START)]


def test_time_only_moves_forward() -> None:
    clock = ManualClock(start_ms=START)
    with pytest.raises(ValueError, match="forward"):
        clock.set(START - 1)
    with pytest.raises(ValueError, match="negative"):
        clock.advance(-1)
    assert clock.now_ms() == START


def test_moving_the_clock_from_a_callback_is_refused() -> None:
    clock = ManualClock(start_ms=START)
    clock.call_at(START + 10, lambda: clock.advance(5))
    with pytest.raises(RuntimeError, match="inside a timer callback"):
        clock.advance(10)
    clock.advance(10)  # the clock is usable again afterwards
    assert clock.now_ms() == START + 20


def test_system_clock_reads_epoch_milliseconds() -> None:
    before = time.time() * 1000
    now = SystemClock().now_ms()
    after = time.time() * 1000
    assert before - 1 <= now <= after + 1


async def test_system_clock_fires_at_an_epoch_deadline_and_honours_cancel() -> None:
    clock = SystemClock()
    fired: list[str] = []
    done = asyncio.Event()

    def fire() -> None:
        fired.append("fired")
        done.set()

    start = clock.now_ms()
    cancelled = clock.call_at(start + 10, lambda: fired.append("cancelled"))
    clock.call_at(start + 30, fire)
    cancelled.cancel()
    await asyncio.wait_for(done.wait(), timeout=5)
    assert fired == ["fired"]
    assert clock.now_ms() >= start + 30 - 2  # loop time and wall time may disagree by a tick
