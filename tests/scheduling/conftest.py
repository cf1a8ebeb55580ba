"""Fixtures of the scheduling tests: one migrated database that several app instances open."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from migrations.runner import upgrade
from persistence.db import Database


async def migrated(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        await upgrade(conn)
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def shared_database(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: Callable[[], str]
) -> AsyncIterator[Callable[[], Database]]:
    """A migrated database that several app instances open, each with its own engine (as nodes do)."""
    url = f"sqlite+aiosqlite:///{tmp_path}/shared.db" if request.param == "sqlite" else throwaway_postgres()
    await migrated(url)
    opened: list[Database] = []

    def connect() -> Database:
        opened.append(Database.from_url(url))
        return opened[-1]

    yield connect
    for database in opened:
        await database.dispose()
