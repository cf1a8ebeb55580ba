"""A room's ordered output: store writes and publishes, one after another in the order they were
sent, by one task, so the room's lock is never held across a network round trip.

A step that fails is retried (Redis restarting); one refused for a stale epoch stops the output
for good and tells the runner that another node owns the room now.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from rooms.store.base import StaleEpoch

log = logging.getLogger(__name__)

WRITE_RETRIES = 20  # a failed step is retried this many times, 0.25 s apart
RETRY_PAUSE_S = 0.25

Step = Callable[[], Awaitable[None]]


class OrderedOutput:
    """Runs sent steps in order, outside the caller's lock."""

    def __init__(self, label: str, on_stale: Callable[[], None]):
        self._label, self._on_stale = label, on_stale
        self._steps: deque[Step] = deque()
        self._writer: asyncio.Task[None] | None = None
        self._stopped = False

    def send(self, step: Step) -> None:
        if self._stopped:
            return
        self._steps.append(step)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write_out())

    @property
    def busy(self) -> bool:
        return self._writer is not None and not self._writer.done()

    async def flushed(self) -> None:
        """Wait until everything sent so far has run."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    def stop(self) -> None:
        """Drop what has not run yet and take nothing more (the room is someone else's now)."""
        self._stopped = True
        self._steps.clear()

    async def _write_out(self) -> None:
        while self._steps and not self._stopped:
            step = self._steps.popleft()
            for attempt in range(WRITE_RETRIES):
                try:
                    await step()
                    break
                except StaleEpoch:
                    log.warning("%s: another node owns it now", self._label)
                    self.stop()
                    self._on_stale()
                    return
                except Exception:
                    log.exception("%s: write failed (attempt %d)", self._label, attempt + 1)
                    await asyncio.sleep(RETRY_PAUSE_S)
