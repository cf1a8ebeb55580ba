"""A room's named timers on its clock and the background steps they start (sans sleeping: the
clock fires them, tests advance it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from rooms.core.clock import Clock, Handle

log = logging.getLogger(__name__)

Step = Callable[[], Coroutine[Any, Any, Any]]


class Timers:
    """One timer per name (scheduling a name again replaces it); each fires its step as a task."""

    def __init__(self, clock: Clock, label: str):
        self._clock, self._label = clock, label
        self._timers: dict[str, Handle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def __contains__(self, name: str) -> bool:
        return name in self._timers

    def at(self, name: str, when_ms: int, step: Step) -> None:
        self.cancel(name)
        self._timers[name] = self._clock.call_at(when_ms, lambda: self._fire(name, step))

    def after(self, name: str, delay_ms: int, step: Step) -> None:
        self.at(name, self._clock.now_ms() + delay_ms, step)

    def _fire(self, name: str, step: Step) -> None:
        self._timers.pop(name, None)
        self.spawn(step())

    def cancel(self, *names: str) -> None:
        for name in names:
            handle = self._timers.pop(name, None)
            if handle is not None:
                handle.cancel()

    def cancel_all(self) -> None:
        self.cancel(*list(self._timers))

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: background step failed", self._label, exc_info=task.exception())

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def idle(self) -> None:
        """Wait for the steps started so far (and those they start)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
