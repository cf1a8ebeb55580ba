"""Shared fixtures: a database per backend (SQLite, PostgreSQL), the app, and an HTTP client on it."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool, StaticPool

from persistence.db import Database
from persistence.models import Base
from server.app import create_app
from server.config import Settings
from server.passwords import Passwords
from tests.services import POSTGRES_ADMIN_URL, need_postgres

TEST_SECRET = "test-secret-" + "x" * 40


def run_blocking(coro: Awaitable[None]) -> None:
    """Runs setup coroutines on a loop of their own, even when called from inside a running test loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


async def _create_database(name: str) -> None:
    admin = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()


async def _drop_database(name: str) -> None:
    admin = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session")
def throwaway_postgres() -> Iterator[Callable[[], str]]:
    """Makes throwaway PostgreSQL databases on demand and drops them all at the end of the run."""
    made: list[str] = []

    def make() -> str:
        need_postgres()
        name = f"quizarena_test_{secrets.token_hex(4)}"
        run_blocking(_create_database(name))
        made.append(name)
        return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in made:
        run_blocking(_drop_database(name))


@pytest.fixture(scope="session")
def postgres_schema_url(throwaway_postgres: Callable[[], str]) -> Iterator[Callable[[], str]]:
    """One throwaway database with the schema, made the first time a PostgreSQL test asks."""
    cache: list[str] = []

    async def create_schema(url: str) -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        await engine.dispose()

    def get() -> str:
        if not cache:
            url = throwaway_postgres()
            run_blocking(create_schema(url))
            cache.append(url)
        return cache[0]

    yield get


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """A database with the schema; PostgreSQL tests run in a transaction rolled back afterwards."""
    if request.param == "sqlite":
        database = Database.from_url("sqlite+aiosqlite://", poolclass=StaticPool)
        async with database.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        yield database
        await database.dispose()
        return
    url = request.getfixturevalue("postgres_schema_url")()
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        outer = await conn.begin()
        yield Database.bound_to(conn)
        await outer.rollback()
    await engine.dispose()


@pytest.fixture
def settings() -> Settings:
    return Settings(env="test", secret_key=TEST_SECRET, node_id="test-node", seed_demo=False)


@pytest.fixture
async def app(settings: Settings, db: Database) -> AsyncIterator[object]:
    application = create_app(settings, database=db)
    # Cheap argon2 parameters: the real ones cost ~140 ms a hash and tests hash a lot.
    application.state.password_hasher = Passwords(4, time_cost=1, memory_cost=1024, parallelism=1)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def signup(client: httpx.AsyncClient) -> Callable[..., Awaitable[dict[str, str]]]:
    """Registers and logs in a user; returns the Authorization header for them."""

    async def make(username: str = "alice", password: str = "correct horse battery") -> dict[str, str]:
        response = await client.post("/auth/register", json={
            "username": username, "email": f"{username}@example.com", "password": password})
        assert response.status_code == 201, response.text
        response = await client.post("/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return make
