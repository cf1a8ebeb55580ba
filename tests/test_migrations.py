"""The alembic migrations build exactly the models' schema, and come back down, on both databases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from migrations.runner import alembic_config, downgrade, upgrade
from persistence.models import Base


def _diff(connection: object) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def _tables(connection: object) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def _round_trip(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        await upgrade(conn)
        assert await conn.run_sync(_diff) == []
        assert await conn.run_sync(_tables) == set(Base.metadata.tables)
        await downgrade(conn)
        assert await conn.run_sync(_tables) == set()
        await upgrade(conn)  # and back up again: downgrade left nothing behind that blocks it
        assert await conn.run_sync(_diff) == []
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: object,
                       throwaway_postgres: Callable[[], str]) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/migrations.db"
    return throwaway_postgres()


async def test_upgrade_matches_models_and_downgrade_empties(empty_database_url: str) -> None:
    await _round_trip(empty_database_url)


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    assert len(script.get_heads()) == 1


async def test_upgrade_is_idempotent(tmp_path: object) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/twice.db", poolclass=NullPool)
    conn: AsyncConnection
    async with engine.connect() as conn:
        await upgrade(conn)
        await upgrade(conn)
        assert await conn.run_sync(_diff) == []
    await engine.dispose()
