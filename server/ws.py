"""The WebSocket edge at `GET /ws`: origin check, per-address socket cap, the socket loop with its
silence limits, and a peer with a bounded queue.

It sits in front of Starlette's routing as ASGI middleware so that it holds the server's own
`send`: that lets a broadcast see when a client's socket is backed up (uvicorn pauses writing)
and queue for it instead of stalling the loop over every other player.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from rooms.core.protocol import MAX_FRAME_BYTES
from rooms.edge.edge import Connection

log = logging.getLogger(__name__)

WS_PATH = "/ws"
MAX_QUEUED_FRAMES = 256  # a client this far behind is closed with 1013 and resumes (snapshot)
CLOSE_POLICY, CLOSE_TRY_AGAIN = 1008, 1013
UVICORN_BAD_UTF8 = "Invalid UTF-8 sequence received from client."
UVICORN_ACCEPTED = '%s - "WebSocket %s" [accepted]'


@dataclass(frozen=True)
class SocketLimits:
    """How long a socket may stay silent, before its first frame and after, and how many sockets one
    client address may hold open (settings `ws_first_frame_timeout_s`, `ws_idle_timeout_s`,
    `ws_max_sockets_per_address`)."""

    first_frame_s: float = 10.0
    idle_s: float = 300.0
    per_address: int = 1000


class _QuietSockets(logging.Filter):
    """uvicorn logs a line for every accepted WebSocket: 10,000 of them for one big room, and a
    few percent of the node's CPU while they join; /health counts sockets instead. It also closes a
    socket that sends a text frame of invalid UTF-8 with 1007, as it should, but logs the client's
    mistake with a stack trace: keep that as one line of INFO."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == UVICORN_ACCEPTED:
            return False
        if record.msg == UVICORN_BAD_UTF8 and record.exc_info:
            record.msg, record.args = "closed a WebSocket with 1007: a text frame was not UTF-8", ()
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def quiet_sockets(logger: logging.Logger | None = None) -> None:
    """Installs the filter on uvicorn's error logger, once."""
    logger = logger or logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietSockets) for f in logger.filters):
        logger.addFilter(_QuietSockets())


@lru_cache(maxsize=64)
def text_frame(text: str) -> bytes:
    """`text` as one unmasked WebSocket text frame (what a server sends), by the websockets library.
    Cached: a broadcast passes the same string for every socket, so it is framed once and every
    socket gets the same bytes (at most 64 recent frames are kept)."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


# What a direct write reads of uvicorn's protocol: a uvicorn that renames any of it gets the ASGI path.
_PROTOCOL_PARTS = ("transport", "conn", "disconnected", "close_sent", "writable")


def _sansio_protocol(send: Send) -> WebSocketsSansIOProtocol | None:
    """uvicorn's sans-I/O WebSocket protocol behind `send`, when that is what serves the socket."""
    protocol = getattr(send, "__self__", None)
    if isinstance(protocol, WebSocketsSansIOProtocol) and all(hasattr(protocol, p) for p in _PROTOCOL_PARTS):
        return protocol
    return None


