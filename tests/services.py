"""Where the tests find PostgreSQL and Redis, and what happens when they are missing.

On a laptop without them the tests that need them skip with a reason; with
QUIZARENA_REQUIRE_SERVICES=1 (CI sets it) a missing service fails those tests instead.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("QUIZARENA_REQUIRE_SERVICES", "") not in ("", "0", "false")


def answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def need(service: str, url: str, default_port: int) -> None:
    """Skip (or, on CI, fail) the calling test when `service` does not answer at `url`."""
    if answers(url, default_port):
        return
    message = f"{service} is not answering at {url}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and QUIZARENA_REQUIRE_SERVICES is set", pytrace=False)
    pytest.skip(f"{message} (set TEST_{service.upper()}_URL or start it)")


def need_postgres() -> None:
    need("postgres", POSTGRES_ADMIN_URL, 5432)


def need_redis() -> None:
    need("redis", REDIS_URL, 6379)


def need_program(name: str, package: str) -> str:
    """The path of program `name`; skip (or, on CI, fail) the calling test when it is not installed."""
    path = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if path is not None:
        return path
    message = f"{name} is not installed (Debian's {package})"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and QUIZARENA_REQUIRE_SERVICES is set", pytrace=False)
    pytest.skip(message)
