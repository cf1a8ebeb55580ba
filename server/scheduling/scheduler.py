"""The node's scheduler: APScheduler 3 fires each job on every node; a run goes ahead only on the
node that takes the job's lock, reads the time from the injected clock, and is logged when it fails.

Jobs live in code and their work in the database (`scheduled_games` is the source of truth), so
APScheduler keeps no job store: a restart registers the same jobs and finds the same rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from redis.asyncio import Redis

from persistence.db import Database
from rooms.core.clock import Clock
from rooms.node import RoomNode
from server.config import Settings
from server.moments import moment
from server.notifications.notifier import Notifier
from server.scheduling.housekeeping import Housekeeping
from server.scheduling.locks import JobLock, LocalJobLock, RedisJobLock, holding
from server.scheduling.sessions import SessionOpener

log = logging.getLogger(__name__)

STOP_WAIT_S = 5.0
Work = Callable[[Any], Awaitable[Any]]  # the run's time (an aware datetime) -> what it did


@dataclass(frozen=True, slots=True)
class Job:
    """A named piece of work, when it fires, and how long its lock lasts (past that, another node
    may start it again: the work itself stays idempotent)."""

    name: str
    trigger: BaseTrigger
    work: Work
    lock_ms: int


def standard_jobs(opener: SessionOpener, housekeeping: Housekeeping, poll_s: float) -> list[Job]:
    """Opening due sessions every `poll_s` seconds, and the housekeeping."""
    return [
        Job("open_scheduled_games", IntervalTrigger(seconds=poll_s), opener.open_due, 60_000),
        Job(
            "purge_refresh_tokens",
            CronTrigger(minute=17, timezone=UTC),
            housekeeping.purge_refresh_tokens,
            600_000,
        ),
        Job("end_abandoned_games", IntervalTrigger(minutes=5), housekeeping.end_abandoned_games, 300_000),
        Job(
            "daily_badges", CronTrigger(hour=0, minute=5, timezone=UTC), housekeeping.daily_badges, 3_600_000
        ),
    ]


class Scheduler:
    """Runs `jobs` under `lock`, each at most once at a time across the nodes sharing the lock."""

    def __init__(self, jobs: list[Job], lock: JobLock, clock: Clock):
        self.jobs = {job.name: job for job in jobs}
        self._lock, self._clock = lock, clock
        self._aps: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[Any]] = set()
        self._stopped = False

    def add(self, job: Job) -> None:
        """Another feature's job (e.g. `app.state.scheduler.add(Job(...))`), before or after `start`."""
        self.jobs[job.name] = job
        if self._aps is not None:
            self._register(job)

    def _register(self, job: Job) -> None:
        # One run at a time per node; runs missed while the loop was busy fold into one.
        assert self._aps is not None
        self._aps.add_job(
            self._fire,
            job.trigger,
            args=[job.name],
            id=job.name,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )

    async def run(self, name: str) -> Any:
        """One run of job `name` now, if this node takes its lock; None otherwise. Tests call it
        directly, with the clock where they want it."""
        job = self.jobs[name]
        async with holding(self._lock, f"job:{name}", job.lock_ms) as mine:
            if not mine:
                return None
            return await job.work(moment(self._clock.now_ms()))

    async def _fire(self, name: str) -> None:
        if self._stopped:  # fired just before the shutdown took effect
            return
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await self.run(name)
        except Exception:  # the database or Redis is away: the next firing tries again
            log.exception("scheduled job %s failed", name)
        finally:
            if task is not None:
                self._running.discard(task)

    def start(self) -> None:
        """Start firing the jobs on their triggers (on the running loop)."""
        self._aps = AsyncIOScheduler(timezone=UTC)
        for job in self.jobs.values():
            self._register(job)
        self._aps.start()

    @property
    def scheduled(self) -> list[str]:
        """The ids of the jobs APScheduler fires (none before `start` or after `stop`)."""
        if self._aps is None or not self._aps.running:
            return []
        return [job.id for job in self._aps.get_jobs()]

    async def stop(self) -> None:
        """Stop firing and wait for the runs in flight (they may hold the database)."""
        self._stopped = True
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
            await asyncio.sleep(0)  # APScheduler shuts down on the loop's next turn
        if self._running:
            await asyncio.wait(list(self._running), timeout=STOP_WAIT_S)
        for task in list(self._running):  # stuck on a dependency: its transaction rolls back
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def build_scheduler(
    settings: Settings, database: Database, node: RoomNode, notifier: Notifier, redis: Redis | None
) -> Scheduler:
    """The node's scheduler with the standard jobs; locks in Redis when the nodes share one."""
    lock: JobLock = (
        RedisJobLock(redis, settings.redis_prefix) if redis is not None else LocalJobLock(node.clock)
    )
    opener = SessionOpener(database, node, notifier, settings.secret_key)
    housekeeping = Housekeeping(database, node, notifier)
    return Scheduler(standard_jobs(opener, housekeeping, settings.scheduler_poll_s), lock, node.clock)
