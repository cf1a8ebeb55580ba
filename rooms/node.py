"""This process's rooms: opens them, finds them by PIN, and routes every socket's frames.

One policy for all frames: rate-limited per socket, parsed once, refused with an `error` frame
that changes nothing (only an oversized frame closes its socket, with 1009).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rooms.bus.memory import Bus
from rooms.core.clock import Clock, Handle
from rooms.core.events import RoomError
from rooms.core.game import Game
from rooms.core.outcomes import Rewards
from rooms.core.protocol import (
    FIRST_FRAME_TYPES,
    HOST_COMMANDS,
    AnswerFrame,
    Frame,
    FrameError,
    Host,
    Join,
    Pong,
    Resume,
    parse_frame,
)
from rooms.core.results import ResultsSink
from rooms.core.state import Account, Phase, RoomState
from rooms.edge.edge import Connection, RoomEdge, hash_token
from rooms.edge.ratelimit import AddressLimiter, TokenBucket
from rooms.owner.runner import RoomRunner
from rooms.store.memory import RoomStore

log = logging.getLogger(__name__)

PING_INTERVAL_MS = 5_000
CLOSE_TOO_LARGE, CLOSE_GOING_AWAY = 1009, 1013
PIN_ATTEMPTS = 100

Authenticate = Callable[[str], Awaitable[Account | None]]


async def _no_accounts(token: str) -> Account | None:
    return None


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-socket and per-address rates (frames a second, joins a minute)."""

    frames_per_second: float = 20
    frame_burst: float = 40
    joins_per_address_per_minute: int = 600


