"""Shared pieces of the scheduling and notification tests: an app on a manual clock, accounts, a quiz,
and a socket stand-in that keeps the frames it is sent."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson

from persistence.db import Database
from rooms.core.clock import ManualClock
from server.app import create_app
from server.config import Settings
from server.passwords import Passwords

HOUR_MS = 3_600_000
QUIZ: dict[str, Any] = {
    "title": "Capitals",
    "published": False,
    "questions": [
        {
            "kind": "single",
            "text": "Capital of France?",
            "options": [{"text": "Paris", "correct": True}, {"text": "Lyon"}],
        }
    ],
}


def today_clock() -> ManualClock:
    """A manual clock starting now (rows stamped by the database agree with it on the day)."""
    return ManualClock(start_ms=time.time_ns() // 1_000_000)


def app_on(settings: Settings, database: Database, clock: ManualClock) -> Any:
    """The app on `clock`, its lifespan not started (uvicorn starts it)."""
    app = create_app(settings, database=database, clock=clock)
    app.state.password_hasher = Passwords(4, time_cost=1, memory_cost=1024, parallelism=1)
    return app


@asynccontextmanager
async def running(settings: Settings, database: Database, clock: ManualClock) -> AsyncIterator[Any]:
    """The app with its lifespan (node, notifier, scheduler), on `clock`."""
    app = app_on(settings, database, clock)
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def client_of(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def iso(epoch_ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_ms // 1000))


class Peer:
    """A socket stand-in: keeps every frame sent to it."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.closed_with: int | None = None

    async def send(self, text: str) -> None:
        self.frames.append(orjson.loads(text))

    async def close(self, code: int, reason: str = "") -> None:
        self.closed_with = code

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [frame for frame in self.frames if frame.get("type") == kind]
