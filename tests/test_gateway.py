"""The WebSocket gateway's own rules, against the real app under uvicorn: invalid UTF-8 closes with 1007
and no stack trace, silent sockets are closed, and one address may hold only so many sockets."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
import websockets
from sqlalchemy.pool import StaticPool
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from persistence.db import Database
from persistence.models import Base
from server import ws as ws_module
from server.app import create_app
from server.config import Settings, load_settings
from tests.e2e.harness import serve

WAIT_S = 5.0


class Records(logging.Handler):
    """Keeps every record logged on a logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def socket_settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, ws_first_frame_timeout_s=0.5, ws_idle_timeout_s=1.0, ws_max_sockets_per_address=2
    )


@pytest.fixture
async def ws_url(socket_settings: Settings) -> AsyncIterator[str]:
    database = Database.from_url("sqlite+aiosqlite://", poolclass=StaticPool)
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    app = create_app(socket_settings, database=database)
    async with serve(app) as url:
        yield url.replace("http://", "ws://") + "/ws"
    await database.dispose()


@pytest.fixture
def uvicorn_log() -> Iterator[Records]:
    logger = logging.getLogger("uvicorn.error")
    records = Records()
    logger.addHandler(records)
    yield records
    logger.removeHandler(records)


async def closed_with(ws: websockets.ClientConnection) -> tuple[int | None, str]:
    """Reads until the server closes the socket; its close code and reason."""
    with pytest.raises(websockets.ConnectionClosed):
        async with asyncio.timeout(WAIT_S):
            while True:
                await ws.recv()
    received = ws.protocol.close_rcvd
    assert received is not None, "the server did not send a close frame"
    return received.code, received.reason


async def test_invalid_utf8_closes_with_1007_and_no_traceback(ws_url: str, uvicorn_log: Records) -> None:
    async with websockets.connect(ws_url) as ws:
        await ws.send(b'{"type": "ping", "t": "\xff\xfe"}', text=True)
        code, _ = await closed_with(ws)
    assert code == 1007
    await asyncio.sleep(0.1)
    assert uvicorn_log.records, "uvicorn said nothing about the bad frame"
    for record in uvicorn_log.records:
        assert record.exc_info is None and record.levelno < logging.WARNING, record.getMessage()
        assert "Traceback" not in record.getMessage()


async def test_an_accepted_socket_costs_no_log_line(ws_url: str, uvicorn_log: Records) -> None:
    """10,000 players joining would be 10,000 lines (and a few percent of the node's CPU)."""
    logger = logging.getLogger("uvicorn.error")
    level = logger.level
    logger.setLevel(logging.INFO)  # as `quizarena serve` runs it (the harness runs at WARNING)
    try:
        async with websockets.connect(ws_url) as ws:
            await ws.send('{"type": "ping", "t": 1}')
            assert "pong" in str(await ws.recv())
        await asyncio.sleep(0.1)
    finally:
        logger.setLevel(level)
    assert not [r for r in uvicorn_log.records if "[accepted]" in r.getMessage()]


async def test_under_uvicorn_frames_are_written_directly(
    ws_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gateway's own write path (a broadcast framed once) is what serves sockets under uvicorn's
    sans-I/O protocol: a uvicorn that changed what it relies on would fall back to ASGI `send`,
    correct but slower, and this test says so."""
    framed: list[str] = []
    frame_once = ws_module.text_frame

    def counting(text: str) -> bytes:
        framed.append(text)
        return frame_once(text)

    monkeypatch.setattr(ws_module, "text_frame", counting)
    async with websockets.connect(ws_url) as ws:
        await ws.send('{"type": "ping", "t": 7}')
        pong = await ws.recv()
    assert '"pong"' in str(pong) and framed == [pong]


async def test_an_upgraded_socket_leaves_no_http_connection_behind_as_garbage(ws_url: str) -> None:
    """uvicorn's HTTP protocol and its parser form a cycle that uvicorn breaks only when a connection
    is lost; an upgraded one is never lost, so without `HttpProtocol` each socket left the pair for the
    collector (and the process's freezes kept it)."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # keep what the collector finds, to look at it
    try:
        async with websockets.connect(ws_url) as ws:
            await ws.send('{"type": "ping", "t": 1}')
            await ws.recv()
            gc.collect()
            left = [o for o in gc.garbage if isinstance(o, HttpToolsProtocol)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []


async def test_a_socket_without_a_first_frame_is_closed(ws_url: str) -> None:
    async with websockets.connect(ws_url) as ws:
        started = asyncio.get_running_loop().time()
        code, reason = await closed_with(ws)
        waited = asyncio.get_running_loop().time() - started
    assert code == 1008 and "silent" in reason
    assert 0.4 <= waited < 3


async def test_a_socket_is_closed_once_silent_past_the_idle_limit(ws_url: str) -> None:
    async with websockets.connect(ws_url) as ws:
        loop = asyncio.get_running_loop()
        until = loop.time() + 2.0  # twice the idle limit: speaking keeps it open
        while loop.time() < until:
            await ws.send('{"type": "ping", "t": 1}')
            await asyncio.sleep(0.2)
        assert ws.close_code is None
        started = loop.time()
        code, reason = await closed_with(ws)
    assert code == 1008 and "silent" in reason
    assert 0.8 <= loop.time() - started < 3


async def test_one_address_holds_a_bounded_number_of_sockets(ws_url: str) -> None:
    first, second = await websockets.connect(ws_url), await websockets.connect(ws_url)
    try:
        for ws in (first, second):
            await ws.send('{"type": "ping", "t": 1}')
        async with websockets.connect(ws_url) as third:
            code, reason = await closed_with(third)
        assert code == 1008 and "too many" in reason
        await first.close()
        await asyncio.sleep(0.1)
        async with websockets.connect(ws_url) as again:  # a freed slot can be used again
            await again.send('{"type": "ping", "t": 1}')
            await asyncio.sleep(0.2)
            assert again.close_code is None
    finally:
        await first.close()
        await second.close()


def test_socket_limits_have_safe_defaults_and_come_from_the_environment() -> None:
    defaults = load_settings({"SECRET_KEY": "k" * 40})
    assert defaults.ws_first_frame_timeout_s == 10.0
    assert defaults.ws_idle_timeout_s == 300.0
    assert defaults.ws_max_sockets_per_address == 1000
    tuned = load_settings({
        "SECRET_KEY": "k" * 40,
        "WS_FIRST_FRAME_TIMEOUT_S": "3",
        "WS_IDLE_TIMEOUT_S": "60",
        "WS_MAX_SOCKETS_PER_ADDRESS": "20000",
    })
    assert (tuned.ws_first_frame_timeout_s, tuned.ws_idle_timeout_s, tuned.ws_max_sockets_per_address) == (
        3.0, 60.0, 20000,
    )