class RoomNode:
    """The rooms this node owns and serves, and the front door for every socket."""

    def __init__(
        self,
        store: RoomStore,
        bus: Bus,
        clock: Clock,
        sink: ResultsSink,
        rewards: Rewards,
        authenticate: Authenticate = _no_accounts,
        limits: Limits = Limits(),
    ):
        self.store, self.bus, self.clock, self.sink, self.rewards = store, bus, clock, sink, rewards
        self.authenticate = authenticate
        self.limits = limits
        self.runners: dict[str, RoomRunner] = {}
        self.edges: dict[str, RoomEdge] = {}
        self._joins = AddressLimiter(limits.joins_per_address_per_minute)
        self._recent_pings: deque[int] = deque(maxlen=4)
        self._ping_timer: Handle | None = None

    # --- rooms -----------------------------------------------------------------------------------

    async def new_pin(self) -> str:
        """A 6-digit PIN no live room holds, reserved in the store."""
        for _ in range(PIN_ATTEMPTS):
            pin = f"{secrets.randbelow(1_000_000):06d}"
            if await self.store.reserve_pin(pin):
                return pin
        raise RuntimeError("no free PIN found: too many live rooms")

    async def open_room(self, state: RoomState) -> RoomRunner:
        game = Game(state, self.rewards)
        runner = RoomRunner(game, self.store, self.bus, self.clock, self.sink, on_disposed=self._forget)
        await self.store.save(state)
        self.runners[state.pin] = runner
        self.edges[state.pin] = RoomEdge(runner, self.store, self.bus, self.clock)
        return runner

    def _forget(self, pin: str) -> None:
        self.runners.pop(pin, None)
        self.edges.pop(pin, None)

    def _edge(self, pin: str) -> RoomEdge:
        edge = self.edges.get(pin)
        if edge is None:
            raise RoomError("not_found", "No live room has that PIN")
        return edge

    # --- sockets ---------------------------------------------------------------------------------

    def connect(self, connection: Connection) -> None:
        connection.extra["bucket"] = TokenBucket(
            self.limits.frames_per_second, self.limits.frame_burst, self.clock.now_ms()
        )

    async def handle(self, connection: Connection, data: str | bytes) -> None:
        """One frame from a socket. Never raises for anything a client sends."""
        if connection.closed:  # superseded or kicked: a socket we closed can no longer act
            return
        if not connection.extra["bucket"].take(self.clock.now_ms()):
            await connection.error("rate_limited", "Too many frames; slow down")
            return
        try:
            frame = parse_frame(data)
        except FrameError as exc:
            await connection.error(exc.code, exc.message)
            if exc.code == "too_large":
                await connection.close(CLOSE_TOO_LARGE, "frame too large")
            return
        try:
            if connection.role is None:
                await self._first(connection, frame)
            else:
                await self._later(connection, frame)
        except RoomError as exc:
            await connection.error(exc.code, exc.message)

    async def _first(self, connection: Connection, frame: Frame) -> None:
        match frame:
            case Join():
                if not self._joins.allow(connection.address, self.clock.now_ms()):
                    raise RoomError("rate_limited", "Too many joins from your address; wait a minute")
                edge = self._edge(frame.pin)
                account = await self._account(frame.token) if frame.token else None
                await edge.join(connection, frame.nickname, account)
            case Host():
                await self._edge(frame.pin).seat_host(connection, frame.token)
            case Resume():
                await self._resume(connection, frame)
            case Frame(type="queue") | Frame(type="subscribe"):
                raise RoomError("not_found", f"`{frame.type}` is not available on this server yet")
            case _:
                raise RoomError(
                    "bad_request", "The first frame must be join, host, resume, queue or subscribe"
                )

    async def _account(self, token: str) -> Account:
        account = await self.authenticate(token)
        if account is None:
            raise RoomError("unauthorized", "That access token is not valid")
        return account

    async def _resume(self, connection: Connection, frame: Resume) -> None:
        grant = await self.store.resume_grant(hash_token(frame.token), self.clock.now_ms())
        if grant is None:
            raise RoomError("unauthorized", "That resume token is not valid (expired, revoked or unknown)")
        edge = self._edge(grant.pin)
        player = edge.game.state.players.get(grant.player_id)
        if player is None or player.kicked:
            raise RoomError("kicked", "You were removed from this room")
        if player.left:
            raise RoomError("unauthorized", "You left this room")
        await edge.resume(connection, player, frame.last_seq)

    async def _later(self, connection: Connection, frame: Frame) -> None:
        edge = self._edge(connection.pin or "")
        match frame:
            case AnswerFrame():
                if connection.role != "player":
                    raise RoomError("forbidden", "Only players answer")
                await edge.answer(connection, frame)
            case Frame(type="ping"):
                await connection.send_frame(
                    {"type": "pong", "t": getattr(frame, "t", 0), "server_time": self.clock.now_ms()}
                )
            case Pong():
                self._pong(connection, frame)
            case Frame(type="leave"):
                await self._leave(connection, edge)
            case Frame(type=kind) if kind in HOST_COMMANDS:
                if connection.role != "host":
                    raise RoomError("forbidden", "Only the host may do that")
                await edge.runner.command(frame)
            case Frame(type=kind) if kind in FIRST_FRAME_TYPES:
                raise RoomError("bad_request", "This socket already has a role")
            case _:
                raise RoomError("bad_request", f"`{frame.type}` is not expected here")

    def _pong(self, connection: Connection, frame: Pong) -> None:
        # Only the times we sent count: a client cannot buy itself a larger allowance.
        if frame.t in self._recent_pings or frame.t == connection.extra.get("ping_t"):
            connection.record_rtt(self.clock.now_ms() - frame.t)

    async def _leave(self, connection: Connection, edge: RoomEdge) -> None:
        await edge.depart(connection)
        if connection.role == "player" and connection.player_id:
            await edge.runner.leave(connection.player_id)
        await connection.close(1000, "left")

    async def disconnected(self, connection: Connection) -> None:
        connection.closed = True
        edge = self.edges.get(connection.pin or "")
        if edge is not None:
            await edge.depart(connection)

    # --- round trips -----------------------------------------------------------------------------

    def start(self) -> None:
        self._ping_timer = self.clock.call_at(self.clock.now_ms() + PING_INTERVAL_MS, self._ping_soon)

    def _ping_soon(self) -> None:
        asyncio.get_running_loop().create_task(self.ping_all())
        self.start()

    async def ping_all(self) -> None:
        """One `ping` frame, encoded once, to every player socket on this node, except in rooms with
        a question open (each player's round trip was measured on joining and between questions)."""
        now = self.clock.now_ms()
        self._recent_pings.append(now)
        text = f'{{"type":"ping","t":{now}}}'
        for edge in list(self.edges.values()):
            if edge.game.state.phase is Phase.QUESTION:
                continue  # thousands of pongs would land on the answer burst; measure between questions
            for connection in list(edge.players.values()):
                await connection.peer.send(text)

    async def stop(self) -> None:
        """Going away: every socket gets 1013 so its client resumes elsewhere."""
        if self._ping_timer is not None:
            self._ping_timer.cancel()
        for edge in list(self.edges.values()):
            await edge.close_all(CLOSE_GOING_AWAY, "server going away")
        for runner in list(self.runners.values()):
            runner.cancel_timers()
