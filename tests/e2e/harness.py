"""A real server for end-to-end tests: uvicorn on a free port in the test's own event loop, the
rooms on a manual clock the test advances, and WebSocket clients that answer the server's pings."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import uvicorn
import websockets

from rooms.clock import ManualClock

WAIT_S = 5.0  # every wait on the network has a timeout; none depends on the clock's speed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Run `app` under uvicorn with the production WebSocket settings; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, ws="websockets-sansio", ws_max_size=64 * 1024,
                            ws_per_message_deflate=False, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(WAIT_S):
            while not server.started:
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, WAIT_S)


@dataclass
class Client:
    """A WebSocket client that keeps every frame it got and answers `ping` at once."""

    ws: Any
    frames: list[dict[str, Any]] = field(default_factory=list)
    auto_pong: bool = True

    async def send(self, **frame: Any) -> None:
        await self.ws.send(orjson.dumps(frame).decode())

    async def send_raw(self, data: str | bytes) -> None:
        await self.ws.send(data)

    async def recv(self) -> dict[str, Any]:
        while True:
            frame = orjson.loads(await asyncio.wait_for(self.ws.recv(), WAIT_S))
            self.frames.append(frame)
            if frame.get("type") == "ping" and self.auto_pong:
                await self.send(type="pong", t=frame["t"])
                continue
            return frame

    async def expect(self, kind: str) -> dict[str, Any]:
        """The next frame of type `kind`, skipping others (kept in `frames`)."""
        while True:
            frame = await self.recv()
            if frame.get("type") == kind:
                return frame

    async def close(self) -> None:
        await self.ws.close()


@dataclass
class Live:
    """A running server: its URLs, its clock, an HTTP client, and WebSocket clients on demand."""

    base_url: str
    app: Any
    clock: ManualClock
    http: httpx.AsyncClient
    clients: list[Client] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ws"

    async def connect(self, **headers: str) -> Client:
        ws = await asyncio.wait_for(websockets.connect(self.ws_url, additional_headers=headers or None,
                                                       max_size=None), WAIT_S)
        client = Client(ws)
        self.clients.append(client)
        return client

    async def settle(self) -> None:
        """Let the work that timers and frames started run to the end."""
        for _ in range(3):
            await asyncio.sleep(0.01)
            for runner in list(self.app.state.node.runners.values()):
                await asyncio.wait_for(runner.idle(), WAIT_S)

    async def advance(self, ms: int) -> None:
        self.clock.advance(ms)
        await self.settle()
