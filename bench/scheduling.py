"""Scheduled sessions and notifications, timed: one node opening many due sessions (each a game row,
a room and a notification per invitee), and a notification made on node a reaching its user's
`subscribe` socket on node b over Redis (two app instances, node b under uvicorn).

    .venv/bin/python -m bench.scheduling [--sessions 100] [--invitees 30] [--notifications 300] \
        [--postgres URL] [--redis URL]

Without `--postgres`, a temporary SQLite file; with it, a throwaway database next to the one named.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import orjson
import uvicorn
import websockets
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bench.servers import free_port
from migrations.runner import upgrade
from persistence.db import Database
from rooms.core.clock import ManualClock
from server.app import create_app
from server.config import Settings
from server.moments import moment
from server.passwords import Passwords

PASSWORD = "correct horse battery"
QUIZ = {"title": "Bench", "questions": [{"kind": "true_false", "text": "Yes?", "correct": True}]}


@asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """`app` under uvicorn in this loop (its lifespan too), with the production socket settings."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while True:  # uvicorn offers no "started" event to await
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def app_for(url: str, redis_url: str, prefix: str, node: str, clock: ManualClock) -> Any:
    settings = Settings(
        env="test",
        secret_key="bench-" + "x" * 40,
        node_id=node,
        seed_demo=False,
        database_url=url,
        redis_url=redis_url,
        redis_prefix=prefix,
    )
    app = create_app(settings, database=Database.from_url(url), clock=clock)
    app.state.password_hasher = Passwords(4, time_cost=1, memory_cost=1024, parallelism=1)
    return app


async def account(http: httpx.AsyncClient, name: str) -> tuple[int, str]:
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    assert (await http.post("/auth/register", json=body)).status_code == 201
    token = (await http.post("/auth/login", json={"username": name, "password": PASSWORD})).json()[
        "access_token"
    ]
    me = (await http.get("/auth/me", headers={"Authorization": f"Bearer {token}"})).json()
    return int(me["id"]), token


def summary(label: str, samples_ms: list[float]) -> None:
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(f"{label:<58} p50 {statistics.median(ordered):7.2f} ms   p99 {p99:7.2f} ms   (n={len(ordered)})")


async def open_sessions(
    a: Any, http: httpx.AsyncClient, sessions: int, invitees: int, clock: ManualClock
) -> None:
    host, host_token = await account(http, "host")
    names = [f"player{n}" for n in range(invitees)]
    for name in names:  # registered only: logins are throttled per address
        account_body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        assert (await http.post("/auth/register", json=account_body)).status_code == 201
    auth = {"Authorization": f"Bearer {host_token}"}
    quiz_id = (await http.post("/quizzes", json=QUIZ, headers=auth)).json()["id"]
    starts = moment(clock.now_ms()) + timedelta(minutes=1)
    body: dict[str, Any] = {
        "quiz_id": quiz_id, "starts_at": starts.strftime("%Y-%m-%dT%H:%M:%SZ"), "invitees": names
    }
    for _ in range(sessions):
        assert (await http.post("/games/scheduled", json=body, headers=auth)).status_code == 201
    opener = a.state.scheduler.jobs["open_scheduled_games"].work
    opened, runs, began = 0, 0, time.perf_counter()
    while opened < sessions:
        opened += len(await opener(starts + timedelta(seconds=1)))
        runs += 1
    spent = (time.perf_counter() - began) * 1000
    print(
        f"opened {sessions} sessions with {invitees} invitees each in {runs} runs: {spent:,.0f} ms "
        f"({spent / sessions:.1f} ms a session, {sessions * (invitees + 1):,} notifications)"
    )


async def notify_across(a: Any, b_url: str, http: httpx.AsyncClient, count: int) -> None:
    user_id, token = await account(http, "listener")
    async with websockets.connect(b_url.replace("http", "ws", 1) + "/ws") as ws:
        await ws.send(orjson.dumps({"type": "subscribe", "token": token}).decode())
        assert orjson.loads(await ws.recv())["type"] == "subscribed"
        made, delivered = [], []
        for n in range(count):
            began = time.perf_counter()
            await a.state.notifier.notify(user_id, "level_up", f"Level {n}", {"level": n})
            stored = time.perf_counter()
            frame = orjson.loads(await asyncio.wait_for(ws.recv(), 5))
            assert frame["type"] == "notification" and frame["data"]["level"] == n
            arrived = time.perf_counter()
            made.append((stored - began) * 1000)
            delivered.append((arrived - began) * 1000)
    summary("notify() on node a: row committed and published", made)
    summary("notify() on node a to the frame on node b's socket", delivered)


async def run(url: str, redis_url: str, sessions: int, invitees: int, notifications: int) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        await upgrade(conn)
    await engine.dispose()
    clock = ManualClock(start_ms=time.time_ns() // 1_000_000)
    prefix = f"bench-{secrets.token_hex(4)}"
    a, b = app_for(url, redis_url, prefix, "a", clock), app_for(url, redis_url, prefix, "b", clock)
    print(f"{make_url(url).get_backend_name()}, Redis at {redis_url}")
    async with a.router.lifespan_context(a), serve(b) as b_url:
        transport = httpx.ASGITransport(app=a)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=30) as http:
            await open_sessions(a, http, sessions, invitees, clock)
            await notify_across(a, b_url, http, notifications)
        async for key in a.state.redis.scan_iter(match=f"{prefix}:*"):  # the bench's rooms and locks
            await a.state.redis.delete(key)


async def _admin(server_url: str, statement: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


async def main(options: argparse.Namespace) -> None:
    sizes = (options.sessions, options.invitees, options.notifications)
    if options.postgres is None:
        await run(f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/scheduling.db", options.redis, *sizes)
        return
    name = f"quizarena_bench_{secrets.token_hex(4)}"
    await _admin(options.postgres, f'CREATE DATABASE "{name}"')
    try:
        url = make_url(options.postgres).set(database=name).render_as_string(hide_password=False)
        await run(url, options.redis, *sizes)
    finally:
        await _admin(options.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--invitees", type=int, default=30)
    parser.add_argument("--notifications", type=int, default=300)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to make a throwaway database on")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    asyncio.run(main(parser.parse_args()))
