"""The room's clock: server time in epoch milliseconds and timers at a given time.

Room logic never reads the global clock; it takes a `Clock`, so production runs on the wall
clock and the asyncio loop, while tests drive a `ManualClock` and advance it instead of sleeping.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol

Callback = Callable[[], object]


class Handle(Protocol):
    """A scheduled callback that can still be called off."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    """What room logic needs of time: now, and a callback at a given moment."""

    def now_ms(self) -> int:
        """Server time in epoch milliseconds."""
        ...

    def call_at(self, when_ms: int, callback: Callback) -> Handle:
        """Run `callback` once the clock reaches `when_ms` (epoch ms); a past time runs it soon."""
        ...


class SystemClock:
    """The wall clock, with timers on the running asyncio loop."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def call_at(self, when_ms: int, callback: Callback) -> Handle:
        loop = asyncio.get_running_loop()
        # Deadlines are stored as epoch ms (they travel between nodes), but the loop schedules on its
        # own monotonic time; converting the remaining delay keeps timers immune to wall-clock steps
        # made after scheduling.
        delay_s = (when_ms - self.now_ms()) / 1000
        return loop.call_at(loop.time() + delay_s, callback)


class ManualHandle:
    """A timer on a `ManualClock`; cancelling it guarantees it never fires."""

    __slots__ = ("when_ms", "callback", "cancelled")

    def __init__(self, when_ms: int, callback: Callback) -> None:
        self.when_ms = when_ms
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """A clock that moves only when told to, for tests.

    `advance` and `set` run every due callback in time order (ties in the order they were
    scheduled), including callbacks scheduled by those callbacks for a time at or before the target.
    While a callback runs, `now_ms()` reads that callback's own time, as it would on a real clock.
    A callback scheduled at or before the current time runs at the next `advance`/`set` (even by 0).
    """

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self._now = start_ms
        self._timers: list[tuple[int, int, ManualHandle]] = []
        self._order = itertools.count()  # tie-breaker: equal times fire in scheduling order
        self._running = False

    def now_ms(self) -> int:
        return self._now

    def call_at(self, when_ms: int, callback: Callback) -> ManualHandle:
        handle = ManualHandle(when_ms, callback)
        heapq.heappush(self._timers, (when_ms, next(self._order), handle))
        return handle

    @property
    def pending(self) -> int:
        """How many timers are scheduled and not cancelled."""
        return sum(1 for _, _, handle in self._timers if not handle.cancelled)

    def advance(self, ms: int) -> None:
        """Move time forward by `ms` and fire what falls due."""
        if ms < 0:
            raise ValueError(f"cannot advance by a negative amount: {ms} ms")
        self.set(self._now + ms)

    def set(self, when_ms: int) -> None:
        """Move time forward to `when_ms` and fire what falls due."""
        if when_ms < self._now:
            raise ValueError(f"time only moves forward: now is {self._now}, asked for {when_ms}")
        if self._running:
            # A callback moving the clock would fire timers out of order beneath the outer loop.
            raise RuntimeError("ManualClock.set/advance called from inside a timer callback")
        self._running = True
        try:
            self._fire_until(when_ms)
        finally:
            self._running = False
        self._now = when_ms

    def _fire_until(self, when_ms: int) -> None:
        while self._timers and self._timers[0][0] <= when_ms:
            due, _, handle = heapq.heappop(self._timers)
            if handle.cancelled:
                continue
            # A timer set in the past fires late, at the current time; time never runs backwards.
            self._now = max(self._now, due)
            handle.callback()
