"""Browser tests: Debian's Chromium, driven by Playwright, against the real app under uvicorn on a free
port (the e2e harness's `serve`) with a migrated SQLite database and the wall clock, since the pages
count down on the server's time.

Without /usr/bin/chromium the tests skip with the reason; with QUIZARENA_REQUIRE_SERVICES=1 (CI) they
fail instead. Every page's console errors and uncaught exceptions are collected and fail the test.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from migrations.runner import upgrade
from persistence.db import Database
from server.app import create_app
from server.config import Settings
from server.passwords import Passwords
from tests.conftest import TEST_SECRET
from tests.e2e.harness import Client, serve
from tests.services import REQUIRE_SERVICES

CHROMIUM = os.environ.get("QUIZARENA_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WAIT_MS = 10_000  # the longest any expectation waits (Playwright's auto-waiting assertions)
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "correct horse battery"
# An HTTP error status the page handled itself (e.g. a 422 shown next to a field) still makes
# Chromium log "Failed to load resource"; a test says which statuses it provokes on purpose.
HTTP_STATUS_LOG = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")


def need_chromium() -> None:
    """Skip (or, with QUIZARENA_REQUIRE_SERVICES=1, fail) when Chromium is not installed."""
    if os.access(CHROMIUM, os.X_OK):
        return
    message = f"Chromium is not installed at {CHROMIUM}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and QUIZARENA_REQUIRE_SERVICES is set", pytrace=False)
    pytest.skip(f"{message} (apt-get install chromium, or set QUIZARENA_CHROMIUM)")


def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: QUIZARENA_SCREENSHOTS (e.g. docs/screenshots) or the test's tmp dir,
    so an ordinary run does not rewrite the committed images."""
    target = os.environ.get("QUIZARENA_SCREENSHOTS")
    path = Path(target) if target else tmp_path / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Site:
    """The running server: its base URL, the app (for its room node) and an HTTP client on it."""

    base_url: str
    app: Any
    http: httpx.AsyncClient

    async def sign_up(self, username: str) -> dict[str, str]:
        """An account made over REST; returns its Authorization header."""
        response = await self.http.post(
            "/auth/register",
            json={"username": username, "email": f"{username}@example.com", "password": PASSWORD},
        )
        assert response.status_code == 201, response.text
        response = await self.http.post("/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def create_quiz(self, auth: dict[str, str], quiz: dict[str, Any]) -> int:
        response = await self.http.post("/quizzes", json=quiz, headers=auth)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])


