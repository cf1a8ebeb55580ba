"""End-to-end fixtures: a migrated database per test (SQLite file or a throwaway PostgreSQL one),
the real app under uvicorn, and a host with a quiz of every question kind."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from migrations.runner import upgrade
from persistence.db import Database
from rooms.core.clock import ManualClock
from server.app import create_app
from server.config import Settings
from server.passwords import Passwords
from tests.conftest import TEST_SECRET
from tests.e2e.harness import Live, serve

EVERY_KIND: dict[str, Any] = {
    "title": "Everything",
    "description": "one of each kind",
    "tags": ["demo"],
    "published": False,
    "questions": [
        {
            "kind": "single",
            "text": "Capital of France?",
            "time_limit": 20,
            "points": 1000,
            "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}],
        },
        {
            "kind": "multiple",
            "text": "Primes?",
            "time_limit": 20,
            "options": [
                {"text": "2", "correct": True},
                {"text": "3", "correct": True},
                {"text": "4", "correct": False},
            ],
        },
        {"kind": "true_false", "text": "The sky is green", "time_limit": 10, "correct": False},
        {
            "kind": "type",
            "text": "Largest ocean?",
            "time_limit": 30,
            "accepted": ["Pacific", "Pacific Ocean"],
        },
        {
            "kind": "slider",
            "text": "Boiling point of water (C)?",
            "min": 0,
            "max": 200,
            "step": 1,
            "correct": 100,
            "tolerance": 5,
        },
        {
            "kind": "ordering",
            "text": "Smallest first",
            "options": [{"text": "1"}, {"text": "2"}, {"text": "3"}],
        },
        {"kind": "poll", "text": "Favourite?", "points": 0, "options": [{"text": "cats"}, {"text": "dogs"}]},
    ],
}


async def _migrated(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        await upgrade(conn)
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: Callable[[], str]
) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/e2e.db"
    return throwaway_postgres()


@pytest.fixture
async def live(database_url: str) -> AsyncIterator[Live]:
    await _migrated(database_url)
    database = Database.from_url(database_url)
    clock = ManualClock(start_ms=time.time_ns() // 1_000_000)  # today, so calendar periods hold the games
    settings = Settings(
        env="test", secret_key=TEST_SECRET, node_id="e2e", seed_demo=False, database_url=database_url
    )
    app = create_app(settings, database=database, clock=clock)
    app.state.password_hasher = Passwords(4, time_cost=1, memory_cost=1024, parallelism=1)
    async with serve(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=5) as http:
        live = Live(base_url, app, clock, http)
        yield live
        for client in live.clients:
            await client.close()
    await database.dispose()


async def sign_up(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    password = "correct horse battery"
    response = await http.post(
        "/auth/register",
        json={"username": username, "email": f"{username}@example.com", "password": password},
    )
    assert response.status_code == 201, response.text
    response = await http.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def create_game(live: Live, quiz: dict[str, Any] | None = None, **settings: Any) -> dict[str, Any]:
    """A host account, its quiz, and a live game of it: `{"pin", "host_token", "id", "auth"}`."""
    auth = await sign_up(live.http, "host")
    response = await live.http.post("/quizzes", json=quiz or EVERY_KIND, headers=auth)
    assert response.status_code == 201, response.text
    response = await live.http.post(
        "/games", json={"quiz_id": response.json()["id"], "settings": settings}, headers=auth
    )
    assert response.status_code == 201, response.text
    return {**response.json(), "auth": auth}
