"""The owner of a room on this node: applies host commands and timers to the `Game`, writes every
transition to the store (fenced by its lease epoch), and publishes the resulting events.

Transitions run one at a time under a lock; their writes and publishes go out afterwards, in order,
through the room's `OrderedOutput`, so no network round trip is made while the lock is held. The
answer path never takes the lock: edges record answers in the store themselves and only tell the
owner who answered, an O(1) update of its `Attendance`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from rooms import collector
from rooms.bus.base import Bus
from rooms.core import envelope
from rooms.core.clock import Clock
from rooms.core.events import Effects, RoomError
from rooms.core.game import Game
from rooms.core.lobby import lobby_interval_ms
from rooms.core.protocol import Accept, Frame, Kick, Lock, Void
from rooms.core.results import ResultsSink
from rooms.core.settings import AUTO_ADVANCE_PAUSE_MS
from rooms.core.state import Account, Phase, PlayerState, RoomState, StoredAnswer
from rooms.core.types import PlayerId
from rooms.owner.attendance import Attendance
from rooms.owner.base import Notice, Seat
from rooms.owner.output import OrderedOutput, Step
from rooms.owner.timers import Timers
from rooms.store.base import RoomStore

ANSWER_COUNT_INTERVAL_MS = 250
EMPTY_ROOM_GRACE_MS = 10 * 60_000  # a room nobody is connected to lives this long
FINISHED_ROOM_LINGER_MS = 10 * 60_000  # the podium stays reachable (and resumable) this long
DROP_GRACE_MS = 5_000  # a player who dropped mid-question holds it open this long (a Wi-Fi blip)


class RoomRunner:
    """Runs one room's clock and state transitions; the single writer of its state."""

    def __init__(
        self,
        game: Game,
        store: RoomStore,
        bus: Bus,
        clock: Clock,
        sink: ResultsSink,
        epoch: int,
        on_disposed: Callable[[str], None] = lambda pin: None,
        drop_grace_ms: int = DROP_GRACE_MS,
    ):
        self.game = game
        self.pin = game.state.pin
        self.epoch = epoch
        self._store, self._bus, self._clock, self._sink = store, bus, clock, sink
        self._on_disposed = on_disposed
        self._drop_grace_ms = drop_grace_ms
        self._lock = asyncio.Lock()
        self._timers = Timers(clock, f"room {self.pin}")
        self._output = OrderedOutput(f"room {self.pin}", on_stale=self._deposed)
        self._attendance = Attendance()
        self.host_connected = False
        self.disposed = False
        self.deposed = False  # another node owns the room now
        self._watch_emptiness()

    @property
    def state(self) -> RoomState:
        return self.game.state

    @property
    def connected(self) -> set[PlayerId]:
        return self._attendance.connected

    async def idle(self) -> None:
        """Wait until the work that timers and notifications started is done (tests use this)."""
        while self._timers.busy or self._output.busy:
            await self._timers.idle()
            await self._output.flushed()

    async def flushed(self) -> None:
        """Wait until everything this room sent so far has been written and published."""
        await self._output.flushed()

    # --- output ----------------------------------------------------------------------------------

    def _send(self, step: Step) -> None:
        self._output.send(step)

    def publish(self, channel: str, message: bytes) -> None:
        """Publish in the room's output order (owner replies use this, after the events before them)."""
        self._send(lambda: self._bus.publish(channel, message))

    def _emit(self, effects: Effects, players: Iterable[PlayerState] = ()) -> None:
        """Persist what changed, then publish: shared events (kept in history), personal results, kicks.
        Called under the lock; everything is encoded here, written and published by the output."""
        pin, epoch, meta, changed = self.pin, self.epoch, self.state.meta(), list(players)
        store, bus, channel, finished = self._store, self._bus, envelope.channel(self.pin), effects.finished
        messages = envelope.messages(effects)

        async def write() -> None:
            await store.save_meta(pin, epoch, meta)
            if changed:
                await store.save_players(pin, epoch, changed)
            if finished is not None:
                await self._sink.record(finished)  # durable before anyone sees `finished`

        async def publish() -> None:
            for seq, message in messages:
                if seq is not None:
                    await store.append_event(pin, epoch, seq, message)
                await bus.publish(channel, message)

        self._send(write)
        self._send(publish)
        if finished is not None:
            self._timers.after("dispose", FINISHED_ROOM_LINGER_MS, self.dispose)

    async def _transition(self, step: Callable[..., Effects], *, with_answers: bool = False) -> None:
        """One host-driven step under the lock; `with_answers` hands it every closed question's answers."""
        async with self._lock:
            if self.disposed:
                raise self._gone()
            effects = step(await self._all_answers()) if with_answers else step()
            if effects.question_opened or effects.finished is not None:
                self._timers.cancel("advance", "autostart")  # the host moved on before the server did
            if effects.question_opened:
                self._question_opened()
            scored = effects.finished is not None or bool(effects.personal)
            self._emit(effects, self.state.players.values() if scored else ())

    # --- seats -----------------------------------------------------------------------------------

    async def join(self, nickname: str, account: Account | None, resume_hash: str) -> Seat:
        async with self._lock:
            if self.disposed:
                raise self._gone()
            player = self.game.join(nickname, account, self._clock.now_ms())
            player.resume_hash = resume_hash
            self._count_down()
            seat = Seat.of(self.game, player)
            # The join came from the player's socket: connected now, whatever order the edge's
            # notices arrive in over the bus (a question opening next must wait for them).
            self._presence(player.id, connected=True)
            pin, epoch = self.pin, self.epoch
            self._send(lambda: self._store.save_players(pin, epoch, [player]))
            collector.kept()
        self._lobby_soon()
        return seat

    def _count_down(self) -> None:
        """An autostart room with its seats taken starts its countdown (called under the lock)."""
        effects = self.game.countdown(self._clock.now_ms())
        if effects.shared:
            self._emit(effects)
        self._arm_autostart()

    def _arm_autostart(self) -> None:
        starts_at = self.state.starts_at_ms
        if starts_at is not None and self.state.phase is Phase.LOBBY:
            self._timers.at("autostart", starts_at, self._autostart)

    async def _autostart(self) -> None:
        if self.state.phase is Phase.LOBBY and not self.disposed:
            await self._transition(lambda: self.game.start(self._clock.now_ms()))

    def seat(self, player_id: PlayerId | None) -> Seat:
        """A returning player's seat, or the host's (`None`)."""
        if self.disposed:
            raise self._gone()
        if player_id is None:
            self.host_connected = True
            self._watch_emptiness()
            return Seat.of(self.game, None)
        player = self.state.players.get(player_id)
        if player is None or player.kicked:
            raise RoomError("kicked", "You were removed from this room")
        if player.left:
            raise RoomError("unauthorized", "You left this room")
        self._presence(player_id, connected=True)  # the seat was asked for by their socket
        return Seat.of(self.game, player)

    def _lobby_soon(self) -> None:
        if "lobby" not in self._timers:
            self._timers.after("lobby", lobby_interval_ms(len(self.state.players)), self._flush_lobby)

    async def _flush_lobby(self) -> None:
        async with self._lock:
            if not self.disposed and self.game.lobby_pending():
                self._emit(self.game.flush_lobby())

    def _gone_for_good(self, player_id: PlayerId) -> None:
        """Left by choice or kicked: no grace, the question stops waiting for them at once."""
        self._attendance.gone_for_good(player_id)
        self._close_if_all_answered()
        self._watch_emptiness()

    async def leave(self, player_id: PlayerId) -> None:
        self._gone_for_good(player_id)
        async with self._lock:
            self.game.leave(player_id)
            player = self.state.players.get(player_id)
            if player is not None:
                self._emit(Effects(), [player])
        self._lobby_soon()

    # --- what edges tell the owner ---------------------------------------------------------------

    def notice(self, notice: Notice) -> None:
        if self.disposed:
            return
        match notice.kind:
            case "answered":
                for player_id in notice.players:
                    self._answer_recorded(player_id, notice.question, notice.answer)
            case "presence":
                for player_id in notice.players:
                    self._presence(player_id, notice.connected)
            case "host":
                self.host_connected = notice.connected
                self._watch_emptiness()
            case "sent":
                self._question_sent(notice.at_ms)

    def _may_answer(self, player_id: PlayerId) -> bool:
        player = self.state.players.get(player_id)
        return (
            self.state.phase is Phase.QUESTION
            and player is not None
            and not player.left
            and self.game.eligible(player, self.state.question_index)
        )

    def _presence(self, player_id: PlayerId, connected: bool) -> None:
        """A player's socket came or went; a question waits for connected players, and for a
        dropped one until their grace runs out (never past the deadline)."""
        if connected:
            self._attendance.came(player_id, self._may_answer(player_id))
        elif self._attendance.went(player_id, self._grace_end()):
            self._time_grace()
        self._watch_emptiness()

    def _grace_end(self) -> int:
        return min(self._clock.now_ms() + self._drop_grace_ms, self.state.deadline_ms)

    def _time_grace(self) -> None:
        if "grace" not in self._timers:  # every hold lasts as long, so the first one ends first
            self._timers.at("grace", self._grace_end(), self._grace_over)

    async def _grace_over(self) -> None:
        next_end = self._attendance.expire(self._clock.now_ms())
        if next_end is not None:
            self._timers.at("grace", next_end, self._grace_over)
        self._close_if_all_answered()

    def _answer_recorded(self, player_id: PlayerId, question: int, answer: StoredAnswer | None) -> None:
        """An edge stored an answer; O(1): score it, count it, maybe close early, pace the host's counter."""
        if self.state.phase is not Phase.QUESTION or question != self.state.question_index:
            return
        if answer is not None:
            self.game.score_answer(player_id, question, answer)
            collector.kept()
        if not self._attendance.answer(player_id):
            return
        if "answers" not in self._timers:
            self._timers.after("answers", ANSWER_COUNT_INTERVAL_MS, self._send_answer_count)
        self._close_if_all_answered()

    def _question_sent(self, last_sent_ms: int) -> None:
        """An edge finished sending the open question; its last player still gets the full time."""
        if self.game.extend_deadline(last_sent_ms):
            self._timers.at("deadline", self.state.deadline_ms, self._on_deadline)
            pin, epoch, meta = self.pin, self.epoch, self.state.meta()
            self._send(lambda: self._store.save_meta(pin, epoch, meta))  # a new owner keeps the deadline

    def _close_if_all_answered(self) -> None:
        if self.state.phase is Phase.QUESTION and self._attendance.everyone_answered:
            self._timers.spawn(self.close_question())

    async def _send_answer_count(self) -> None:
        if self.state.phase is Phase.QUESTION:
            frame = {
                "type": "answers",
                "question": self.state.question_index,
                "count": len(self._attendance.answered),
                "of": self._attendance.of,
            }
            self.publish(envelope.channel(self.pin), envelope.host(frame))

    # --- questions -------------------------------------------------------------------------------

    def _question_opened(self, answered: Iterable[PlayerId] = (), everyone: bool = False) -> None:
        collector.keep()  # everything alive now (sockets, players, frames) outlives the answer burst
        candidates = self.state.players if everyone else self._attendance.connected
        self._attendance.open([pid for pid in candidates if self._may_answer(pid)], answered)
        self._timers.cancel("grace")
        self._timers.at("deadline", self.state.deadline_ms, self._on_deadline)

    async def _on_deadline(self) -> None:
        if self.state.phase is not Phase.QUESTION:
            return
        if self._clock.now_ms() < self.state.deadline_ms:  # extended since this timer was set
            self._timers.at("deadline", self.state.deadline_ms, self._on_deadline)
            return
        await self.close_question()

    async def close_question(self) -> None:
        """Close the open question: the reveal goes out first, then the scoring it does not need
        (folding every tally, ranking, each player's result, the scoreboard)."""
        async with self._lock:
            if self.disposed or self.state.phase is not Phase.QUESTION:
                return  # already closed by another path (deadline, early close, host)
            index = self.state.question_index
            stored = await self._store.close_answers(self.pin, index)
            # Answers were scored as their notices arrived: read them all only when some are on their way.
            late = await self._store.answers(self.pin, index) if stored != self.game.scored_count else None
            self._timers.cancel("deadline", "answers", "grace")
            self._attendance.close()
            self._emit(self.game.reveal(late))
            await self.flushed()
            self._emit(self.game.settle(), self.state.players.values())
        if self.state.settings.advances_by_itself:
            self._timers.after("advance", AUTO_ADVANCE_PAUSE_MS, self._auto_next)

    async def _auto_next(self) -> None:
        if self.state.phase is Phase.REVEAL:
            await self.command_next()

    async def _all_answers(self) -> list[dict[PlayerId, StoredAnswer]]:
        last = self.state.question_index
        return [await self._store.answers(self.pin, index) for index in range(last + 1)]

    # --- host commands ---------------------------------------------------------------------------

    async def command(self, frame: Frame) -> None:
        """A host command (already checked to come from the host); RoomError when refused. It returns
        once its writes are in the store: a command that a newer owner fenced off is refused, so
        the host can send it again, never silently lost."""
        await self._apply(frame)
        await self.flushed()
        if self.deposed:
            raise self._gone()

    async def _apply(self, frame: Frame) -> None:
        match frame:
            case Frame(type="start"):
                await self._transition(lambda: self.game.start(self._clock.now_ms()))
            case Frame(type="next"):
                await self.command_next()
            case Frame(type="close_question"):
                if self.state.phase is not Phase.QUESTION:
                    raise RoomError("wrong_state", "No question is open")
                await self.close_question()
            case Frame(type="end"):
                await self.end()
            case Kick():
                await self.kick(frame.player)
            case Lock():
                await self._transition(lambda: self.game.lock(frame.locked))
            case Void():
                await self._transition(
                    lambda answers: self.game.void(frame.question, answers), with_answers=True
                )
            case Accept():
                await self._transition(
                    lambda answers: self.game.accept(frame.question, frame.answer, answers), with_answers=True
                )
            case _:
                raise RoomError("bad_request", f"{frame.type} is not a host command")

    async def command_next(self) -> None:
        # Only the end of the game reads back every question's answers (to write the results).
        await self._transition(
            lambda answers=(): self.game.next(self._clock.now_ms(), answers),
            with_answers=self.game.next_finishes,
        )

    async def end(self) -> None:
        async with self._lock:
            if self.state.phase is Phase.FINISHED:
                raise RoomError("wrong_state", "The game has already ended")
            if self.state.phase is Phase.QUESTION:
                await self._store.close_answers(self.pin, self.state.question_index)
            self._timers.cancel("deadline", "answers", "advance", "lobby", "grace", "autostart")
            effects = self.game.finish(self._clock.now_ms(), await self._all_answers())
            self._emit(effects, self.state.players.values())

    async def kick(self, player_id: PlayerId) -> None:
        async with self._lock:
            if player_id not in self.state.players or self.state.players[player_id].kicked:
                raise RoomError("not_found", "No such player in this room")
            effects = self.game.leave(player_id, kicked=True)
            player = self.state.players[player_id]
            if player.resume_hash:
                await self._store.revoke_resume(player.resume_hash)
            self._emit(effects, [player])
        self._gone_for_good(player_id)
        self._lobby_soon()

    # --- taking a room over ----------------------------------------------------------------------

    async def took_over(self) -> None:
        """This node just took the room's lease (its owner died or left): carry on from the store.
        The clock goes on from the stored deadlines; edges are asked who is connected, and every
        player who has not answered the open question is held for the drop grace meanwhile."""
        state, now = self.state, self._clock.now_ms()
        if state.phase is Phase.QUESTION:
            answered = await self._store.answers(self.pin, state.question_index)
            self._question_opened(answered, everyone=True)
            for player_id in list(self._attendance.waiting):
                self._attendance.hold(player_id, self._grace_end())
            self._time_grace()
        elif state.phase is Phase.REVEAL:
            # The last owner may have died between the reveal and saving the scores it led to.
            await self._transition(self.game.rescore, with_answers=True)
            if state.settings.advances_by_itself:
                self._timers.after("advance", AUTO_ADVANCE_PAUSE_MS, self._auto_next)
        elif state.phase is Phase.LOBBY:
            async with self._lock:
                self._count_down()  # a countdown under way goes on; one its seats were due goes off
        elif state.phase is Phase.FINISHED:
            ended = state.ended_at_ms or now
            self._timers.at("dispose", max(now, ended + FINISHED_ROOM_LINGER_MS), self.dispose)
        self.publish(envelope.channel(self.pin), envelope.owner())

    # --- end of life -----------------------------------------------------------------------------

    def _watch_emptiness(self) -> None:
        if self._attendance.connected or self.host_connected:
            self._timers.cancel("empty")
        elif "empty" not in self._timers and not self.disposed:
            self._timers.after("empty", EMPTY_ROOM_GRACE_MS, self._abandoned)

    async def _abandoned(self) -> None:
        if self.state.phase is not Phase.FINISHED:
            await self.end()
        await self.dispose()

    def cancel_timers(self) -> None:
        self._timers.cancel_all()

    def _gone(self) -> RoomError:
        if self.deposed:
            return RoomError("unavailable", "This room is moving to another server; try again")
        return RoomError("not_found", "This room has closed")

    def _deposed(self) -> None:
        """Another node owns the room now: stop without touching the store or the sockets."""
        self.disposed = self.deposed = True
        self.cancel_timers()
        self._output.stop()
        self._on_disposed(self.pin)

    def stand_down(self) -> None:
        """This node stops owning the room (lease lost or handed over); the room lives on elsewhere."""
        if not self.disposed:
            self._deposed()

    async def dispose(self) -> None:
        """Forget the room: edges close their sockets (4004) and the store drops it."""
        async with self._lock:
            if self.disposed:
                return
            self.cancel_timers()
            self.publish(envelope.channel(self.pin), envelope.closed())
            await self.flushed()
            self.disposed = True
            await self._store.delete(self.pin)
        self._on_disposed(self.pin)
