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

from rooms.core.clock import ManualClock
from server.ws import UVICORN_SOCKETS

WAIT_S = 5.0  # every wait on the network has a timeout; none depends on the clock's speed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Run `app` under uvicorn with the production WebSocket settings; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                            **UVICORN_SOCKETS)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(WAIT_S):
            while True:  # uvicorn offers no "started" event to await
                if server.started:
                    break
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
        # Results reach the database in the background once spooled: a test reads them after this.
        await asyncio.wait_for(self.app.state.results.drainer.drain(), WAIT_S)

    async def advance(self, ms: int) -> None:
        self.clock.advance(ms)
        await self.settle()


# --- helpers for the live-room tests: players, a seated table, and waiting for a close --------------


async def sync(client: Client) -> list[dict[str, Any]]:
    """Round-trip a client `ping`; returns the frames that arrived before its `pong` (so the test
    knows everything the server sent before that point has been read)."""
    marker = len(client.frames) + 0.5
    seen: list[dict[str, Any]] = []
    await client.send(type="ping", t=marker)
    while True:
        frame = await client.recv()
        if frame.get("type") == "pong" and frame.get("t") == marker:
            return seen
        seen.append(frame)


async def closed(client: Client) -> int | None:
    """Read until the server closes the socket; the close code it sent."""
    with contextlib.suppress(websockets.ConnectionClosed):
        while True:
            await client.recv()
    return client.ws.close_code


@dataclass
class Player:
    """A joined player's socket with its `welcome`; by default it never answers pings, so the
    server gives it no round-trip allowance and its credited time is exactly `received - sent`."""

    client: Client
    welcome: dict[str, Any]

    @property
    def id(self) -> str:
        return self.welcome["player"]["id"]

    @property
    def nickname(self) -> str:
        return self.welcome["player"]["nickname"]

    @property
    def resume_token(self) -> str:
        return self.welcome["resume_token"]

    async def send(self, **frame: Any) -> None:
        await self.client.send(**frame)

    async def expect(self, kind: str) -> dict[str, Any]:
        return await self.client.expect(kind)

    async def answer(self, question: int, answer: Any) -> dict[str, Any]:
        await self.client.send(type="answer", question=question, answer=answer)
        return await self.client.expect("answer_ack")

    async def closing(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The three frames a closed question brings, checked to come in PROTOCOL.md's order."""
        reveal = await self.expect("reveal")
        result = await self.client.recv()
        board = await self.client.recv()
        assert (result["type"], board["type"]) == ("result", "scoreboard"), (result, board)
        return reveal, result, board


async def join(
    live: Live, pin: str, nickname: str, *, token: str | None = None, pong: bool = False
) -> Player:
    client = await live.connect()
    client.auto_pong = pong
    frame: dict[str, Any] = {"type": "join", "pin": pin, "nickname": nickname}
    if token is not None:
        frame["token"] = token
    await client.send(**frame)
    welcome = await client.recv()
    assert welcome["type"] == "welcome", welcome
    return Player(client, welcome)


async def host_seat(live: Live, game: dict[str, Any]) -> Client:
    host = await live.connect()
    await host.send(type="host", pin=game["pin"], token=game["host_token"])
    welcome = await host.expect("welcome")
    assert welcome["role"] == "host"
    return host


def option_id(question: dict[str, Any], text: str) -> str:
    """The id of the option shown with `text` in a `question` frame."""
    return next(option["id"] for option in question["options"] if option["text"] == text)


@dataclass
class Table:
    """A host and its players in one room."""

    live: Live
    game: dict[str, Any]
    host: Client
    players: list[Player]
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)  # the latest, by nickname

    def __getitem__(self, nickname: str) -> Player:
        return next(player for player in self.players if player.nickname == nickname)

    async def open_question(self, command: str = "start") -> dict[str, Any]:
        """`start` or `next`; every player's `question` frame (kept in `questions`); the host's."""
        await self.host.send(type=command)
        frame = await self.host.expect("question")
        for player in self.players:
            self.questions[player.nickname] = await player.expect("question")
        return frame


async def seat(live: Live, game: dict[str, Any], *nicknames: str) -> Table:
    """A host and players named `nicknames` in `game`'s lobby, the lobby frame flushed and read."""
    host = await host_seat(live, game)
    players = [await join(live, game["pin"], nickname) for nickname in nicknames]
    if players:
        await live.advance(250)
        lobby = await host.expect("lobby")
        assert lobby["count"] == len(players)
    return Table(live, game, host, players)


async def until(condition: Any, what: str = "condition") -> None:
    """Wait (for network I/O, never for the clock) until `condition()` holds."""
    async with asyncio.timeout(WAIT_S):
        while True:
            if condition():
                return
            await asyncio.sleep(0.005)  # the server's tasks run meanwhile
