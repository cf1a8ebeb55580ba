"""The owner of a duel room: a live room with two seats and no host, started and paced by the server
(`GameSettings.autostart`), where a player who leaves or stays away past the drop grace forfeits,
and where a bot's seat is played by the owner itself.

Everything the bot needs is in the room state (its rating, the room's seed), so a new owner after a
failover plays the same bot the same way, and every forfeit timer is armed again from the state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from functools import partial

from rooms.core.answers import parse_answer, stored_form
from rooms.core.events import RoomError
from rooms.core.scoring import credited_ms
from rooms.core.state import Account, Phase, PlayerState, Receipt, StoredAnswer
from rooms.core.types import PlayerId
from rooms.duel.bot import BotMove, bot_move, skill_for
from rooms.owner.base import Seat
from rooms.owner.runner import RoomRunner

DUEL_SEATS = 2


class DuelRunner(RoomRunner):
    """Runs one duel room on this node."""

    # --- seats -----------------------------------------------------------------------------------

    async def seat_player(self, nickname: str, account: Account | None, resume_hash: str) -> Seat:
        """A matched player's seat, taken for them before their socket arrives: they forfeit unless
        their socket sits down within the drop grace."""
        seat = await self.join(nickname, account, resume_hash)
        self._presence(seat.player_id or "", connected=False)
        return seat

    async def seat_bot(self, nickname: str, rating: int) -> PlayerState:
        """The bot's seat (its rating is the one it plays at); it is always there."""
        seat = await self.join(nickname, None, "")
        bot = self.state.players[seat.player_id or ""]
        bot.bot_rating = rating
        self._send(lambda: self._store.save_players(self.pin, self.epoch, [bot]))
        return bot

    def _bots(self) -> list[PlayerState]:
        return [p for p in self.state.players.values() if p.bot_rating is not None]

    # --- forfeits --------------------------------------------------------------------------------

    def _presence(self, player_id: PlayerId, connected: bool) -> None:
        super()._presence(player_id, connected)
        if connected:
            self._timers.cancel(f"forfeit:{player_id}")
        elif self.state.phase is not Phase.FINISHED and not self.disposed:
            self._timers.after(f"forfeit:{player_id}", self._drop_grace_ms, lambda: self._forfeit(player_id))

    async def leave(self, player_id: PlayerId) -> None:
        finished = self.state.phase is Phase.FINISHED
        await super().leave(player_id)
        if not finished:
            await self._forfeit(player_id)

    async def _forfeit(self, player_id: PlayerId) -> None:
        """The player is not here (left, or away past the grace): the duel ends, the other one wins."""
        player = self.state.players.get(player_id)
        if self.disposed or self.state.phase is Phase.FINISHED or player is None:
            return
        if player_id in self.connected:
            return  # back in time
        player.forfeited = True
        with contextlib.suppress(RoomError):  # ended meanwhile by another path
            await self.end()

    # --- the bot plays ---------------------------------------------------------------------------

    def _question_opened(self, answered: Iterable[PlayerId] = (), everyone: bool = False) -> None:
        super()._question_opened(answered, everyone)
        index, opened = self.state.question_index, self.state.opened_at_ms
        for bot in self._bots():
            if bot.id in self._attendance.answered:
                continue
            question = self.game.questions[index]
            move = bot_move(question, skill_for(bot.bot_rating or 0), f"{self.state.seed}:{bot.id}:{index}")
            at = opened + self.state.settings.read_time_ms + move.delay_ms
            self._timers.at(f"bot:{bot.id}", at, partial(self._bot_answers, bot.id, index, move))

    async def _bot_answers(self, bot_id: PlayerId, index: int, move: BotMove) -> None:
        if self.disposed or self.state.phase is not Phase.QUESTION or self.state.question_index != index:
            return
        question = self.game.questions[index]
        sent, read = self.state.opened_at_ms, self.state.settings.read_time_ms
        received = self._clock.now_ms()
        receipt = Receipt(
            sent, received, None, credited_ms(received, sent, read, None, question.time_limit_ms)
        )
        stored = StoredAnswer(stored_form(parse_answer(question, move.answer)), receipt)
        if await self._store.record_answer(self.pin, index, bot_id, stored) == "ok":
            self._answer_recorded(bot_id, index, stored)

    # --- a new owner -----------------------------------------------------------------------------

    async def took_over(self) -> None:
        for bot in self._bots():
            self._attendance.came(bot.id, may_answer=False)  # the bot never drops
        await super().took_over()
        if self.state.phase is not Phase.FINISHED:
            # Edges announce who is connected here within the grace; anyone they do not is away.
            for player in self.state.players.values():
                if player.bot_rating is None and not player.left and player.id not in self.connected:
                    self._presence(player.id, connected=False)
