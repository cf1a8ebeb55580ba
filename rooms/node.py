"""This process's front door to the live rooms: it opens rooms, holds the leases of the rooms it
owns, keeps an edge for every room it has sockets in, and routes every socket's frames.

Any node can serve any socket: the edge finds the room through the store, and reaches its owner
in this process or over the bus. A sweep renews this node's leases and takes over rooms whose
owner stopped renewing (a dead or frozen node), carrying them on from the store.

One policy for all frames: rate-limited per socket, parsed once, refused with an `error` frame
that changes nothing (only an oversized frame closes its socket, with 1009).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import orjson

from rooms.bus.base import Bus, Subscription
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
from rooms.core.settings import GameSettings
from rooms.core.state import Account, Phase, RoomState
from rooms.edge.connection import Connection, hash_token
from rooms.edge.edge import RoomEdge
from rooms.edge.ratelimit import AddressLimiter, TokenBucket
from rooms.owner.base import Owner
from rooms.owner.local import LocalOwner
from rooms.owner.remote import OwnerClient, owner_channel, serving
from rooms.owner.runner import DROP_GRACE_MS, RoomRunner
from rooms.store.base import RoomStore

log = logging.getLogger(__name__)

PING_INTERVAL_MS = 5_000
CLOSE_POLICY, CLOSE_TOO_LARGE, CLOSE_GOING_AWAY = 1008, 1009, 1013
# Refused frames a socket may earn: a burst (a page retrying during a failover) is fine, a client that
# keeps sending bad frames is closed instead of answered forever.
REFUSALS_PER_SECOND, REFUSAL_BURST = 1.0, 30.0
PIN_ATTEMPTS = 100
DRAIN_POLL_S = 0.5

Authenticate = Callable[[str], Awaitable[Account | None]]


async def _no_accounts(token: str) -> Account | None:
    return None


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-socket and per-address rates (frames a second, joins a minute), and how long a player who
    dropped mid-question holds it open."""

    frames_per_second: float = 20
    frame_burst: float = 40
    joins_per_address_per_minute: int = 600
    drop_grace_ms: int = DROP_GRACE_MS


@dataclass(frozen=True, slots=True)
class Leases:
    """How long an owner's lease lasts without renewal, and how often the sweep runs. The embedded
    default (one process, memory store) never lets a lease lapse."""

    ttl_ms: int = 365 * 24 * 3600_000
    sweep_ms: int = 1_000


@dataclass(frozen=True, slots=True)
class NewRoom:
    """What a caller knows of a game it opens: the rest (PIN, seed, clock) is the node's."""

    game_id: int
    title: str
    settings: GameSettings
    questions_doc: list[dict]
    host_token: str
    host_user_id: int | None
    kind: str = "quiz"


