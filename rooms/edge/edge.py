"""A room's edge on this node: the local sockets, the relay of bus events to them, and the answer path.

The edge stamps when it sent each player the question (their clock starts there, not when the
owner published it), measures round trips, checks and records answers in the store, and acks at
once. Shared frames arrive encoded; the same text goes to every local socket in one loop.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from rooms.bus.memory import Bus
from rooms.core import envelope
from rooms.core.answers import InvalidAnswer, parse_answer
from rooms.core.clock import Clock
from rooms.core.events import RoomError
from rooms.core.protocol import AnswerFrame
from rooms.core.scoring import credited_ms, is_in_time, is_too_early
from rooms.core.state import Account, Phase, PlayerState, Receipt, StoredAnswer
from rooms.core.types import PlayerId
from rooms.owner.runner import RoomRunner
from rooms.store.memory import ResumeGrant, RoomStore

RESUME_WINDOW_MS = 120_000  # a dropped player may come back this long after the drop
SEATED_GRANT_MS = 24 * 3600_000  # while seated the token stays valid; a drop shortens it to the window
RTT_WEIGHT = 0.3  # exponential moving average: recent round trips count most
MAX_RTT_SAMPLE_MS = 30_000

CLOSE_KICKED, CLOSE_SUPERSEDED, CLOSE_ROOM_ENDED = 4001, 4002, 4004


class Peer(Protocol):
    """One client socket as the rooms see it. `send` must not stall a broadcast on a slow client:
    the server's implementation queues (bounded) and closes with 1013 when the queue overflows."""

    async def send(self, text: str) -> None: ...

    async def close(self, code: int, reason: str = "") -> None: ...


