"""The front door of a node: every socket's frames, with one policy for all of them.

Rate-limited per socket, parsed once into a typed frame, routed to the room's edge (its first frame
gives the socket its identity) or to the room's owner, and refused with an `error` frame that changes
nothing; a socket that keeps earning refusals is closed (1008), an oversized frame closes its socket
(1009). Round trips are measured here too, from the node's own `ping` frames.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from rooms.core.clock import Clock
from rooms.core.events import RoomError
from rooms.core.protocol import (
    FIRST_FRAME_TYPES,
    HOST_COMMANDS,
    AnswerFrame,
    Frame,
    FrameError,
    Host,
    Join,
    Pong,
    Queue,
    Resume,
    Subscribe,
    parse_frame,
)
from rooms.core.state import Account
from rooms.edge.connection import Connection, hash_token
from rooms.edge.edge import RoomEdge
from rooms.edge.inbox import ROLE as INBOX_ROLE
from rooms.edge.inbox import Inboxes
from rooms.edge.ratelimit import AddressLimiter, TokenBucket
from rooms.owner.runner import DROP_GRACE_MS

if TYPE_CHECKING:
    from rooms.node import RoomNode

log = logging.getLogger(__name__)

CLOSE_POLICY, CLOSE_TOO_LARGE, CLOSE_GOING_AWAY = 1008, 1009, 1013
# Refused frames a socket may earn: a burst (a page retrying during a failover) is fine, a client that
# keeps sending bad frames is closed instead of answered forever.
REFUSALS_PER_SECOND, REFUSAL_BURST = 1.0, 30.0
PING_ROUND_MS = 5_000  # every player socket is pinged once a round...
PING_SLICES = 20  # ...a slice at a time, one slice every PING_ROUND_MS / PING_SLICES...
PINGS_PER_SLICE = 250  # ...of at most this many sockets: past 5,000 players, rounds grow longer

Authenticate = Callable[[str], Awaitable[Account | None]]


def ping_slices(players: int) -> int:
    """Into how many slices a node's player sockets are cut for pinging, one slice a tick: each
    socket is pinged every 5 s up to 5,000 players, and a node never sends more than 1,000 pings
    (nor handles more than 1,000 pongs) a second, however many players it serves (every 20 s at
    20,000: a round trip changes more slowly than that, and each seat is measured as it joins)."""
    return max(PING_SLICES, -(-players // PINGS_PER_SLICE))


async def no_accounts(token: str) -> Account | None:
    return None


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-socket and per-address rates (frames a second, joins a minute), and how long a player who
    dropped mid-question holds it open."""

    frames_per_second: float = 20
    frame_burst: float = 40
    joins_per_address_per_minute: int = 600
    drop_grace_ms: int = DROP_GRACE_MS


