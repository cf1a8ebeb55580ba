"""The duel queue's storage, shared by every node that takes `queue` frames: who is waiting, and which
node runs the matcher now. Memory here (one process); Redis in `rooms.duel.redis_pool`, so two
players queued on different nodes meet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from rooms.duel.matchmaking import Seeker


class SeekerPool(Protocol):
    """The queue: add and remove seekers, read them all, and claim a match's seekers atomically."""

    async def add(self, seeker: Seeker) -> bool:
        """Queue `seeker`; False when their account is queued already (on any node)."""
        ...

    async def remove(self, ticket: str) -> None: ...

    async def seekers(self) -> list[Seeker]:
        """Everyone waiting on a node that is alive (the rest are dropped from the queue)."""
        ...

    async def heartbeat(self, node: str, ttl_ms: int) -> None:
        """`node` is alive for `ttl_ms` more: its seekers count."""
        ...

    async def claim(self, tickets: Sequence[str]) -> bool:
        """Take these seekers off the queue, all or none: False when one has left meanwhile."""
        ...

    async def lead(self, node: str, ttl_ms: int) -> bool:
        """Whether `node` runs the matcher now (taking or renewing the role for `ttl_ms`)."""
        ...


class MemorySeekerPool:
    """The queue in this process; its one node always runs the matcher."""

    def __init__(self) -> None:
        self._seekers: dict[str, Seeker] = {}
        self._accounts: dict[int, str] = {}

    async def add(self, seeker: Seeker) -> bool:
        if seeker.user_id is not None:
            if seeker.user_id in self._accounts:
                return False
            self._accounts[seeker.user_id] = seeker.ticket
        self._seekers[seeker.ticket] = seeker
        return True

    async def remove(self, ticket: str) -> None:
        seeker = self._seekers.pop(ticket, None)
        if seeker is not None and seeker.user_id is not None:
            self._accounts.pop(seeker.user_id, None)

    async def seekers(self) -> list[Seeker]:
        return list(self._seekers.values())

    async def heartbeat(self, node: str, ttl_ms: int) -> None:
        """One process: its node is alive while it runs."""

    async def claim(self, tickets: Sequence[str]) -> bool:
        if not all(ticket in self._seekers for ticket in tickets):
            return False
        for ticket in tickets:
            await self.remove(ticket)
        return True

    async def lead(self, node: str, ttl_ms: int) -> bool:
        return True