@dataclass(eq=False, slots=True)
class Connection:
    """A socket and who it is: its identity comes from its first frame and never changes."""

    peer: Peer
    address: str = ""
    role: str | None = None  # "player" or "host" once the first frame is accepted
    pin: str | None = None
    player_id: PlayerId | None = None
    variant: int | None = None
    rtt_ms: float | None = None
    closed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.peer.send(orjson.dumps(frame).decode())

    async def error(self, code: str, message: str) -> None:
        await self.send_frame({"type": "error", "code": code, "message": message})

    async def close(self, code: int, reason: str = "") -> None:
        if not self.closed:
            self.closed = True
            await self.peer.close(code, reason)

    def record_rtt(self, sample_ms: float) -> None:
        if 0 <= sample_ms <= MAX_RTT_SAMPLE_MS:
            self.rtt_ms = (
                sample_ms
                if self.rtt_ms is None
                else ((1 - RTT_WEIGHT) * self.rtt_ms + RTT_WEIGHT * sample_ms)
            )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RoomEdge:
    """This node's share of one room: its sockets and everything that happens per player."""

    def __init__(self, runner: RoomRunner, store: RoomStore, bus: Bus, clock: Clock):
        self.runner = runner
        self.game = runner.game
        self.pin = runner.pin
        self._store, self._clock = store, clock
        self.players: dict[PlayerId, Connection] = {}
        self.host: Connection | None = None
        self._open_question: int | None = self._initial_open_question()
        self._sent_ms: dict[PlayerId, int] = {}
        self._subscription = bus.subscribe(envelope.channel(self.pin), self.on_message)

    def _initial_open_question(self) -> int | None:
        state = self.game.state
        return state.question_index if state.phase is Phase.QUESTION else None

    # --- relay -----------------------------------------------------------------------------------

    async def on_message(self, message: bytes) -> None:
        env = envelope.decode(message)
        if env.kind == envelope.EVENT:
            await self._relay_event(env)
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

    async def _relay_event(self, env: envelope.Envelope) -> None:
        if env.question is not None:
            self._open_question, self._sent_ms = env.question, {}
        elif env.closes_question:
            self._open_question = None
        if self.host is not None:
            await self.host.peer.send(env.frames[0])
        stamp = env.question is not None
        sent_ms = self._sent_ms
        clock = self._clock
        last = 0
        for player_id, connection in self.players.items():
            await connection.peer.send(env.frame_for(connection.variant))
            if stamp:
                last = sent_ms[player_id] = clock.now_ms()
        if stamp and last:
            self.runner.question_sent(last)

    async def _kicked(self, player_id: PlayerId) -> None:
        connection = self.players.pop(player_id, None)
        if connection is not None:
            await connection.error("kicked", "The host removed you from this room")
            await connection.close(CLOSE_KICKED, "kicked")

    async def close_all(self, code: int, reason: str) -> None:
        self._subscription.close()
        connections = [*self.players.values(), *([self.host] if self.host else [])]
        self.players, self.host = {}, None
        for connection in connections:
            await connection.close(code, reason)

    # --- arrivals --------------------------------------------------------------------------------

    async def join(self, connection: Connection, nickname: str, account: Account | None) -> None:
        player = await self.runner.join(nickname, account)
        token = secrets.token_urlsafe(24)
        player.resume_hash = hash_token(token)
        await self._grant(player, SEATED_GRANT_MS)
        await self._seat(connection, player, {"resume_token": token})

    async def _grant(self, player: PlayerState, window_ms: int) -> None:
        expires = self._clock.now_ms() + window_ms
        await self._store.grant_resume(player.resume_hash, ResumeGrant(self.pin, player.id, expires))

    async def resume(self, connection: Connection, player: PlayerState, last_seq: int) -> None:
        """Seat a returning player: replay what they missed, or a snapshot when history is gone."""
        state = self.game.state
        missed = await self._store.events_after(self.pin, last_seq) if last_seq <= state.seq else None
        await self._seat(connection, player, {"recovered": missed is not None})
        for message in missed or ():
            await connection.peer.send(envelope.decode(message).frame_for(player.variant))

    async def _seat(self, connection: Connection, player: PlayerState, extra: dict[str, Any]) -> None:
        previous = self.players.get(player.id)
        connection.role, connection.pin = "player", self.pin
        connection.player_id, connection.variant = player.id, player.variant
        self.players[player.id] = connection
        if previous is not None and previous is not connection:
            await previous.close(CLOSE_SUPERSEDED, "superseded by a newer connection")
        now = self._clock.now_ms()
        state = self.game.state
        open_now = self._open_question is not None and self.game.eligible(player, state.question_index)
        if open_now and player.id not in self._sent_ms:  # a resend after a resume keeps the first stamp
            self._sent_ms[player.id] = now
            self.runner.question_sent(now)  # first sent now: the question stays open for their full time
        welcome = {
            "type": "welcome",
            "role": "player",
            "pin": self.pin,
            "player": {"id": player.id, "nickname": player.nickname},
            "state": self.game.snapshot(
                player.id,
                answered=open_now and await self._answered(player.id),
                remaining_ms=self._remaining(player.id, now) if open_now else None,
            ),
            "server_time": now,
            "seq": state.seq,
            **extra,
        }
        await connection.send_frame(welcome)
        connection.extra["ping_t"] = now  # the first round trip, measured at once
        await connection.send_frame({"type": "ping", "t": now})
        self.runner.presence(player.id, connected=True)

    async def _answered(self, player_id: PlayerId) -> bool:
        return await self._store.has_answered(self.pin, self.game.state.question_index, player_id)

    def _remaining(self, player_id: PlayerId, now: int) -> int:
        state = self.game.state
        limit = self.game.questions[state.question_index].time_limit_ms
        sent = self._sent_ms.get(player_id, now)
        return max(0, sent + state.settings.read_time_ms + limit - now)

    async def seat_host(self, connection: Connection, token: str) -> None:
        if not hmac.compare_digest(hash_token(token), self.game.state.host_token_hash):
            raise RoomError("unauthorized", "That host token does not open this room")
        previous, self.host = self.host, connection
        connection.role, connection.pin = "host", self.pin
        if previous is not None and previous is not connection:
            await previous.close(CLOSE_SUPERSEDED, "superseded by a newer host connection")
        now = self._clock.now_ms()
        await connection.send_frame(
            {
                "type": "welcome",
                "role": "host",
                "pin": self.pin,
                "state": self.game.snapshot(None),
                "server_time": now,
                "seq": self.game.state.seq,
                "game_id": self.game.state.game_id,
            }
        )
        self.runner.host_presence(connected=True)

    async def depart(self, connection: Connection) -> None:
        """A socket went away (or superseded): forget it, tell the owner if it was the live one."""
        if connection.role == "host" and self.host is connection:
            self.host = None
            self.runner.host_presence(connected=False)
        elif connection.player_id is not None and self.players.get(connection.player_id) is connection:
            del self.players[connection.player_id]
            self.runner.presence(connection.player_id, connected=False)
            player = self.game.state.players.get(connection.player_id)
            if player is not None and not player.kicked and not player.left:
                await self._grant(player, RESUME_WINDOW_MS)

    # --- answers ---------------------------------------------------------------------------------

    async def answer(self, connection: Connection, frame: AnswerFrame) -> None:
        """Check, record (first one wins) and ack an answer, by this node's clock. O(1)."""
        received = self._clock.now_ms()
        reason = await self._record(connection, frame, received)
        ack: dict[str, Any] = {"type": "answer_ack", "question": frame.question, "accepted": reason is None}
        if reason is not None:
            ack["reason"] = reason
        await connection.send_frame(ack)
        if reason is None:
            self.runner.answer_recorded(connection.player_id or "", frame.question)

    async def _record(self, connection: Connection, frame: AnswerFrame, received: int) -> str | None:
        state = self.game.state
        player_id = connection.player_id or ""
        player = state.players.get(player_id)
        if self._open_question is None or frame.question != self._open_question or player is None:
            return "closed"
        sent = self._sent_ms.get(player_id)
        if sent is None or not self.game.eligible(player, frame.question):
            return "closed"  # a late joiner answers from the next question on
        question = self.game.questions[frame.question]
        try:
            parse_answer(question, frame.answer)
        except InvalidAnswer:
            return "invalid"
        read, limit, rtt = state.settings.read_time_ms, question.time_limit_ms, connection.rtt_ms
        if is_too_early(received, sent, read):
            return "too_early"
        if not is_in_time(received, sent, read, rtt, limit):
            return "too_late"
        receipt = Receipt(
            sent, received, None if rtt is None else round(rtt), credited_ms(received, sent, read, rtt, limit)
        )
        outcome = await self._store.record_answer(
            self.pin, frame.question, player_id, StoredAnswer(frame.answer, receipt)
        )
        return None if outcome == "ok" else outcome
