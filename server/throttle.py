"""Login throttling: exponential backoff per account, and a cap on attempts per client address.

The interface is small and async so a Redis implementation (shared by every node) can replace the
in-memory one; time comes from an injected clock so tests advance it instead of sleeping.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from server.config import Settings

Clock = Callable[[], float]
MAX_LOCKOUT_S = 15 * 60
ADDRESS_WINDOW_S = 60.0
SWEEP_EVERY_S = 60.0


class LoginThrottle(Protocol):
    """Decides whether a login attempt may go ahead.

    `admit` counts an admitted attempt as a failure straight away, so parallel guesses cannot slip
    past the backoff while their passwords are still being checked; `succeeded` clears the account.
    """

    async def admit(self, account: str, address: str) -> float:
        """0 when the attempt may go ahead (it is then recorded); otherwise the seconds to wait."""
        ...

    async def succeeded(self, account: str) -> None:
        """The attempt for `account` had the right password: forget its failures."""
        ...


class MemoryLoginThrottle:
    """A LoginThrottle for one process, with bounded memory: stale keys are swept out periodically."""

    def __init__(self, failures_before_backoff: int = 5, failure_window_s: float = 15 * 60,
                 attempts_per_address_per_minute: int = 30, max_lockout_s: float = MAX_LOCKOUT_S,
                 clock: Clock = time.monotonic):
        self.failures_before_backoff = failures_before_backoff
        self.failure_window_s = failure_window_s
        self.attempts_per_address = attempts_per_address_per_minute
        self.max_lockout_s = max_lockout_s
        self.clock = clock
        # Enough failures to reach the longest lockout; older ones cannot lengthen it further.
        self._max_failures = failures_before_backoff + max(1, int(max_lockout_s)).bit_length() + 1
        self._failures: dict[str, deque[float]] = {}
        self._attempts: dict[str, deque[float]] = {}
        self._last_sweep = clock()

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = time.monotonic) -> MemoryLoginThrottle:
        return cls(settings.login_failures_before_backoff, settings.login_failure_window_s,
                   settings.login_attempts_per_address_per_minute, clock=clock)

    async def admit(self, account: str, address: str) -> float:
        now = self.clock()
        self._sweep(now)
        wait = max(self._account_wait(account, now), self._address_wait(address, now))
        if wait > 0:
            return wait
        self._failures.setdefault(account, deque(maxlen=self._max_failures)).append(now)
        self._attempts.setdefault(address, deque(maxlen=self.attempts_per_address)).append(now)
        return 0.0

    async def succeeded(self, account: str) -> None:
        self._failures.pop(account, None)

    def lockout_s(self, failures: int) -> float:
        """How long an account stays locked after its latest failure, given its failures in the window."""
        if failures < self.failures_before_backoff:
            return 0.0
        return float(min(2 ** (failures - self.failures_before_backoff), self.max_lockout_s))

    def _account_wait(self, account: str, now: float) -> float:
        failures = self._failures.get(account)
        if not failures:
            return 0.0
        _drop_older(failures, now - self.failure_window_s)
        if not failures:
            return 0.0
        return max(0.0, failures[-1] + self.lockout_s(len(failures)) - now)

    def _address_wait(self, address: str, now: float) -> float:
        attempts = self._attempts.get(address)
        if not attempts:
            return 0.0
        _drop_older(attempts, now - ADDRESS_WINDOW_S)
        if len(attempts) < self.attempts_per_address:
            return 0.0
        return max(0.0, attempts[0] + ADDRESS_WINDOW_S - now)

    def _sweep(self, now: float) -> None:
        """Forgets keys with nothing recent, so guessing many names or addresses cannot grow memory."""
        if now - self._last_sweep < SWEEP_EVERY_S:
            return
        self._last_sweep = now
        for table, window in ((self._failures, self.failure_window_s), (self._attempts, ADDRESS_WINDOW_S)):
            for key in [key for key, times in table.items() if not times or times[-1] <= now - window]:
                del table[key]

    def tracked_keys(self) -> int:
        """How many accounts and addresses are remembered (for tests and metrics)."""
        return len(self._failures) + len(self._attempts)


def _drop_older(times: deque[float], cutoff: float) -> None:
    while times and times[0] <= cutoff:
        times.popleft()