class FrontDoor:
    """Every socket's frames on one node."""

    def __init__(self, node: RoomNode, clock: Clock, limits: Limits):
        self._node, self._clock, self._limits = node, clock, limits
        self._joins = AddressLimiter(limits.joins_per_address_per_minute)
        # The `t` of the pings sent in the last few rounds: only those may come back as a round trip.
        self._recent_pings: deque[int] = deque(maxlen=2 * PING_SLICES)
        self._tick = 0
        self.inboxes = Inboxes(node.bus, clock)  # `subscribe` sockets: a user's notifications

    def connect(self, connection: Connection) -> None:
        connection.bucket = TokenBucket(
            self._limits.frames_per_second, self._limits.frame_burst, self._clock.now_ms()
        )

    async def handle(self, connection: Connection, data: str | bytes) -> None:
        """One frame from a socket. Never raises for anything a client sends."""
        if connection.closed:  # superseded or kicked: a socket we closed can no longer act
            return
        bucket = connection.bucket
        if bucket is not None and not bucket.take(self._clock.now_ms()):
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
                    {"type": "pong", "t": getattr(frame, "t", 0), "server_time": self._clock.now_ms()}
                )
            elif connection.role is None:
                await self._first(connection, frame)
            else:
                await self._later(connection, frame)
        except RoomError as exc:
            await self._refuse(connection, exc.code, exc.message)
        except Exception as exc:  # the store, bus or database is away (restarting), never the client's doing
            log.warning("node %s: a service the rooms need is not answering: %r", self._node.node_id, exc)
            await connection.error(
                "unavailable", "A service this room needs is not answering; try again soon"
            )
            await connection.close(CLOSE_GOING_AWAY, "try again")

    async def _refuse(self, connection: Connection, code: str, message: str) -> None:
        """An `error` frame that changes nothing; a socket that keeps earning them is closed (1008)."""
        await connection.error(code, message)
        if connection.refusals is None:
            connection.refusals = TokenBucket(REFUSALS_PER_SECOND, REFUSAL_BURST, self._clock.now_ms())
        if not connection.refusals.take(self._clock.now_ms()):
            await connection.close(CLOSE_POLICY, "too many refused frames")

    async def _first(self, connection: Connection, frame: Frame) -> None:
        match frame:
            case Join():
                if not self._joins.allow(connection.address, self._clock.now_ms()):
                    raise RoomError("rate_limited", "Too many joins from your address; wait a minute")
                edge = await self._node.edge(frame.pin)
                account = await self._account(frame.token) if frame.token else None
                await edge.join(connection, frame.nickname, account)
            case Host():
                await (await self._node.edge(frame.pin)).seat_host(connection, frame.token)
            case Resume():
                await self._resume(connection, frame)
            case Queue():
                if self._node.duels is None:
                    raise RoomError("not_found", "Duels are not served here")
                account = await self._account(frame.token) if frame.token else None
                await self._node.duels.queue(connection, frame, account)
            case Subscribe():
                await self.inboxes.open(connection, (await self._account(frame.token)).user_id)
            case _:
                raise RoomError(
                    "bad_request", "The first frame must be join, host, resume, queue or subscribe"
                )

    async def _account(self, token: str) -> Account:
        account = await self._node.authenticate(token)
        if account is None:
            raise RoomError("unauthorized", "That access token is not valid")
        return account

    async def _resume(self, connection: Connection, frame: Resume) -> None:
        token_hash = hash_token(frame.token)
        grant = await self._node.store.resume_grant(token_hash, self._clock.now_ms())
        if grant is None:
            raise RoomError("unauthorized", "That resume token is not valid (expired, revoked or unknown)")
        edge = await self._node.edge(grant.pin)
        await edge.resume(connection, grant.player_id, token_hash, frame.last_seq)

    async def _later(self, connection: Connection, frame: Frame) -> None:
        if connection.role == "seeker" and self._node.duels is not None:
            await self._node.duels.seeker_frame(connection, frame)
            return
        if connection.role == INBOX_ROLE:
            raise RoomError("bad_request", "A notification socket only listens (and pings)")
        edge = self._node.edges.get(connection.pin or "")
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
            case Frame(type="rematch"):
                if connection.role != "player" or self._node.duels is None:
                    raise RoomError("wrong_state", "Only a duel's player may offer a rematch")
                await self._node.duels.rematch(connection, edge)
            case Frame(type=kind) if kind in HOST_COMMANDS:
                if connection.role != "host":
                    raise RoomError("forbidden", "Only the host may do that")
                await self._node.owner(edge.pin).command(frame)
            case Frame(type=kind) if kind in FIRST_FRAME_TYPES:
                raise RoomError("bad_request", "This socket already has a role")
            case _:
                raise RoomError("bad_request", f"`{frame.type}` is not expected here")

    def _pong(self, connection: Connection, frame: Pong) -> None:
        # Only the times we sent count: a client cannot buy itself a larger allowance.
        if frame.t in self._recent_pings or frame.t == connection.ping_t:
            connection.record_rtt(self._clock.now_ms() - frame.t)

    async def _leave(self, connection: Connection, edge: RoomEdge) -> None:
        connection.gone = True  # left by choice: no resume window
        await edge.depart(connection)
        if connection.role == "player" and connection.player_id:
            await self._node.owner(edge.pin).leave(connection.player_id)
        await connection.close(1000, "left")

    async def disconnected(self, connection: Connection) -> None:
        connection.closed = True
        if self._node.duels is not None:
            await self._node.duels.disconnected(connection)
        await self.inboxes.close(connection)
        edge = self._node.edges.get(connection.pin or "")
        if edge is not None:
            await edge.depart(connection)
            if edge.empty and edge.pin not in self._node.runners:
                self._node.edges.pop(edge.pin, None)
                await edge.close_all(CLOSE_GOING_AWAY, "")

    async def ping_slice(self) -> None:
        """Ping one slice of this node's player sockets (each is pinged once every `ping_slices`
        ticks): round trips are measured all the time, in small batches, so no loop over every
        socket (and no wave of pongs) ever lands on the event loop at once. Rooms with a question
        open are skipped: their round trips were measured on joining and between questions."""
        self._tick += 1
        now = self._clock.now_ms()
        self._recent_pings.append(now)
        text = orjson.dumps({"type": "ping", "t": now}).decode()
        edges = [edge for edge in self._node.edges.values() if edge.open_question is None]
        slices = ping_slices(sum(len(edge.players) for edge in edges))
        part = self._tick % slices
        for edge in edges:  # with a question open, thousands of pongs would land on the answer burst
            for connection in list(itertools.islice(edge.players.values(), part, None, slices)):
                await connection.peer.send(text)
