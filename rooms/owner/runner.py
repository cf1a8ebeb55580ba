"""The owner of a room on this node: applies host commands and timers to the `Game`, writes every
transition to the store, and publishes the resulting events on the room's bus channel.

Transitions run one at a time under a lock. The answer path never takes it: edges record answers
in the store themselves and only tell the owner who answered, an O(1) update.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from rooms.bus.memory import Bus
from rooms.core import envelope
from rooms.core.clock import Clock, Handle
from rooms.core.events import Effects, RoomError
from rooms.core.game import Game
from rooms.core.protocol import Accept, Frame, Kick, Lock, Void
from rooms.core.results import ResultsSink
from rooms.core.settings import AUTO_ADVANCE_PAUSE_MS
from rooms.core.state import Account, Phase, PlayerState, StoredAnswer
from rooms.core.types import PlayerId
from rooms.store.memory import RoomStore

log = logging.getLogger(__name__)

LOBBY_INTERVAL_MS = 250  # at most 4 lobby frames a second per room
ANSWER_COUNT_INTERVAL_MS = 250
EMPTY_ROOM_GRACE_MS = 10 * 60_000  # a room nobody is connected to lives this long
FINISHED_ROOM_LINGER_MS = 10 * 60_000  # the podium stays reachable (and resumable) this long


class RoomRunner:
    """Runs one room's clock and state transitions; the single writer of its state."""

    def __init__(
        self,
        game: Game,
        store: RoomStore,
        bus: Bus,
        clock: Clock,
        sink: ResultsSink,
        on_disposed: Callable[[str], None] = lambda pin: None,
    ):
        self.game = game
        self.pin = game.state.pin
        self._store, self._bus, self._clock, self._sink = store, bus, clock, sink
        self._on_disposed = on_disposed
        self._lock = asyncio.Lock()
        self._timers: dict[str, Handle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.connected: set[PlayerId] = set()
        self.host_connected = False
        self._waiting: set[PlayerId] = set()  # connected players yet to answer the open question
        self._answered = 0
        self._answered_ids: set[PlayerId] = set()
        self._of = 0
        self.disposed = False
        self._watch_emptiness()

    @property
    def state(self):  # noqa: ANN201 - RoomState, via the game
        return self.game.state

    # --- background work -------------------------------------------------------------------------

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("room %s: background step failed", self.pin, exc_info=task.exception())

    async def idle(self) -> None:
        """Wait until the work that timers and notifications started is done (tests use this)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _schedule(self, name: str, when_ms: int, step: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        self._cancel(name)
        self._timers[name] = self._clock.call_at(when_ms, lambda: self._fire(name, step))

    def _fire(self, name: str, step: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        self._timers.pop(name, None)
        self._spawn(step())

    def _cancel(self, name: str) -> None:
        handle = self._timers.pop(name, None)
        if handle is not None:
            handle.cancel()

    # --- output ----------------------------------------------------------------------------------

    async def _emit(self, effects: Effects) -> None:
        """Persist the state, then publish: shared events (kept in history), personal results, kicks."""
        await self._store.save(self.state)
        channel = envelope.channel(self.pin)
        personal_at = len(effects.shared) if effects.personal_at is None else effects.personal_at
        for position, event in enumerate(effects.shared):
            if position == personal_at and effects.personal:
                await self._bus.publish(channel, envelope.personal(effects.personal))
            message = envelope.shared(event)
            await self._store.append_event(self.pin, event.seq, message)
            await self._bus.publish(channel, message)
        if personal_at >= len(effects.shared) and effects.personal:
            await self._bus.publish(channel, envelope.personal(effects.personal))
        for frame in effects.host:
            await self._bus.publish(channel, envelope.host(frame))
        if effects.kicked:
            await self._bus.publish(channel, envelope.kick(effects.kicked))
        if effects.finished is not None:
            self._spawn(self._sink.game_finished(effects.finished))
            self._schedule("dispose", self._clock.now_ms() + FINISHED_ROOM_LINGER_MS, self.dispose)

    async def _transition(self, step: Callable[..., Effects], *, with_answers: bool = False) -> None:
        """One host-driven step under the lock; `with_answers` hands it every closed question's answers."""
        async with self._lock:
            if self.disposed:
                raise RoomError("not_found", "This room has closed")
            effects = step(await self._all_answers()) if with_answers else step()
            if effects.question_opened or effects.finished is not None:
                self._cancel("advance")  # the host moved on before auto-advance did
            if effects.question_opened:
                self._question_opened()
            await self._emit(effects)

    # --- players ---------------------------------------------------------------------------------

    async def join(self, nickname: str, account: Account | None) -> PlayerState:
        async with self._lock:
            if self.disposed:
                raise RoomError("not_found", "This room has closed")
            player = self.game.join(nickname, account, self._clock.now_ms())
            await self._store.save(self.state)
        self._lobby_soon()
        return player

    def _lobby_soon(self) -> None:
        if "lobby" not in self._timers:
            self._schedule("lobby", self._clock.now_ms() + LOBBY_INTERVAL_MS, self._flush_lobby)

    async def _flush_lobby(self) -> None:
        async with self._lock:
            if not self.disposed and self.game.lobby_pending():
                await self._emit(self.game.flush_lobby())
        gc.freeze()  # the players who just joined are long-lived: keep them out of full collections

    async def leave(self, player_id: PlayerId) -> None:
        self.presence(player_id, connected=False)
        async with self._lock:
            self.game.leave(player_id)
            await self._store.save(self.state)
        self._lobby_soon()

    def presence(self, player_id: PlayerId, connected: bool) -> None:
        """An edge says a player's socket came or went; a question waits only for connected players."""
        if connected:
            self.connected.add(player_id)
            player = self.state.players.get(player_id)
            if (
                self.state.phase is Phase.QUESTION
                and player is not None
                and self.game.eligible(player, self.state.question_index)
                and self._not_answered(player_id)
            ):
                self._waiting.add(player_id)
        else:
            self.connected.discard(player_id)
            self._waiting.discard(player_id)
            self._close_if_all_answered()
        self._watch_emptiness()

    def host_presence(self, connected: bool) -> None:
        self.host_connected = connected
        self._watch_emptiness()

    def _not_answered(self, player_id: PlayerId) -> bool:
        return player_id not in self._answered_ids

    # --- questions -------------------------------------------------------------------------------

    def answer_recorded(self, player_id: PlayerId, question: int) -> None:
        """An edge stored an answer; O(1): count it, maybe close early, pace the host's counter."""
        if self.state.phase is not Phase.QUESTION or question != self.state.question_index:
            return
        self._answered += 1
        self._answered_ids.add(player_id)
        self._waiting.discard(player_id)
        if "answers" not in self._timers:
            self._schedule(
                "answers", self._clock.now_ms() + ANSWER_COUNT_INTERVAL_MS, self._send_answer_count
            )
        self._close_if_all_answered()

    def question_sent(self, last_sent_ms: int) -> None:
        """An edge finished sending the open question; its last player still gets the full time."""
        if self.game.extend_deadline(last_sent_ms):
            self._schedule("deadline", self.state.deadline_ms, self._on_deadline)

    def _close_if_all_answered(self) -> None:
        if self.state.phase is Phase.QUESTION and not self._waiting and self._answered > 0:
            self._spawn(self.close_question())

    async def _send_answer_count(self) -> None:
        if self.state.phase is Phase.QUESTION:
            frame = {
                "type": "answers",
                "question": self.state.question_index,
                "count": self._answered,
                "of": self._of,
            }
            await self._bus.publish(envelope.channel(self.pin), envelope.host(frame))

    def _question_opened(self) -> None:
        # Everything alive now (sockets, players, frames) outlives the answer burst: freezing it keeps
        # full collections, which would walk ~a million objects at 10k players, out of the burst.
        gc.freeze()
        index = self.state.question_index
        self._answered, self._answered_ids = 0, set()
        self._waiting = {
            pid
            for pid in self.connected
            if (p := self.state.players.get(pid)) is not None and self.game.eligible(p, index)
        }
        self._of = len(self._waiting)
        self._schedule("deadline", self.state.deadline_ms, self._on_deadline)

    async def _on_deadline(self) -> None:
        if self.state.phase is not Phase.QUESTION:
            return
        if self._clock.now_ms() < self.state.deadline_ms:  # extended since this timer was set
            self._schedule("deadline", self.state.deadline_ms, self._on_deadline)
            return
        await self.close_question()

    async def close_question(self) -> None:
        async with self._lock:
            if self.disposed or self.state.phase is not Phase.QUESTION:
                return  # already closed by another path (deadline, early close, host)
            index = self.state.question_index
            await self._store.close_answers(self.pin, index)
            effects = self.game.close(await self._store.answers(self.pin, index))
            self._cancel("deadline")
            self._cancel("answers")
            await self._emit(effects)
        if self.state.settings.auto_advance:
            self._schedule("advance", self._clock.now_ms() + AUTO_ADVANCE_PAUSE_MS, self._auto_next)

    async def _auto_next(self) -> None:
        if self.state.phase is Phase.REVEAL:
            await self.command_next()

    async def _all_answers(self) -> list[dict[PlayerId, StoredAnswer]]:
        last = self.state.question_index
        return [await self._store.answers(self.pin, index) for index in range(last + 1)]

    # --- host commands ---------------------------------------------------------------------------

    async def command(self, frame: Frame) -> None:
        """A host command (already checked to come from the host); RoomError when refused."""
        match frame.type:
            case "start":
                await self._transition(lambda: self.game.start(self._clock.now_ms()))
            case "next":
                await self.command_next()
            case "close_question":
                if self.state.phase is not Phase.QUESTION:
                    raise RoomError("wrong_state", "No question is open")
                await self.close_question()
            case "end":
                await self.end()
            case "kick":
                assert isinstance(frame, Kick)
                await self.kick(frame.player)
            case "lock":
                assert isinstance(frame, Lock)
                await self._transition(lambda: self.game.lock(frame.locked))
            case "void":
                assert isinstance(frame, Void)
                await self._transition(
                    lambda answers: self.game.void(frame.question, answers), with_answers=True
                )
            case "accept":
                assert isinstance(frame, Accept)
                await self._transition(
                    lambda answers: self.game.accept(frame.question, frame.answer, answers), with_answers=True
                )
            case _:
                raise RoomError("bad_request", f"{frame.type} is not a host command")

    async def command_next(self) -> None:
        await self._transition(
            lambda answers: self.game.next(self._clock.now_ms(), answers), with_answers=True
        )

    async def end(self) -> None:
        async with self._lock:
            if self.state.phase is Phase.FINISHED:
                raise RoomError("wrong_state", "The game has already ended")
            if self.state.phase is Phase.QUESTION:
                await self._store.close_answers(self.pin, self.state.question_index)
            for name in ("deadline", "answers", "advance", "lobby"):
                self._cancel(name)
            await self._emit(self.game.finish(self._clock.now_ms(), await self._all_answers()))

    async def kick(self, player_id: PlayerId) -> None:
        async with self._lock:
            if player_id not in self.state.players or self.state.players[player_id].kicked:
                raise RoomError("not_found", "No such player in this room")
            effects = self.game.leave(player_id, kicked=True)
            resume_hash = self.state.players[player_id].resume_hash
            if resume_hash:
                await self._store.revoke_resume(resume_hash)
            await self._emit(effects)
        self.presence(player_id, connected=False)
        self._lobby_soon()

    # --- end of life -----------------------------------------------------------------------------

    def _watch_emptiness(self) -> None:
        if self.connected or self.host_connected:
            self._cancel("empty")
        elif "empty" not in self._timers and not self.disposed:
            self._schedule("empty", self._clock.now_ms() + EMPTY_ROOM_GRACE_MS, self._abandoned)

    async def _abandoned(self) -> None:
        if self.state.phase is not Phase.FINISHED:
            await self.end()
        await self.dispose()

    def cancel_timers(self) -> None:
        for name in list(self._timers):
            self._cancel(name)

    async def dispose(self) -> None:
        """Forget the room: edges close their sockets (4004) and the store drops it."""
        async with self._lock:
            if self.disposed:
                return
            self.disposed = True
            self.cancel_timers()
            await self._bus.publish(envelope.channel(self.pin), envelope.closed())
            await self._store.delete(self.pin)
        gc.unfreeze()  # what this room froze may now be garbage; let the collector see it again
        self._on_disposed(self.pin)
