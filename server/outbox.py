"""An outbox for work that must reach the database eventually: entries are appended durably first,
then drained (delivered, then marked done) with retries, so a database outage delays the work but
never loses it. Delivery must be idempotent: an entry may be delivered again after a crash between
delivering it and marking it done.

Backends share one small interface (`append`, `pending`, `done`): `MemoryOutbox` (tests, and a node
that keeps nothing across restarts) and `SpoolOutbox`, an append-only JSON-lines file fsynced on
every append; `server.redis_outbox.RedisStreamOutbox` when several nodes share one Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from server.config import DEFAULT_DATA_DIR

log = logging.getLogger(__name__)

SPOOL_NAME = "results-outbox.jsonl"
COMPACT_AFTER_DONE = 1_000  # rewrite the spool once this many lines are dead weight


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One piece of pending work, named by a key that is unique per piece (e.g. `game:42`)."""

    key: str
    payload: dict[str, Any]


class Outbox(Protocol):
    """Durable pending work. Appending a key that is pending already keeps the first payload."""

    async def append(self, key: str, payload: dict[str, Any]) -> None: ...

    async def pending(self) -> list[OutboxEntry]: ...

    async def done(self, key: str) -> None: ...

    async def aclose(self) -> None: ...


class MemoryOutbox:
    """Pending work in this process's memory: survives database outages, not restarts."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Any]] = {}

    async def append(self, key: str, payload: dict[str, Any]) -> None:
        self._entries.setdefault(key, payload)

    async def pending(self) -> list[OutboxEntry]:
        return [OutboxEntry(key, payload) for key, payload in self._entries.items()]

    async def done(self, key: str) -> None:
        self._entries.pop(key, None)

    async def aclose(self) -> None:
        self._entries.clear()


class SpoolOutbox:
    """Pending work in an append-only file of JSON lines: `{"key", "payload"}` when appended (fsynced
    before `append` returns), `{"done": key}` when delivered. When nothing is pending the file is
    truncated; when dead lines pile up behind a long-stuck entry, the pending entries are written
    to a new file that atomically replaces the old one.

    One process per file: the file is locked while open. A torn last line (a crash mid-append) is
    skipped, and the file rewritten, on opening.
    """

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self._open_locked(path)
        self._entries: dict[str, dict[str, Any]] = {}
        self._dead_lines = 0
        self._lock = asyncio.Lock()  # one file operation at a time, in the order they were asked for
        self._load()

    @staticmethod
    def _open_locked(path: Path) -> IO[bytes]:
        file = open(path, "a+b")  # noqa: SIM115 - held open for the outbox's life
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            raise RuntimeError(f"{path} is in use by another process (one spool per node)") from None
        return file

    def _load(self) -> None:
        self._file.seek(0)
        data = self._file.read()
        for number, line in enumerate(data.splitlines(), 1):
            try:
                record = orjson.loads(line)
                if "done" in record:
                    self._entries.pop(record["done"], None)
                else:
                    self._entries.setdefault(record["key"], record["payload"])
            except (orjson.JSONDecodeError, KeyError, TypeError):
                log.warning("%s: line %d is unreadable (torn write?); skipped", self.path, number)
        self._dead_lines = data.count(b"\n") - len(self._entries)
        if data and not data.endswith(b"\n"):
            self._rewrite()  # so that the next append does not land on the torn line

    async def append(self, key: str, payload: dict[str, Any]) -> None:
        async with self._lock:
            if key in self._entries:
                return
            line = orjson.dumps({"key": key, "payload": payload}) + b"\n"
            await asyncio.to_thread(self._write, line, True)
            self._entries[key] = payload

    async def pending(self) -> list[OutboxEntry]:
        # Under the lock: a `done` still rewriting the file is not yet done.
        async with self._lock:
            return [OutboxEntry(key, payload) for key, payload in self._entries.items()]

    async def done(self, key: str) -> None:
        async with self._lock:
            if self._entries.pop(key, None) is None:
                return
            self._dead_lines += 2
            if not self._entries or self._dead_lines >= COMPACT_AFTER_DONE:
                await asyncio.to_thread(self._rewrite)
            else:
                # No fsync: a "done" lost in a crash only means one more (idempotent) delivery.
                await asyncio.to_thread(self._write, orjson.dumps({"done": key}) + b"\n", False)

    def _write(self, line: bytes, sync: bool) -> None:
        self._file.write(line)
        self._file.flush()
        if sync:
            os.fsync(self._file.fileno())

    def _rewrite(self) -> None:
        """Leaves only the pending entries in the file."""
        if not self._entries:  # nothing to lose: emptying in place is safe
            self._file.truncate(0)
            self._file.flush()
            os.fsync(self._file.fileno())
        else:  # a new file, then an atomic rename: a crash leaves the old file or the new one
            fresh = self.path.with_name(self.path.name + ".new")
            replacement = self._open_locked(fresh)
            replacement.truncate(0)
            for key, payload in self._entries.items():
                replacement.write(orjson.dumps({"key": key, "payload": payload}) + b"\n")
            replacement.flush()
            os.fsync(replacement.fileno())
            os.replace(fresh, self.path)
            _fsync_directory(self.path.parent)
            self._file.close()
            self._file = replacement
        self._dead_lines = 0

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()  # closing releases the lock


def _fsync_directory(directory: Path) -> None:
    """Makes a rename in `directory` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def default_spool_path(environ: Mapping[str, str] | None = None) -> Path:
    """The spool in `QUIZARENA_DATA_DIR` (the settings do not carry the directory)."""
    env = os.environ if environ is None else environ
    return Path(env.get("QUIZARENA_DATA_DIR", str(DEFAULT_DATA_DIR))) / SPOOL_NAME


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff between attempts at one entry: first, first * factor, ... up to `most`."""

    first_s: float = 0.5
    factor: float = 2.0
    most_s: float = 60.0

    def delay(self, failures: int) -> float:
        return min(self.most_s, self.first_s * self.factor ** max(0, failures - 1))


Deliver = Callable[[OutboxEntry], Awaitable[None]]


class OutboxDrainer:
    """Delivers an outbox's entries and marks them done; an entry that fails is retried with its own
    backoff, and never holds up the others (a poison entry waits, logged, until someone fixes it)."""

    def __init__(
        self,
        outbox: Outbox,
        deliver: Deliver,
        backoff: Backoff = Backoff(),
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.outbox = outbox
        self._deliver = deliver
        self._backoff = backoff
        self._monotonic = monotonic
        self._lock = asyncio.Lock()  # one drain at a time: the inline one and the background one
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # A shared outbox (several nodes) may fill up from elsewhere: look at it this often anyway.
        self.idle_poll_s: float | None = None

    @property
    def waiting(self) -> int:
        """How many entries wait for a retry after a failure."""
        return len(self._retry_at)

    async def drain(self) -> int:
        """Delivers every entry that is due now; returns how many were delivered."""
        delivered = 0
        async with self._lock:
            now = self._monotonic()
            entries = await self.outbox.pending()
            self._forget_except({entry.key for entry in entries})
            for entry in entries:
                if self._retry_at.get(entry.key, now) > now:
                    continue
                try:
                    await self._deliver(entry)
                except Exception:  # any failure: keep the entry and try again later
                    self._failed(entry.key, now)
                    continue
                self._failures.pop(entry.key, None)
                self._retry_at.pop(entry.key, None)
                await self.outbox.done(entry.key)
                delivered += 1
        return delivered

    def _forget_except(self, keys: set[str]) -> None:
        """Drops the retry state of entries that are no longer pending."""
        for key in set(self._retry_at) - keys:
            self._retry_at.pop(key, None)
            self._failures.pop(key, None)

    def _failed(self, key: str, now: float) -> None:
        failures = self._failures[key] = self._failures.get(key, 0) + 1
        delay = self._backoff.delay(failures)
        self._retry_at[key] = now + delay
        log.warning(
            "outbox entry %s failed (attempt %d); retrying in %.1f s", key, failures, delay, exc_info=True
        )
        self._wake.set()  # the background loop recomputes when to wake up

    def kick(self) -> None:
        """Something was appended: drain now, in the background."""
        self._wake.set()

    def start(self) -> None:
        """Drains what is pending now, then keeps retrying failed entries in the background."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self, timeout_s: float = 5.0) -> None:
        """Stops the background loop; a drain in progress gets `timeout_s` to finish."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._lock.acquire()  # held by a drain in progress: wait for it to end
                self._lock.release()

    async def _run(self) -> None:
        broken = 0  # consecutive failures of the outbox itself (a full disk, say)
        while True:
            self._wake.clear()  # before draining: an append during the drain wakes the next one
            try:
                await self.drain()
            except Exception:
                broken += 1
                log.exception("draining the outbox failed")
                await asyncio.sleep(self._backoff.delay(broken))
                continue
            broken = 0
            await self._sleep()

    async def _sleep(self) -> None:
        timeout = self.idle_poll_s
        if self._retry_at:
            timeout = max(0.0, min(self._retry_at.values()) - self._monotonic())
            if self.idle_poll_s is not None:
                timeout = min(timeout, self.idle_poll_s)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
