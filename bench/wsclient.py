"""A lean WebSocket client for thousands of bots in one process: `websockets`' sans-I/O client
protocol (no compression) on a plain asyncio transport.

The asyncio `websockets` client wakes a task per message; this one hands each text frame to a
callback straight from `data_received`, with the `time.perf_counter()` taken when the bytes
reached the process, which keeps the load generator's own cost per frame to a few microseconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import cast

from websockets.client import ClientProtocol
from websockets.exceptions import InvalidState
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

MAX_FRAME_BYTES = 1024 * 1024

OnText = Callable[[float, bytes], None]


class BotSocket(asyncio.Protocol):
    """One client socket. `opened` resolves when the handshake is done; `closed` when it is gone."""

    def __init__(self, uri: str, on_text: OnText):
        self.protocol = ClientProtocol(parse_uri(uri), max_size=MAX_FRAME_BYTES)
        self.on_text = on_text
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self.protocol.send_request(self.protocol.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Frame):
                if event.opcode is Opcode.TEXT:
                    self.on_text(now, bytes(event.data))
            elif isinstance(event, Response):
                self._handshake_done()
        self._flush()

    def _handshake_done(self) -> None:
        if self.opened.done():
            return
        if self.protocol.handshake_exc is not None:
            self.opened.set_exception(self.protocol.handshake_exc)
        else:
            self.opened.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def send_text(self, text: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        try:
            self.protocol.send_text(text)
        except InvalidState:
            return  # the server began closing it (a pong racing a close frame)
        self._flush()

    def close(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        try:
            self.protocol.send_close(1000)
            self._flush()
        except InvalidState:
            pass  # the server is closing it already
        finally:
            self.transport.close()

    def _flush(self) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        for chunk in self.protocol.data_to_send():
            if chunk:
                transport.write(chunk)
            else:  # the protocol's end-of-stream marker: the closing handshake is done
                transport.close()
                return


async def connect(uri: str, on_text: OnText, within_s: float) -> BotSocket:
    """Open one socket and finish its handshake within `within_s` seconds."""
    wsuri = parse_uri(uri)
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(within_s):
        _, bot = await loop.create_connection(lambda: BotSocket(uri, on_text), wsuri.host, wsuri.port)
        try:
            await bot.opened
        except BaseException:
            bot.close()
            raise
    return bot
