"""A room's edge on this node: the local sockets, the relay of room events to them, and the answer
path. It holds no reference to the room's owner objects: it knows the room's fixed `RoomInfo`, what
the events told it (the last `seq`, the open question) and its own players' seats, and it reaches
the owner only through the `Owner` interface, wherever the owner runs.

The edge stamps when it sent each player the question (their clock starts there, not when the
owner published it), measures round trips, checks and records answers in the store, and acks once
the store has them. Shared frames arrive encoded; the same text goes to every local socket in one loop.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from rooms.bus.base import Bus, Subscription
from rooms.core import envelope
from rooms.core.answers import InvalidAnswer, parse_answer, stored_form
from rooms.core.clock import Clock
from rooms.core.events import RoomError
from rooms.core.game import question_from_snapshot
from rooms.core.protocol import AnswerFrame
from rooms.core.scoring import credited_ms, is_in_time, is_too_early
from rooms.core.state import Account, Receipt, RoomInfo, StoredAnswer
from rooms.core.types import PlayerId
from rooms.edge.connection import Connection, hash_token
from rooms.owner.base import Notice, Owner, Seat
from rooms.store.base import ResumeGrant, RoomStore

log = logging.getLogger(__name__)

RESUME_WINDOW_MS = 120_000  # a dropped player may come back this long after the drop
SEATED_GRANT_MS = 24 * 3600_000  # while seated the token stays valid; a drop shortens it to the window

CLOSE_KICKED, CLOSE_SUPERSEDED, CLOSE_ROOM_ENDED = 4001, 4002, 4004


class RoomEdge:
    """This node's share of one room: its sockets and everything that happens per player."""

    def __init__(
        self,
        info: RoomInfo,
        store: RoomStore,
        bus: Bus,
        clock: Clock,
        owner: Callable[[], Owner],
        on_closed: Callable[[str], None] = lambda pin: None,
    ):
        self.info = info
        self._on_closed = on_closed
        self.pin = info.pin
        self._store, self._bus, self._clock, self._owner = store, bus, clock, owner
        self._questions = [question_from_snapshot(doc) for doc in info.questions_doc]
        self.players: dict[PlayerId, Connection] = {}
        self.host: Connection | None = None
        self.open_question: int | None = None
        self.last_seq = 0
        self._sent_ms: dict[PlayerId, int] = {}
        self._subscription: Subscription | None = None
        self._relaying = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        self._subscription = await self._bus.subscribe(envelope.channel(self.pin), self.on_message)

    @property
    def empty(self) -> bool:
        return not self.players and self.host is None

    def _background(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- relay -----------------------------------------------------------------------------------

    async def on_message(self, message: bytes) -> None:
        env = envelope.decode(message)
        if env.kind == envelope.EVENT:
            async with self._relaying:
                await self._relay_in_order(env)
        elif env.kind == envelope.PERSONAL and env.personal:
            for player_id, text in env.personal.items():
                connection = self.players.get(player_id)
                if connection is not None:
                    await connection.peer.send(text)
        elif env.kind == envelope.HOST and self.host is not None:
            await self.host.peer.send(env.frames[0])
        elif env.kind == envelope.KICK:
            for player_id in env.players:
                await self._kicked(player_id)
        elif env.kind == envelope.CLOSED:
            await self.close_all(CLOSE_ROOM_ENDED, "room ended")
            self._on_closed(self.pin)
        elif env.kind == envelope.OWNER:
            await self.announce()

    async def _relay_in_order(self, env: envelope.Envelope) -> None:
        if env.seq <= self.last_seq:
            return  # seen already (a resync or a replay overlapped the live stream)
        if self.last_seq and env.seq > self.last_seq + 1:
            await self._repair()  # the bus lost something: fill the gap from the history first
            if env.seq <= self.last_seq:
                return
        await self._relay(env)

    async def resync(self) -> None:
        """The bus resubscribed: relay whatever was published while it was away."""
        async with self._relaying:
            await self._repair()
        await self.announce()

    async def _repair(self) -> None:
        missed = await self._store.events_after(self.pin, self.last_seq)
        if missed is None:  # the history no longer reaches back: every socket starts again from a snapshot
            log.warning("room %s: events lost beyond the history; asking sockets to resume", self.pin)
            await self.close_all(1013, "missed events; resume")
            return
        replayed = [envelope.decode(message) for message in missed]
        for env in replayed:
            await self._relay(env)
        await self._resend_results(replayed)

    async def _resend_results(self, replayed: list[envelope.Envelope]) -> None:
        """Personal results are not in the history: after replaying a reveal or the end, each local
        player gets their last result from the store instead (the one that followed it)."""
        revealed = {env.revealed for env in replayed if env.revealed is not None}
        ended = any(env.ends_game for env in replayed)
        if not (revealed or ended) or not self.players:
            return
        for player_id, player in (await self._store.players(self.pin, list(self.players))).items():
            result, connection = player.last_result, self.players.get(player_id)
            if result is None or connection is None:
                continue
            if result.get("question") in revealed or (ended and "question" not in result):
                await connection.send_frame(result)

    async def _relay(self, env: envelope.Envelope) -> None:
        self.last_seq = env.seq
        if env.question is not None:
            self.open_question, self._sent_ms = env.question, {}
        elif env.closes_question or env.ends_game:
            self.open_question = None
        if self.host is not None and env.seq > self.host.floor_seq:
            await self.host.peer.send(env.frames[0])
        opens, stamp = env.question, env.question is not None
        sent_ms, clock, seq = self._sent_ms, self._clock, env.seq
        for player_id, connection in self.players.items():
            if seq > connection.floor_seq:
                await connection.peer.send(env.frame_for(connection.variant))
                if stamp:
                    sent_ms[player_id] = clock.now_ms()
        if opens is not None and sent_ms:
            stamps = dict(sent_ms)
            await self._owner().notify(Notice("sent", at_ms=max(stamps.values())))
            self._background(self._store.stamp_sent(self.pin, opens, stamps))

    async def _kicked(self, player_id: PlayerId) -> None:
        connection = self.players.pop(player_id, None)
        if connection is not None:
            await connection.error("kicked", "The host removed you from this room")
            await connection.close(CLOSE_KICKED, "kicked")

    async def announce(self) -> None:
        """Tell the (new) owner who is connected here."""
        owner = self._owner()
        if self.players:
            await owner.notify(Notice("presence", tuple(self.players), connected=True))
        if self.host is not None:
            await owner.notify(Notice("host", connected=True))

    async def close_all(self, code: int, reason: str) -> None:
        if self._subscription is not None:
            await self._subscription.close()
            self._subscription = None
        connections = [*self.players.values(), *([self.host] if self.host else [])]
        self.players, self.host = {}, None
        for connection in connections:
            await connection.close(code, reason)

    # --- arrivals --------------------------------------------------------------------------------

    async def join(self, connection: Connection, nickname: str, account: Account | None) -> None:
        token = secrets.token_urlsafe(24)
        token_hash = connection.resume_hash = hash_token(token)
        seat = await self._owner().join(nickname, account, token_hash)
        await self._grant(token_hash, seat, SEATED_GRANT_MS)
        await self._seat(connection, seat, {"resume_token": token})

    async def take_seat(self, connection: Connection, player_id: PlayerId, token: str) -> None:
        """Seat a socket in a seat taken for it elsewhere (a duel's matcher), as a join would."""
        token_hash = connection.resume_hash = hash_token(token)
        seat = await self._owner().seat(player_id)
        await self._grant(token_hash, seat, SEATED_GRANT_MS)
        await self._seat(connection, seat, {"resume_token": token})

    async def _grant(self, token_hash: str, seat: Seat, window_ms: int) -> None:
        grant = ResumeGrant(self.pin, seat.player_id or "", self._clock.now_ms() + window_ms)
        await self._store.grant_resume(token_hash, grant)

    async def resume(
        self, connection: Connection, player_id: PlayerId, token_hash: str, last_seq: int
    ) -> None:
        """Seat a returning player: replay what they missed, or a snapshot when history is gone."""
        seat = await self._owner().seat(player_id)
        missed = await self._store.events_after(self.pin, last_seq) if last_seq <= seat.seq else None
        connection.resume_hash = token_hash
        replay = [env for env in map(envelope.decode, missed or ()) if env.seq <= seat.seq]
        await self._seat(connection, seat, {"recovered": missed is not None}, replay)
        await self._grant(token_hash, seat, SEATED_GRANT_MS)

    async def _seat(
        self,
        connection: Connection,
        seat: Seat,
        extra: dict[str, Any],
        replay: Sequence[envelope.Envelope] = (),
    ) -> None:
        """Welcome the socket to its seat, then send in order: the events it missed up to the welcome
        (`replay`, on a resume) and those this edge relayed since the owner took the snapshot. The
        socket joins the relay only then, under the relay's lock: no event overtakes its welcome."""
        player_id = seat.player_id or ""
        connection.role, connection.pin, connection.player_id = "player", self.pin, player_id
        connection.variant, connection.first_question = seat.variant, seat.first_question
        now = self._clock.now_ms()
        snapshot = seat.snapshot
        question = seat.open_question
        if question is not None and seat.first_question <= question:
            sent = await self._sent_stamp(player_id, question, now)
            snapshot["answered"] = await self._store.has_answered(self.pin, question, player_id)
            snapshot["remaining_ms"] = self._remaining(question, sent, now)
        welcome = {
            "type": "welcome",
            "role": "player",
            "pin": self.pin,
            "player": {"id": player_id, "nickname": seat.nickname},
            "state": snapshot,
            "server_time": now,
            "seq": seat.seq,
            **extra,
        }
        async with self._relaying:
            await connection.send_frame(welcome)
            connection.ping_t = now  # the first round trip, measured at once
            await connection.send_frame({"type": "ping", "t": now})
            for env in replay:
                await connection.peer.send(env.frame_for(seat.variant))
            await self._catch_up(connection, seat)
            previous, self.players[player_id] = self.players.get(player_id), connection
        if previous is not None and previous is not connection:
            await previous.close(CLOSE_SUPERSEDED, "superseded by a newer connection")
        await self._owner().notify(Notice("presence", (player_id,), connected=True))

    async def _catch_up(self, connection: Connection, seat: Seat) -> None:
        """Events this edge relayed after the owner took the snapshot (its reply raced them)."""
        connection.floor_seq = seat.seq
        if self.last_seq > seat.seq:
            for message in await self._store.events_after(self.pin, seat.seq) or ():
                env = envelope.decode(message)
                if seat.seq < env.seq <= self.last_seq:
                    await connection.peer.send(env.frame_for(connection.variant))
        # Events up to here are the socket's already (in the snapshot, or just caught up); older ones
        # still on their way over the bus go to the other sockets only.
        connection.floor_seq = max(connection.floor_seq, self.last_seq)

    async def _sent_stamp(self, player_id: PlayerId, question: int, now: int) -> int:
        """When this player was first sent the open question, on any node; now, if never."""
        sent = self._sent_ms.get(player_id)
        if sent is None:
            sent = await self._store.sent_at(self.pin, question, player_id)
        if sent is None:
            sent = now
            await self._store.stamp_sent(self.pin, question, {player_id: now})
            await self._owner().notify(Notice("sent", at_ms=now))  # they still get their full time
        if self.open_question == question or self.open_question is None:
            self.open_question = question
            self._sent_ms[player_id] = sent
        return sent

    def _remaining(self, question: int, sent: int, now: int) -> int:
        limit = self._questions[question].time_limit_ms
        return max(0, sent + self.info.settings.read_time_ms + limit - now)

    async def seat_host(self, connection: Connection, token: str) -> None:
        if not hmac.compare_digest(hash_token(token), self.info.host_token_hash):
            raise RoomError("unauthorized", "That host token does not open this room")
        seat = await self._owner().seat_host()
        connection.role, connection.pin = "host", self.pin
        snapshot = dict(seat.snapshot)
        game_id = snapshot.pop("game_id", self.info.game_id)
        welcome = {
            "type": "welcome",
            "role": "host",
            "pin": self.pin,
            "state": snapshot,
            "server_time": self._clock.now_ms(),
            "seq": seat.seq,
            "game_id": game_id,
        }
        async with self._relaying:
            await connection.send_frame(welcome)
            await self._catch_up(connection, seat)
            previous, self.host = self.host, connection
        if previous is not None and previous is not connection:
            await previous.close(CLOSE_SUPERSEDED, "superseded by a newer host connection")
        await self._owner().notify(Notice("host", connected=True))

    async def depart(self, connection: Connection) -> None:
        """A socket went away (or superseded): forget it, tell the owner if it was the live one."""
        if connection.role == "host" and self.host is connection:
            self.host = None
            await self._owner().notify(Notice("host", connected=False))
        elif connection.player_id is not None and self.players.get(connection.player_id) is connection:
            del self.players[connection.player_id]
            await self._owner().notify(Notice("presence", (connection.player_id,), connected=False))
            token_hash = connection.resume_hash
            if token_hash and not connection.gone:
                grant = ResumeGrant(self.pin, connection.player_id, self._clock.now_ms() + RESUME_WINDOW_MS)
                await self._store.grant_resume(token_hash, grant)

    # --- answers ---------------------------------------------------------------------------------

    async def answer(self, connection: Connection, frame: AnswerFrame) -> None:
        """Check, record (first one wins) and ack an answer, by this node's clock. O(1)."""
        received = self._clock.now_ms()
        recorded = await self._record(connection, frame, received)
        accepted = isinstance(recorded, StoredAnswer)
        ack: dict[str, Any] = {"type": "answer_ack", "question": frame.question, "accepted": accepted}
        if not accepted:
            ack["reason"] = recorded
        await connection.send_frame(ack)
        if isinstance(recorded, StoredAnswer):
            await self._owner().notify(
                Notice("answered", (connection.player_id or "",), question=frame.question, answer=recorded)
            )

    async def _record(self, connection: Connection, frame: AnswerFrame, received: int) -> StoredAnswer | str:
        """The answer as the store recorded it, or why it was refused."""
        player_id = connection.player_id or ""
        if self.open_question is None or frame.question != self.open_question:
            return "closed"
        sent = self._sent_ms.get(player_id)
        if sent is None or connection.first_question > frame.question:
            return "closed"  # a late joiner answers from the next question on
        question = self._questions[frame.question]
        try:
            answer = stored_form(parse_answer(question, frame.answer))  # parsed here, once
        except InvalidAnswer:
            return "invalid"
        read, limit, rtt = self.info.settings.read_time_ms, question.time_limit_ms, connection.rtt_ms
        if is_too_early(received, sent, read):
            return "too_early"
        if not is_in_time(received, sent, read, rtt, limit):
            return "too_late"
        receipt = Receipt(
            sent, received, None if rtt is None else round(rtt), credited_ms(received, sent, read, rtt, limit)
        )
        stored = StoredAnswer(answer, receipt)
        outcome = await self._store.record_answer(self.pin, frame.question, player_id, stored)
        return stored if outcome == "ok" else outcome