async def host_seat(
    site: Site, pages: Pages, name: str, quiz: dict[str, Any], *,
    settings: dict[str, Any] | None = None, viewport: dict[str, int] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """A game of `quiz` created over REST by a new account `name`, its lobby open on the host page
    (the host seat goes into sessionStorage as the page itself keeps it). Returns the page and the
    created game."""
    auth = await site.sign_up(name)
    quiz_id = await site.create_quiz(auth, quiz)
    body = {"quiz_id": quiz_id, "settings": settings or {}}
    response = await site.http.post("/games", json=body, headers=auth)
    assert response.status_code == 201, response.text
    game = response.json()
    seat = {
        "pin": game["pin"], "token": game["host_token"], "gameId": game["id"],
        "joinUrl": game["join_url"], "title": quiz["title"],
    }
    page = await pages.open(name, "/", viewport=viewport)
    # The page's own session too, so it may read the game's results like a signed-in host.
    token = auth["Authorization"].removeprefix("Bearer ")
    await page.evaluate(
        """([seat, token]) => {
            sessionStorage.setItem('quizarena.host', JSON.stringify(seat));
            localStorage.setItem('quizarena.session', JSON.stringify({access_token: token}));
        }""",
        [seat, token],
    )
    await page.goto("/host")
    await page.locator("#pin").wait_for()
    return page, game


async def ws_player(site: Site, pin: str, nickname: str) -> Client:
    """A player on a plain WebSocket (no page), seated in the room: its `welcome` is read."""
    url = site.base_url.replace("http", "ws", 1) + "/ws"
    ws = await asyncio.wait_for(websockets.connect(url), WAIT_MS / 1000)
    player = Client(ws)
    await player.send(type="join", pin=pin, nickname=nickname)
    welcome = await player.expect("welcome")
    assert welcome["role"] == "player", welcome
    return player


@dataclass
class Pages:
    """Opens pages in their own browser contexts (own storage, own viewport) and collects every
    console error and uncaught exception they produce."""

    browser: Any
    base_url: str
    errors: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)
    contexts: list[Any] = field(default_factory=list)
    opened: dict[str, Any] = field(default_factory=dict)

    async def open(self, name: str, path: str, viewport: dict[str, int] | None = None, **options: Any) -> Any:
        context = await self.browser.new_context(
            base_url=self.base_url, viewport=viewport or DESKTOP, accept_downloads=True, **options
        )
        context.set_default_timeout(WAIT_MS)
        self.contexts.append(context)
        page = await context.new_page()
        self.opened[name] = page
        page.on("console", lambda message: self._console(name, message))
        page.on("pageerror", lambda error: self.errors.append(f"{name}: uncaught {error}"))
        page.on("dialog", lambda dialog: self._dialog(name, dialog))
        await page.goto(path)
        return page

    def _dialog(self, name: str, dialog: Any) -> None:
        # The pages never use alert/confirm (they have their own <dialog>): one means injected script.
        self.errors.append(f"{name}: unexpected JavaScript dialog {dialog.message!r}")
        asyncio.ensure_future(dialog.dismiss())

    def _console(self, name: str, message: Any) -> None:
        text = message.text
        if message.type == "error":
            status = HTTP_STATUS_LOG.search(text)
            if status and int(status.group(1)) in self.allowed_statuses:
                return
            self.errors.append(f"{name}: console error {text!r}")
        elif message.type == "warning" and "missing text" in text:
            self.errors.append(f"{name}: {text}")

    def allow_status(self, *statuses: int) -> None:
        """HTTP statuses this test provokes on purpose (the page shows them as messages)."""
        self.allowed_statuses.update(statuses)

    def assert_clean(self) -> None:
        assert not self.errors, "\n".join(self.errors)

    async def keep_evidence(self, folder: Path) -> list[Path]:
        """A screenshot of every page still open, for a failed test's report."""
        saved = []
        for name, page in self.opened.items():
            if page.is_closed():
                continue
            path = folder / f"failure-{name}.png"
            try:
                await page.screenshot(path=str(path), full_page=True, timeout=5_000)
            except Exception:  # evidence is best effort; the failure itself is already reported
                continue
            saved.append(path)
        return saved

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()
        self.contexts.clear()


async def _migrated(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        await upgrade(conn)
    await engine.dispose()


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    url = f"sqlite+aiosqlite:///{tmp_path}/browser.db"
    await _migrated(url)
    database = Database.from_url(url)
    # A short drop grace: a page taken offline holds an open question only briefly on the wall clock.
    settings = Settings(
        env="test",
        secret_key=TEST_SECRET,
        node_id="browser",
        seed_demo=False,
        database_url=url,
        drop_grace_ms=500,
        data_dir=tmp_path,  # uploaded images
    )
    app = create_app(settings, database=database)  # the wall clock: pages count down on it
    app.state.password_hasher = Passwords(4, time_cost=1, memory_cost=1024, parallelism=1)
    async with serve(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=5) as http:
        yield Site(base_url, app, http)
    await database.dispose()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    need_chromium()
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=LAUNCH_ARGS, timeout=30_000
        )
        yield chromium
        await chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture
async def pages(
    browser: Any, site: Site, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Pages]:
    opened = Pages(browser, site.base_url)
    yield opened
    if request.node.stash.get(CALL_FAILED, False):
        for path in await opened.keep_evidence(tmp_path):
            print(f"screenshot of a page at the failure: {path}")
        if opened.errors:
            print("page errors:\n" + "\n".join(opened.errors))
    await opened.close()  # before the server stops, so no socket is left for it to wait on
