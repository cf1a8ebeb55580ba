"""The database handle: one async engine, its session factory, and units of work over it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine

from persistence.uow import UnitOfWork

# A request waits this long for a new database connection before answering 503 (asyncpg's own
# default is 60 s, long past any client's patience).
CONNECT_TIMEOUT_S = 5


def _prepare_sqlite(engine: AsyncEngine, url: str) -> None:
    """Foreign keys on (SQLite ships them off) and WAL for a file database, on every connection."""
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


class Database:
    """Owns the engine; hands out units of work. Build one per process from `DATABASE_URL`."""

    def __init__(self, engine: AsyncEngine, sessionmaker: async_sessionmaker | None = None):
        self.engine = engine
        self.sessionmaker = sessionmaker or async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, **engine_options: Any) -> Database:
        if url.startswith("postgresql"):
            engine_options.setdefault("pool_pre_ping", True)
            engine_options.setdefault("pool_size", 10)
            engine_options.setdefault("connect_args", {"timeout": CONNECT_TIMEOUT_S})
        engine = create_async_engine(url, **engine_options)
        if engine.dialect.name == "sqlite":
            _prepare_sqlite(engine, url)
        return cls(engine)

    @classmethod
    def bound_to(cls, connection: AsyncConnection) -> Database:
        """Sessions that run inside `connection`'s open transaction (tests roll it back afterwards)."""
        maker = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        return cls(connection.engine, maker)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker)

    async def ping(self) -> bool:
        try:
            async with self.sessionmaker() as session:
                await session.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure means "not healthy"; /health reports it
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