class NodeDraining(RuntimeError):
    """The node is shutting down and opens no new rooms; another node (or its restart) will."""


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
        node_id: str | None = None,
        leases: Leases = Leases(),
    ):
        self.store, self.bus, self.clock, self.sink, self.rewards = store, bus, clock, sink, rewards
        self.authenticate = authenticate
        self.limits = limits
        self.node_id = node_id or secrets.token_hex(4)
        self.leases = leases
        self.runners: dict[str, RoomRunner] = {}  # the rooms this node owns
        self._serving: dict[str, Subscription] = {}
        self.edges: dict[str, RoomEdge] = {}  # the rooms this node has sockets in
        self._client = OwnerClient(bus, self.node_id)
        self._joins = AddressLimiter(limits.joins_per_address_per_minute)
        self._recent_pings: deque[int] = deque(maxlen=4)
        self._timers: list[Handle] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepting = True
        self.stopped = False
        self.store_lost = False

    # --- opening and owning rooms ----------------------------------------------------------------

    async def reserve_pin(self) -> str:
        """A 6-digit PIN no live room holds, reserved in the store."""
        if not self.accepting:
            raise NodeDraining("this server is shutting down; open the game on another one")
        for _ in range(PIN_ATTEMPTS):
            pin = f"{secrets.randbelow(1_000_000):06d}"
            if await self.store.reserve_pin(pin):
                return pin
        raise RuntimeError("no free PIN found: too many live rooms")

    async def open_game(self, pin: str, room: NewRoom) -> RoomRunner:
        """Open a room under a PIN from `reserve_pin` (once its game row is committed); this node owns it."""
        state = RoomState(
            pin=pin,
            game_id=room.game_id,
            kind=room.kind,
            title=room.title,
            settings=room.settings,
            questions_doc=room.questions_doc,
            host_token_hash=hash_token(room.host_token),
            host_user_id=room.host_user_id,
            created_at_ms=self.clock.now_ms(),
        )
        await self.store.create(state)
        epoch = await self.store.acquire_lease(pin, self.node_id, self.leases.ttl_ms)
        if epoch is None:
            raise RuntimeError(f"room {pin} was taken by another node as it opened")
        return await self._own(state, epoch)

    async def _own(self, state: RoomState, epoch: int) -> RoomRunner:
        runner = RoomRunner(
            Game(state, self.rewards),
            self.store,
            self.bus,
            self.clock,
            self.sink,
            epoch,
            on_disposed=self._forget,
            drop_grace_ms=self.limits.drop_grace_ms,
        )
        self.runners[state.pin] = runner
        self._serving[state.pin] = await self.bus.subscribe(
            owner_channel(state.pin), serving(LocalOwner(runner), runner.publish)
        )
        return runner

    def _forget(self, pin: str) -> None:
        self.runners.pop(pin, None)
        subscription = self._serving.pop(pin, None)
        if subscription is not None:
            self._spawn(subscription.close())

    def owner(self, pin: str) -> Owner:
        runner = self.runners.get(pin)
        return LocalOwner(runner) if runner is not None else self._client.owner(pin)

    async def _take_over(self, pin: str) -> bool:
        """Take a room whose lease lapsed: load it and carry on its clock from the store."""
        epoch = await self.store.acquire_lease(pin, self.node_id, self.leases.ttl_ms)
        if epoch is None:
            return False
        state = await self.store.load(pin)
        if state is None:
            await self.store.release_lease(pin, self.node_id, epoch)
            return False
        log.warning("node %s: taking over room %s (epoch %d)", self.node_id, pin, epoch)
        runner = await self._own(state, epoch)
        await runner.took_over()
        return True

    async def sweep(self) -> None:
        """Renew our leases; stand down where one was lost; take over rooms nobody owns."""
        for pin, runner in list(self.runners.items()):
            if not await self.store.renew_lease(pin, self.node_id, runner.epoch, self.leases.ttl_ms):
                log.warning("node %s: lost the lease of room %s", self.node_id, pin)
                runner.stand_down()
        if not self.accepting:
            return
        for pin in await self.store.live_pins():
            if pin not in self.runners and await self.store.lease_holder(pin) is None:
                await self._take_over(pin)

    # --- edges -----------------------------------------------------------------------------------

    async def _edge(self, pin: str) -> RoomEdge:
        edge = self.edges.get(pin)
        if edge is not None:
            return edge
        info = await self.store.info(pin)
        if info is None:
            raise RoomError("not_found", "No live room has that PIN")
        edge = self.edges.get(pin)  # another socket may have made it meanwhile
        if edge is None:
            edge = RoomEdge(info, self.store, self.bus, self.clock, lambda: self.owner(pin), self._drop_edge)
            self.edges[pin] = edge
            await edge.start()
        return edge

    def _drop_edge(self, pin: str) -> None:
        self.edges.pop(pin, None)

    async def _resync(self) -> None:
        for edge in list(self.edges.values()):
            await edge.resync()

    # --- sockets ---------------------------------------------------------------------------------

    def connect(self, connection: Connection) -> None:
        connection.bucket = TokenBucket(
            self.limits.frames_per_second, self.limits.frame_burst, self.clock.now_ms()
        )

    async def handle(self, connection: Connection, data: str | bytes) -> None:
        """One frame from a socket. Never raises for anything a client sends."""
        if connection.closed:  # superseded or kicked: a socket we closed can no longer act
            return
        bucket = connection.bucket
        if bucket is not None and not bucket.take(self.clock.now_ms()):
            await self._refuse(connection, "rate_limited", "Too many frames; slow down")
            return
        try:
            frame = parse_frame(data)
        except FrameError as exc:
            if exc.code == "too_large":
                await connection.error(exc.code, exc.message)
                await connection.close(CLOSE_TOO_LARGE, "frame too large")
            else:
                await self._refuse(connection, exc.code, exc.message)
            return
        try:
            if frame.type == "ping":
                await connection.send_frame(
                    {"type": "pong", "t": getattr(frame, "t", 0), "server_time": self.clock.now_ms()}
                )
            elif connection.role is None:
                await self._first(connection, frame)
            else:
                await self._later(connection, frame)
        except RoomError as exc:
            await self._refuse(connection, exc.code, exc.message)
        except Exception as exc:  # the store, bus or database is away (restarting), never the client's doing
            log.warning("node %s: a service the rooms need is not answering: %r", self.node_id, exc)
            await connection.error(
                "unavailable", "A service this room needs is not answering; try again soon"
            )
            await connection.close(CLOSE_GOING_AWAY, "try again")

    async def _refuse(self, connection: Connection, code: str, message: str) -> None:
        """An `error` frame that changes nothing; a socket that keeps earning them is closed (1008)."""
        await connection.error(code, message)
        if connection.refusals is None:
            connection.refusals = TokenBucket(REFUSALS_PER_SECOND, REFUSAL_BURST, self.clock.now_ms())
        if not connection.refusals.take(self.clock.now_ms()):
            await connection.close(CLOSE_POLICY, "too many refused frames")

    async def _first(self, connection: Connection, frame: Frame) -> None:
        match frame:
            case Join():
                if not self._joins.allow(connection.address, self.clock.now_ms()):
                    raise RoomError("rate_limited", "Too many joins from your address; wait a minute")
                edge = await self._edge(frame.pin)
                account = await self._account(frame.token) if frame.token else None
                await edge.join(connection, frame.nickname, account)
            case Host():
                await (await self._edge(frame.pin)).seat_host(connection, frame.token)
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
        token_hash = hash_token(frame.token)
        grant = await self.store.resume_grant(token_hash, self.clock.now_ms())
        if grant is None:
            raise RoomError("unauthorized", "That resume token is not valid (expired, revoked or unknown)")
        edge = await self._edge(grant.pin)
        await edge.resume(connection, grant.player_id, token_hash, frame.last_seq)

    async def _later(self, connection: Connection, frame: Frame) -> None:
        edge = self.edges.get(connection.pin or "")
        if edge is None:
            raise RoomError("not_found", "This room has closed")
        match frame:
            case AnswerFrame():
                if connection.role != "player":
                    raise RoomError("forbidden", "Only players answer")
                await edge.answer(connection, frame)
            case Pong():
                self._pong(connection, frame)
            case Frame(type="leave"):
                await self._leave(connection, edge)
            case Frame(type=kind) if kind in HOST_COMMANDS:
                if connection.role != "host":
                    raise RoomError("forbidden", "Only the host may do that")
                await self.owner(edge.pin).command(frame)
            case Frame(type=kind) if kind in FIRST_FRAME_TYPES:
                raise RoomError("bad_request", "This socket already has a role")
            case _:
                raise RoomError("bad_request", f"`{frame.type}` is not expected here")

    def _pong(self, connection: Connection, frame: Pong) -> None:
        # Only the times we sent count: a client cannot buy itself a larger allowance.
        if frame.t in self._recent_pings or frame.t == connection.ping_t:
            connection.record_rtt(self.clock.now_ms() - frame.t)

    async def _leave(self, connection: Connection, edge: RoomEdge) -> None:
        connection.gone = True  # left by choice: no resume window
        await edge.depart(connection)
        if connection.role == "player" and connection.player_id:
            await self.owner(edge.pin).leave(connection.player_id)
        await connection.close(1000, "left")

    async def disconnected(self, connection: Connection) -> None:
        connection.closed = True
        edge = self.edges.get(connection.pin or "")
        if edge is not None:
            await edge.depart(connection)
            if edge.empty and edge.pin not in self.runners:
                self.edges.pop(edge.pin, None)
                await edge.close_all(CLOSE_GOING_AWAY, "")

    # --- life of the node ------------------------------------------------------------------------

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> None:
        """Start the bus, listen for owner replies, take over the rooms nobody owns (a restart
        finds its own rooms here once their leases lapse), and keep sweeping."""
        await self.bus.start()
        self.bus.on_resync(self._resync)
        await self._client.start()
        self._every(PING_INTERVAL_MS, self.ping_all)
        self._every(self.leases.sweep_ms, self._sweep_safely)
        await self._sweep_safely()

    def _every(self, interval_ms: int, step: Callable[[], Coroutine[Any, Any, None]]) -> None:
        def fire() -> None:
            self._spawn(step())
            self._timers.append(self.clock.call_at(self.clock.now_ms() + interval_ms, fire))

        self._timers.append(self.clock.call_at(self.clock.now_ms() + interval_ms, fire))

    async def _sweep_safely(self) -> None:
        try:
            await self.sweep()
        except (
            Exception
        ) as exc:  # the store is away: nothing to renew or take now; the next sweep tries again
            if not self.store_lost:
                log.warning(
                    "node %s: room store unavailable (%r); closing sockets with 1013", self.node_id, exc
                )
                await self._store_lost()
            return
        if self.store_lost:
            log.warning("node %s: room store is back", self.node_id)
            self.store_lost = False

    async def _store_lost(self) -> None:
        """Without the store no answer can be recorded: every client is told to come back (1013)
        and resumes once the store answers again; the rooms carry on from the store then."""
        self.store_lost = True
        for pin, edge in list(self.edges.items()):
            self.edges.pop(pin, None)
            await edge.close_all(CLOSE_GOING_AWAY, "room store unavailable; resume")

    async def ping_all(self) -> None:
        """One `ping` frame, encoded once, to every player socket on this node, except in rooms with
        a question open (each player's round trip was measured on joining and between questions)."""
        now = self.clock.now_ms()
        self._recent_pings.append(now)
        text = orjson.dumps({"type": "ping", "t": now}).decode()
        for edge in list(self.edges.values()):
            if edge.open_question is not None:
                continue  # thousands of pongs would land on the answer burst; measure between questions
            for connection in list(edge.players.values()):
                await connection.peer.send(text)

    async def drain(self, timeout_s: float, hand_over: bool) -> None:
        """SIGTERM: open no new rooms, give the rooms this node owns up to `timeout_s` to finish
        (a lone node keeps its games going), then stop (see `stop`)."""
        self.accepting = False
        for _ in range(round(timeout_s / DRAIN_POLL_S)):
            if all(runner.state.phase is Phase.FINISHED for runner in self.runners.values()):
                break
            await asyncio.sleep(DRAIN_POLL_S)
        await self.stop(hand_over)

    async def stop(self, hand_over: bool = False) -> None:
        """Going away: stop taking rooms; with `hand_over`, give up our leases so other nodes take
        the rooms at once; every socket gets 1013 so its client resumes elsewhere. Idempotent."""
        if self.stopped:
            return
        self.stopped = True
        self.accepting = False
        for timer in self._timers:
            timer.cancel()
        for pin, runner in list(self.runners.items()):
            runner.cancel_timers()
            if hand_over:
                await runner.flushed()
                with contextlib.suppress(Exception):  # unreleased, the lease lapses by itself
                    await self.store.release_lease(pin, self.node_id, runner.epoch)
                runner.stand_down()
                log.warning("node %s: handed room %s over", self.node_id, pin)
        for edge in list(self.edges.values()):
            await edge.close_all(CLOSE_GOING_AWAY, "server going away")
        await self._client.close()
        await self.bus.close()
