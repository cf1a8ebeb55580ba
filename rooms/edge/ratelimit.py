"""Rate limits for sockets: a token bucket per connection and a sliding count per address."""

from __future__ import annotations

from collections import deque


class TokenBucket:
    """Allows `rate` events a second with bursts up to `burst`; time comes in as epoch ms."""

    __slots__ = ("rate", "burst", "tokens", "updated_ms")

    def __init__(self, rate: float, burst: float, now_ms: int):
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.updated_ms = now_ms

    def take(self, now_ms: int) -> bool:
        elapsed = max(0, now_ms - self.updated_ms) / 1000
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.updated_ms = now_ms
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class AddressLimiter:
    """At most `limit` events per address within `window_ms` (joins from one NAT, say); a setting,
    since a classroom behind one address or a load generator needs a higher one."""

    def __init__(self, limit: int, window_ms: int = 60_000, max_addresses: int = 100_000):
        self.limit, self.window_ms, self.max_addresses = limit, window_ms, max_addresses
        self._events: dict[str, deque[int]] = {}

    def allow(self, address: str, now_ms: int) -> bool:
        if len(self._events) > self.max_addresses:
            self._forget_idle(now_ms)
        events = self._events.setdefault(address, deque())
        while events and events[0] <= now_ms - self.window_ms:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now_ms)
        return True

    def _forget_idle(self, now_ms: int) -> None:
        cutoff = now_ms - self.window_ms
        for address in [a for a, events in self._events.items() if not events or events[-1] <= cutoff]:
            del self._events[address]
