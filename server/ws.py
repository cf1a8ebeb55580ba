"""The WebSocket edge at `GET /ws`: origin check, the socket loop, and a peer with a bounded queue.

It sits in front of Starlette's routing as ASGI middleware so that it holds the server's own
`send`: that lets a broadcast see when a client's socket is backed up (uvicorn pauses writing)
and queue for it instead of stalling the loop over every other player.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from rooms.edge.edge import Connection

log = logging.getLogger(__name__)

WS_PATH = "/ws"
MAX_QUEUED_FRAMES = 256  # a client this far behind is closed with 1013 and resumes (snapshot)
CLOSE_POLICY, CLOSE_TRY_AGAIN = 1008, 1013


class AsgiPeer:
    """One client socket. Writes go straight out while the transport takes them; when it is paused
    (the client reads slower than we write), frames wait in a bounded queue drained by one task."""

    __slots__ = ("_send", "_writable", "_queue", "_drainer", "closed")

    def __init__(self, send: Send):
        self._send = send
        writable = getattr(getattr(send, "__self__", None), "writable", None)
        self._writable: asyncio.Event | None = writable if isinstance(writable, asyncio.Event) else None
        self._queue: deque[str] = deque()
        self._drainer: asyncio.Task[None] | None = None
        self.closed = False

    async def send(self, text: str) -> None:
        if self.closed:
            return
        if self._queue or (self._writable is not None and not self._writable.is_set()):
            if len(self._queue) >= MAX_QUEUED_FRAMES:
                await self.close(CLOSE_TRY_AGAIN, "client too slow; resume")
                return
            self._queue.append(text)
            if self._drainer is None or self._drainer.done():
                self._drainer = asyncio.get_running_loop().create_task(self._drain())
            return
        await self._write(text)

    async def _write(self, text: str) -> None:
        try:
            await self._send({"type": "websocket.send", "text": text})
        except Exception:  # the client is gone; the receive loop will see the disconnect
            self.closed = True

    async def _drain(self) -> None:
        while self._queue and not self.closed:
            await self._write(self._queue.popleft())

    async def close(self, code: int, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        self._queue.clear()
        with contextlib.suppress(Exception):  # already closed by the client
            await self._send({"type": "websocket.close", "code": code, "reason": reason})


def origin_allowed(scope: Scope, allowed: tuple[str, ...]) -> bool:
    """ALLOWED_ORIGINS when set; otherwise same-origin browsers and non-browser clients (no Origin)."""
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    if origin is None:
        return True
    if allowed:
        return "*" in allowed or origin in allowed
    return urlsplit(origin).netloc == headers.get("host", "")


class WebSocketGateway:
    """ASGI middleware that serves `/ws` itself and passes everything else on."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or scope["path"] != WS_PATH:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        if (await receive())["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        if not origin_allowed(scope, state.settings.allowed_origins):
            await send({"type": "websocket.close", "code": CLOSE_POLICY, "reason": "origin not allowed"})
            return
        await serve_socket(state.node, scope, receive, send)


async def serve_socket(node: Any, scope: Scope, receive: Receive, send: Send) -> None:
    client = scope.get("client") or ("", 0)
    connection = Connection(AsgiPeer(send), address=str(client[0]))
    node.connect(connection)
    try:
        while not connection.closed:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                break
            if message["type"] == "websocket.receive":
                data = message.get("text")
                await node.handle(connection, data if data is not None else message.get("bytes") or b"")
    finally:
        await node.disconnected(connection)