class AsgiPeer:
    """One client socket. Writes go straight out while the transport takes them; when it is paused
    (the client reads slower than we write), frames wait in a bounded queue drained by one task.

    Under uvicorn's sans-I/O protocol (how `quizarena serve` runs) a text frame goes to the socket's
    transport at once, framed once per broadcast (`text_frame`): uvicorn's ASGI `send` would frame the
    same text again for each of thousands of sockets. At once, not at the end of the loop turn: the
    edge stamps when each player's question left, and that stamp starts the player's clock. Anything
    else (closing, other servers) goes through ASGI `send`."""

    __slots__ = ("_send", "_protocol", "_writable", "_queue", "_drainer", "closed")

    def __init__(self, send: Send):
        self._send = send
        self._protocol = _sansio_protocol(send)
        writable = getattr(getattr(send, "__self__", None), "writable", None)
        self._writable: asyncio.Event | None = writable if isinstance(writable, asyncio.Event) else None
        self._queue: deque[str] | None = None  # made when first needed: an empty deque is 600 bytes
        self._drainer: asyncio.Task[None] | None = None
        self.closed = False

    async def send(self, text: str) -> None:
        if self.closed:
            return
        if self._queue or (self._writable is not None and not self._writable.is_set()):
            if self._queue is None:
                self._queue = deque()
            if len(self._queue) >= MAX_QUEUED_FRAMES:
                await self.close(CLOSE_TRY_AGAIN, "client too slow; resume")
                return
            self._queue.append(text)
            if self._drainer is None or self._drainer.done():
                self._drainer = asyncio.get_running_loop().create_task(self._drain())
            return
        await self._write(text)

    async def _write(self, text: str) -> None:
        protocol = self._protocol
        if protocol is None:
            try:
                await self._send({"type": "websocket.send", "text": text})
            except Exception:  # the client is gone; the receive loop will see the disconnect
                self.closed = True
        elif protocol.disconnected or protocol.close_sent or protocol.conn.state is not State.OPEN:
            self.closed = True  # what uvicorn's `send` checks first
        else:
            # uvicorn's own writes (pings, pongs, the close) each go out whole, so ours cannot split one.
            protocol.transport.write(text_frame(text))

    async def _drain(self) -> None:
        while self._queue and not self.closed:  # never None here: `send` made it
            if self._writable is not None:
                await self._writable.wait()
            if self._queue:  # a close while waiting empties it
                await self._write(self._queue.popleft())

    async def close(self, code: int, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        self._queue = None
        with contextlib.suppress(Exception):  # already closed by the client
            await self._send({"type": "websocket.close", "code": code, "reason": reason})


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools HTTP protocol, without the garbage it leaves behind on every WebSocket.

    Its parser calls back into it, so the two form a cycle, which uvicorn breaks when the connection
    is lost. A connection upgraded to a WebSocket is handed to the WebSocket protocol instead and
    never loses it, so the pair is left for the garbage collector, and the process's freezes
    (`rooms/collector.py`) kept it: about 4 KiB a player in many small rooms."""

    def handle_websocket_upgrade(self) -> None:
        super().handle_websocket_upgrade()
        self.parser = None  # type: ignore[assignment]  # what uvicorn's connection_lost does


# How uvicorn serves sockets, for `quizarena serve` and the tests alike. From DESIGN.md: sans-I/O websockets
# is the fastest uvicorn protocol, and per-message compression costs CPU and memory per connection.
UVICORN_SOCKETS: dict[str, Any] = {
    "http": HttpProtocol,
    "ws": "websockets-sansio",
    "ws_per_message_deflate": False,
    "ws_max_size": MAX_FRAME_BYTES,
}


def origin_allowed(scope: Scope, allowed: tuple[str, ...]) -> bool:
    """ALLOWED_ORIGINS when set; otherwise same-origin browsers and non-browser clients (no Origin)."""
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    if origin is None:
        return True
    if allowed:
        return "*" in allowed or origin in allowed
    return urlsplit(origin).netloc == headers.get("host", "")


def _address(scope: Scope) -> str:
    client = scope.get("client") or ("", 0)
    return str(client[0])


class WebSocketGateway:
    """ASGI middleware that serves `/ws` itself and passes everything else on."""

    def __init__(self, app: ASGIApp, limits: SocketLimits | None = None):
        self.app = app
        self.limits = limits or SocketLimits()
        self.open_by_address: dict[str, int] = {}
        quiet_sockets()

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
        address = _address(scope)
        if self.open_by_address.get(address, 0) >= self.limits.per_address:
            await send({"type": "websocket.close", "code": CLOSE_POLICY, "reason": "too many sockets"})
            return
        self.open_by_address[address] = self.open_by_address.get(address, 0) + 1
        try:
            await serve_socket(state.node, scope, receive, send, self.limits)
        finally:
            left = self.open_by_address.pop(address) - 1
            if left:
                self.open_by_address[address] = left


class SilenceWatch:
    """Closes a socket that stays silent too long (`first_frame_s` before its first frame, `idle_s`
    after): one timer per silence period, not one per frame (a timeout around every `receive` made
    and cancelled a timer for each of 10,000 answers)."""

    __slots__ = ("_loop", "_connection", "_limit_s", "_heard_at", "_timer", "_closing")

    def __init__(self, connection: Connection, first_frame_s: float):
        self._loop = asyncio.get_running_loop()
        self._connection, self._limit_s = connection, first_frame_s
        self._heard_at = self._loop.time()
        self._timer = self._loop.call_at(self._heard_at + first_frame_s, self._check)
        self._closing: asyncio.Task[None] | None = None  # held: the loop keeps only weak references

    def heard(self, idle_s: float) -> None:
        """A frame arrived: the socket may now stay silent for `idle_s`. O(1), no timer."""
        self._heard_at, self._limit_s = self._loop.time(), idle_s

    def _check(self) -> None:
        due = self._heard_at + self._limit_s
        if self._loop.time() < due:  # it spoke since: look again when its new silence would run out
            self._timer = self._loop.call_at(due, self._check)
            return
        # A socket that says nothing holds a slot for nobody; the receive loop then sees it close.
        reason = f"silent for {self._limit_s:g} s"
        self._closing = self._loop.create_task(self._connection.close(CLOSE_POLICY, reason))

    def stop(self) -> None:
        self._timer.cancel()


async def serve_socket(
    node: Any, scope: Scope, receive: Receive, send: Send, limits: SocketLimits | None = None
) -> None:
    limits = limits or SocketLimits()
    peer = AsgiPeer(send)
    connection = Connection(peer, address=_address(scope))
    node.connect(connection)
    silence = SilenceWatch(connection, limits.first_frame_s)
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                break
            silence.heard(limits.idle_s)
            if message["type"] == "websocket.receive" and not connection.closed:
                data = message.get("text")
                await node.handle(connection, data if data is not None else message.get("bytes") or b"")
    finally:
        silence.stop()
        await node.disconnected(connection)
