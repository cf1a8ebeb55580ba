"""Rate limits for sockets: a token bucket per connection and one per address."""

from __future__ import annotations


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
    """At most `limit` events per address per `window_ms` on average, in bursts of up to `limit`
    (joins from one NAT, say): a token bucket per address, about 100 bytes however many joins it
    counts (a log of every join's time cost a 600-byte deque per phone). A setting, since a
    classroom behind one address or a load generator needs a higher one."""

    def __init__(self, limit: int, window_ms: int = 60_000, max_addresses: int = 100_000):
        self.limit, self.window_ms, self.max_addresses = limit, window_ms, max_addresses
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, address: str, now_ms: int) -> bool:
        if len(self._buckets) > self.max_addresses:
            self._forget_idle(now_ms)
        bucket = self._buckets.get(address)
        if bucket is None:
            rate = self.limit * 1000 / self.window_ms
            bucket = self._buckets[address] = TokenBucket(rate, self.limit, now_ms)
        return bucket.take(now_ms)

    def _forget_idle(self, now_ms: int) -> None:
        # A bucket untouched for a whole window is full again: forgetting it changes nothing.
        cutoff = now_ms - self.window_ms
        for address in [a for a, bucket in self._buckets.items() if bucket.updated_ms <= cutoff]:
            del self._buckets[address]
