"""Password hashing with argon2id, off the event loop and under a concurrency cap.

Each argon2 hash takes tens of megabytes and a good fraction of a CPU second, so at most
`concurrency` of them run at once: a login storm queues instead of exhausting memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from server.config import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
# Verified against when the account does not exist, so that "no such user" costs what "wrong password" costs.
_DUMMY_PASSWORD = "quizarena: no such account"


class Passwords:
    """Hashes and verifies passwords with argon2id; the cost parameters are argon2-cffi's unless given."""

    def __init__(self, concurrency: int = 4, *, time_cost: int | None = None, memory_cost: int | None = None,
                 parallelism: int | None = None):
        defaults = argon2.PasswordHasher()
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost or defaults.time_cost,
            memory_cost=memory_cost or defaults.memory_cost,
            parallelism=parallelism or defaults.parallelism,
            type=argon2.Type.ID,
        )
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._dummy_hash: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(settings.password_hash_concurrency)

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when `password` matches; with no stored hash, spends the same time and answers False."""
        if stored_hash is None:
            await self._run(self._check, await self._dummy(), password)
            return False
        return await self._run(self._check, stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the hash was made with other parameters than ours (so a login should upgrade it)."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def _check(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except VerificationError:
            return False
        except InvalidHashError:
            log.warning("a stored password hash is not an argon2 hash")
            return False

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(_DUMMY_PASSWORD)
        return self._dummy_hash

    async def _run(self, work: Callable[..., T], *args: str) -> T:
        """Runs `work` in a thread holding a slot until the thread ends, even if the caller is cancelled.

        Releasing on cancellation would let abandoned requests keep hashing beyond the cap.
        """
        await self._slots.acquire()
        task = asyncio.ensure_future(asyncio.to_thread(work, *args))
        task.add_done_callback(self._release)
        return await asyncio.shield(task)

    def _release(self, task: asyncio.Future[Any]) -> None:
        self._slots.release()
        if not task.cancelled():
            task.exception()  # marks it retrieved when nobody awaits it any more
