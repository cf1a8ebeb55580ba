"""Running the alembic migrations from code: `quizarena migrate`, `serve` at start-up, and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncConnection

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def alembic_config(url: str, connection: object | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(connection: AsyncConnection, revision: str = "head") -> None:
    """Apply migrations up to `revision` on an open async connection (commits when done)."""
    url = connection.engine.url.render_as_string(hide_password=False)
    await connection.run_sync(lambda sync: command.upgrade(alembic_config(url, sync), revision))
    await connection.commit()


async def downgrade(connection: AsyncConnection, revision: str = "base") -> None:
    url = connection.engine.url.render_as_string(hide_password=False)
    await connection.run_sync(lambda sync: command.downgrade(alembic_config(url, sync), revision))
    await connection.commit()
