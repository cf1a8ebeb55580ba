"""The scheduler as the nodes run it: APScheduler fires each job on its trigger, a run goes ahead
only under the job's lock, and two nodes on one Redis and one database open a due session once:
with the Redis lock, and on the row claim alone (SQLite file and PostgreSQL)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx
from apscheduler.triggers.interval import IntervalTrigger

from persistence.db import Database
from rooms.core.clock import ManualClock
from server.config import Settings
from server.moments import moment
from server.scheduling.locks import LocalJobLock
from server.scheduling.scheduler import Job, Scheduler
from tests.e2e.conftest import sign_up
from tests.scheduling.conftest import migrated
from tests.scheduling.helpers import QUIZ, client_of, iso, running, today_clock
from tests.services import REDIS_URL, need_redis

OPEN_JOB = "open_scheduled_games"
# A few seconds ahead, not an hour: moving a node's manual clock fires every sweep and ping it would
# have made meanwhile, and an hour's worth on Redis would take every pooled connection at once.
SOON_MS = 3_000
WAIT_S = 5.0


async def test_apscheduler_fires_each_job_under_its_lock() -> None:
    clock = ManualClock()
    runs: list[datetime] = []
    fired = asyncio.Event()

    async def work(now: datetime) -> int:
        runs.append(now)
        fired.set()
        return len(runs)

    lock = LocalJobLock(clock)
    scheduler = Scheduler([Job("tick", IntervalTrigger(seconds=0.05), work, 60_000)], lock, clock)
    scheduler.start()
    try:
        assert scheduler.scheduled == ["tick"]
        await asyncio.wait_for(fired.wait(), WAIT_S)  # APScheduler's own timer, on the running loop
        assert runs[0].timestamp() * 1000 == clock.now_ms()  # the run reads the injected clock
        token = await lock.acquire("job:tick", 60_000)  # another node holds it: this one skips
        assert token is not None and await scheduler.run("tick") is None
        await lock.release("job:tick", token)
        assert await scheduler.run("tick") == len(runs)
    finally:
        await scheduler.stop()
    assert scheduler.scheduled == []


async def test_the_app_starts_its_scheduler_with_the_standard_jobs(
    settings: Settings, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/app.db"
    await migrated(url)
    local = Settings(**{**settings.__dict__, "database_url": url, "data_dir": tmp_path})
    from server.app import create_app

    app = create_app(local)  # owns its database, as `quizarena serve` does: the jobs fire by themselves
    async with app.router.lifespan_context(app):
        assert set(app.state.scheduler.scheduled) >= {
            "daily_badges",
            "end_abandoned_games",
            OPEN_JOB,
            "purge_refresh_tokens",
        }


def node_settings(settings: Settings, name: str, prefix: str | None) -> Settings:
    redis = {"redis_url": REDIS_URL, "redis_prefix": prefix} if prefix else {}
    return Settings(**{**settings.__dict__, "node_id": name, **redis})


async def schedule_one(http: httpx.AsyncClient, starts_ms: int) -> int:
    host = await sign_up(http, "hana")
    quiz_id = (await http.post("/quizzes", json=QUIZ, headers=host)).json()["id"]
    made = await http.post(
        "/games/scheduled", json={"quiz_id": quiz_id, "starts_at": iso(starts_ms)}, headers=host
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def test_two_nodes_on_one_redis_open_a_session_once(
    settings: Settings, shared_database: Callable[[], Database]
) -> None:
    need_redis()
    prefix = f"test-{secrets.token_hex(4)}"
    clock = today_clock()
    a_settings, b_settings = node_settings(settings, "a", prefix), node_settings(settings, "b", prefix)
    async with (
        running(a_settings, shared_database(), clock) as a,
        running(b_settings, shared_database(), clock) as b,
    ):
        async with client_of(a) as http:
            session_id = await schedule_one(http, clock.now_ms() + SOON_MS)
        clock.advance(SOON_MS)
        results = await asyncio.gather(*(app.state.scheduler.run(OPEN_JOB) for app in (a, b, a, b)))
        opened = [item for result in results if result for item in result]
        assert [o.scheduled_id for o in opened] == [session_id]
        owners = [app for app in (a, b) if opened[0].pin in app.state.node.runners]
        assert len(owners) == 1  # the node that opened it owns its room


async def test_without_the_lock_the_row_claim_still_opens_a_session_once(
    settings: Settings, shared_database: Callable[[], Database]
) -> None:
    clock = today_clock()
    a_settings, b_settings = node_settings(settings, "a", None), node_settings(settings, "b", None)
    async with (
        running(a_settings, shared_database(), clock) as a,
        running(b_settings, shared_database(), clock) as b,
    ):
        async with client_of(a) as http:
            session_id = await schedule_one(http, clock.now_ms() + SOON_MS)
        clock.advance(SOON_MS)
        # Each node's own in-process lock does not see the other: both run, the UPDATE decides.
        opener_a, opener_b = (app.state.scheduler.jobs[OPEN_JOB].work for app in (a, b))
        now = moment(clock.now_ms())
        results = await asyncio.gather(opener_a(now), opener_b(now))
        assert [o.scheduled_id for result in results for o in result] == [session_id]
