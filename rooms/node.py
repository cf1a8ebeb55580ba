"""This process's live rooms: it opens rooms, holds the leases of the rooms it owns, and keeps an
edge for every room it has sockets in.

Any node can serve any socket: the edge finds the room through the store, and reaches its owner
in this process or over the bus. A sweep renews this node's leases and takes over rooms whose
owner stopped renewing (a dead or frozen node), carrying them on from the store.

Every socket's frames go through its front door (`rooms.edge.door`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rooms.bus.base import Bus, Subscription
from rooms.collector import Collector
from rooms.core.clock import Clock, Handle
from rooms.core.events import RoomError
from rooms.core.game import Game
from rooms.core.outcomes import Rewards
from rooms.core.results import ResultsSink
from rooms.core.settings import GameSettings
from rooms.core.state import Phase, RoomState
from rooms.duel.runner import DuelRunner
from rooms.edge.connection import Connection, hash_token
from rooms.edge.door import PING_ROUND_MS, PING_SLICES, Authenticate, FrontDoor, Limits, no_accounts
from rooms.edge.edge import RoomEdge
from rooms.owner.base import Owner
from rooms.owner.local import LocalOwner
from rooms.owner.remote import OwnerClient, owner_channel, serving
from rooms.owner.runner import RoomRunner
from rooms.store.base import RoomStore

if TYPE_CHECKING:
    from rooms.duel.service import DuelService

log = logging.getLogger(__name__)

CLOSE_GOING_AWAY = 1013
PIN_ATTEMPTS = 100
DEFAULT_LIMITS = Limits()
DRAIN_POLL_S = 0.5


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
    quiz_id: int | None = None


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
        authenticate: Authenticate = no_accounts,
        limits: Limits = DEFAULT_LIMITS,
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
        self._client = OwnerClient(bus, self.node_id, store.lease_holder)
        self.door = FrontDoor(self, clock, limits)
        self._timers: list[Handle] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepting = True
        self.stopped = False
        self.store_lost = False
        self.collector = Collector()  # the process's garbage collector, coordinated across rooms
        self._sweeping = False
        self._swept = False  # the first sweep after start-up takes back what this node's last life held
        self.duels: DuelService | None = None  # set by `rooms.duel.service.serve_duels`

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
            quiz_id=room.quiz_id,
        )
        await self.store.create(state)
        epoch = await self.store.acquire_lease(pin, self.node_id, self.leases.ttl_ms)
        if epoch is None:
            raise RuntimeError(f"room {pin} was taken by another node as it opened")
        return await self._own(state, epoch)

    async def _own(self, state: RoomState, epoch: int) -> RoomRunner:
        kind = DuelRunner if state.kind == "duel" else RoomRunner
        runner = kind(
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
            owner_channel(state.pin), serving(LocalOwner(runner), self._reply)
        )
        return runner

    def _reply(self, channel: str, message: bytes) -> None:
        """An owner's answer to another node's edge goes out at once, not behind the room's queued
        writes: the edge places a seat among the room's events by their `seq` itself."""
        self._spawn(self.bus.publish(channel, message))

    def _forget(self, pin: str) -> None:
        runner = self.runners.pop(pin, None)
        if runner is not None and not runner.deposed:
            self.collector.released(self.clock.now_ms())
        subscription = self._serving.pop(pin, None)
        if subscription is not None:
            self._spawn(subscription.close())

    def owner(self, pin: str) -> Owner:
        runner = self.runners.get(pin)
        return LocalOwner(runner) if runner is not None else self._client.owner(pin)

    async def _take_over(self, pin: str, reclaim: bool = False) -> bool:
        """Take a room whose lease lapsed (or, with `reclaim`, that this node's previous life held):
        load it and carry on its clock from the store."""
        if reclaim:
            epoch = await self.store.reclaim_lease(pin, self.node_id, self.leases.ttl_ms)
        else:
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
        epochs = {pin: runner.epoch for pin, runner in self.runners.items()}
        renewed = await self.store.renew_leases(self.node_id, epochs, self.leases.ttl_ms)
        for pin in epochs.keys() - renewed:
            runner = self.runners.get(pin)
            if runner is not None and runner.epoch == epochs[pin]:  # not one taken again meanwhile
                log.warning("node %s: lost the lease of room %s", self.node_id, pin)
                runner.stand_down()
        if not self.accepting:
            return
        others = [pin for pin in await self.store.live_pins() if pin not in self.runners]
        for pin, holder in (await self.store.lease_holders(others)).items():
            if pin in self.runners:  # opened here while we asked
                continue
            if holder is None:
                await self._take_over(pin)
            elif holder == self.node_id and not self._swept:
                # Held under our name by no runner of ours: our previous life, before a restart.
                await self._take_over(pin, reclaim=True)
        self._swept = True
        quiet = all(runner.state.phase is not Phase.QUESTION for runner in self.runners.values())
        self.collector.tick(self.clock.now_ms(), quiet)

    # --- edges -----------------------------------------------------------------------------------

    async def edge(self, pin: str) -> RoomEdge:
        """This node's edge of a room, made (and subscribed) on its first socket."""
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

    # --- sockets: the front door ------------------------------------------------------------------

    def connect(self, connection: Connection) -> None:
        self.door.connect(connection)

    async def handle(self, connection: Connection, data: str | bytes) -> None:
        await self.door.handle(connection, data)

    async def disconnected(self, connection: Connection) -> None:
        await self.door.disconnected(connection)

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
        self._every(PING_ROUND_MS // PING_SLICES, self.door.ping_slice)
        self._every(self.leases.sweep_ms, self._sweep_safely)
        await self._sweep_safely()
        if self.duels is not None:
            await self.duels.start()

    def _every(self, interval_ms: int, step: Callable[[], Coroutine[Any, Any, None]]) -> None:
        def fire() -> None:
            self._spawn(step())
            self._timers.append(self.clock.call_at(self.clock.now_ms() + interval_ms, fire))

        self._timers.append(self.clock.call_at(self.clock.now_ms() + interval_ms, fire))

    async def _sweep_safely(self) -> None:
        if self._sweeping:  # a slow store: the sweep still running renews too; another would only queue up
            return
        self._sweeping = True
        try:
            await self._sweep_or_note_the_store_lost()
        finally:
            self._sweeping = False

    async def _sweep_or_note_the_store_lost(self) -> None:
        try:
            await self.sweep()
        except Exception as exc:  # the store is away: nothing to renew or take; the next sweep tries again
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
        if self.duels is not None:
            await self.duels.stop()
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
