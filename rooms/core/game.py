"""A live game's state machine, sans I/O: each transition updates the room state and returns the
frames to send. The runner (`rooms.owner.runner`) does the sockets, store, bus and timers around it.

Shared events are numbered here (`seq`); question frames come in a few shuffled variants so that
each variant is encoded once, and a player's variant is fixed when they join.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rooms.core.answers import InvalidAnswer, from_store, parse_answer
from rooms.core.duel_outcome import verdict
from rooms.core.events import Effects, RoomError, SharedEvent
from rooms.core.lobby import LobbyNews
from rooms.core.nicknames import BadNickname, clean_nickname, nickname_key
from rooms.core.outcomes import NoRewards, Rewards, final_result, finished_game, player_outcomes
from rooms.core.question_event import VARIANTS, question_event
from rooms.core.questions import Kind, Question, question_from_document
from rooms.core.reveal import distribution, solution
from rooms.core.scoring import (
    AnswerRecord,
    PlayerTally,
    QuestionResult,
    fold,
    replay,
    score_answer,
)
from rooms.core.settings import AUTOSTART_COUNTDOWN_MS
from rooms.core.standings import Standings
from rooms.core.state import Account, Phase, PlayerState, RoomState, StoredAnswer
from rooms.core.types import PlayerId

MAX_RTT_ALLOWANCE_MS = 300
PODIUM_SIZE = 3


@dataclass(slots=True)
class Scored:
    """An answer to the open question, scored when it arrived."""

    stored: StoredAnswer
    record: AnswerRecord
    result: QuestionResult


def question_from_snapshot(doc: Mapping[str, Any]) -> Question:
    """A snapshot question carries its option ids (fixed when the game was created)."""
    ids = [option["id"] for option in doc.get("options", ()) if "id" in option]
    return question_from_document(doc, option_ids=ids or None)


class Game:
    """The rules of one room, applied to its `RoomState`."""

    def __init__(self, state: RoomState, rewards: Rewards | None = None):
        self.state = state
        self.rewards = rewards or NoRewards()
        self.questions: list[Question] = [question_from_snapshot(doc) for doc in state.questions_doc]
        self._nickname_keys = {p.nickname_key: p.id for p in state.players.values() if not p.kicked}
        self._accounts = {p.account.user_id for p in state.players.values() if p.account and not p.kicked}
        self.standings = Standings()
        self._settings = state.settings.as_dict()  # settings never change during a game
        self._rules = state.settings.scoring_rules
        self._lobby = LobbyNews()
        self._active = sum(1 for p in state.players.values() if not p.left and not p.kicked)
        self._open_frames: SharedEvent | None = None
        self._scored: dict[PlayerId, Scored] = {}  # the open question's answers, scored on arrival
        # Each closed question's results while this node owned the room (a new owner replays them).
        self._history: dict[int, dict[PlayerId, QuestionResult]] = {}
        if state.question_index >= 0:  # a room loaded from the store (a new owner) carries on as it was
            self._rank()
        if state.phase is Phase.QUESTION:
            index = state.question_index
            self._open_frames = question_event(
                state,
                self.questions[index],
                index,
                len(self.questions),
                state.question_seq,
                state.opened_at_ms,
            )

    # --- lobby -----------------------------------------------------------------------------------

    def join(self, raw_nickname: str, account: Account | None, now_ms: int) -> PlayerState:
        state = self.state
        if state.phase is Phase.FINISHED:
            raise RoomError("wrong_state", "This game has ended")
        if state.phase is not Phase.LOBBY and not state.settings.late_join:
            raise RoomError("wrong_state", "This game has started and does not take late joiners")
        if state.locked:
            raise RoomError("room_locked", "The host has locked this room")
        if self._active >= state.settings.max_players:
            raise RoomError("room_full", "This room is full")
        try:
            nickname = clean_nickname(raw_nickname)
        except BadNickname as exc:
            raise RoomError("bad_request", str(exc)) from None
        key = nickname_key(nickname)
        if key in self._nickname_keys:
            raise RoomError("nickname_taken", "That nickname is taken in this room")
        if account is not None and account.user_id in self._accounts:
            # One seat per account: XP is credited once, so a second seat would be promised XP it never gets.
            raise RoomError("forbidden", "This account already plays in this room; resume that seat instead")
        player = PlayerState(
            id=secrets.token_urlsafe(6),
            nickname=nickname,
            nickname_key=key,
            variant=len(state.players) % VARIANTS,
            joined_at_ms=now_ms,
            first_question=state.question_index + 1 if state.phase is not Phase.LOBBY else 0,
            account=account,
        )
        state.players[player.id] = player
        self._nickname_keys[key] = player.id
        if account is not None:
            self._accounts.add(account.user_id)
        self._active += 1
        self._lobby.joined(player.id, nickname)
        return player

    def leave(self, player_id: PlayerId, kicked: bool = False) -> Effects:
        player = self.state.players.get(player_id)
        effects = Effects()
        if player is None or player.kicked or (player.left and not kicked):
            return effects
        if not player.left:
            self._active -= 1
        player.left = True
        player.kicked = kicked
        if kicked or self.state.phase is Phase.LOBBY:
            self._nickname_keys.pop(player.nickname_key, None)
            if player.account is not None:
                self._accounts.discard(player.account.user_id)
        if kicked:
            effects.kicked.append(player_id)
        self._lobby.left(player_id)
        return effects

    def countdown(self, now_ms: int) -> Effects:
        """An autostart room with enough seated players starts counting down (once): `starts_at_ms`
        says when, and a forced `lobby` frame tells the players (`starts_at`)."""
        state = self.state
        seats = state.settings.autostart
        if not seats or state.phase is not Phase.LOBBY or state.starts_at_ms is not None:
            return Effects()
        if self._active < seats:
            return Effects()
        state.starts_at_ms = now_ms + AUTOSTART_COUNTDOWN_MS
        return self.flush_lobby(force=True)

    def lock(self, locked: bool) -> Effects:
        self.state.locked = locked
        return self.flush_lobby(force=True)

    def lobby_pending(self) -> bool:
        return self._lobby.pending

    def flush_lobby(self, force: bool = False) -> Effects:
        """One `lobby` frame with the joins and leaves since the last one (the runner paces it)."""
        effects = Effects()
        if force or self._lobby.pending:
            event = self._lobby.frame(self._next_seq(), self._active, self.state.locked)
            if self.state.starts_at_ms is not None and self.state.phase is Phase.LOBBY:
                for frame in (event.host, *event.variants):
                    frame["starts_at"] = self.state.starts_at_ms
            effects.shared.append(event)
        return effects

    # --- questions -------------------------------------------------------------------------------

    def start(self, now_ms: int) -> Effects:
        if self.state.phase is not Phase.LOBBY:
            raise RoomError("wrong_state", "The game has already started")
        if not self.questions:
            raise RoomError("wrong_state", "This quiz has no questions")
        self.state.started_at_ms, self.state.starts_at_ms = now_ms, None
        effects = self.flush_lobby()
        effects.merge(self._open(0, now_ms))
        return effects

    @property
    def next_finishes(self) -> bool:
        """Whether `next` ends the game (and so needs every question's answers)."""
        return self.state.question_index + 1 >= len(self.questions)

    def next(self, now_ms: int, all_answers: Sequence[Mapping[PlayerId, StoredAnswer]] = ()) -> Effects:
        """After a reveal: the next question, or the end of the game after the last one (which
        needs `all_answers`, every closed question's, to write the results)."""
        state = self.state
        if state.phase is not Phase.REVEAL:
            raise RoomError("wrong_state", "`next` follows a reveal")
        if self.next_finishes:
            return self.finish(now_ms, all_answers)
        return self._open(state.question_index + 1, now_ms)

    def _open(self, index: int, now_ms: int) -> Effects:
        state = self.state
        question = self.questions[index]
        state.phase = Phase.QUESTION
        state.question_index = index
        state.opened_at_ms = now_ms
        state.deadline_ms = (
            now_ms + state.settings.read_time_ms + question.time_limit_ms + MAX_RTT_ALLOWANCE_MS
        )
        state.question_seq = self._next_seq()
        self._scored = {}
        event = question_event(state, question, index, len(self.questions), state.question_seq, now_ms)
        self._open_frames = event
        return Effects(shared=[event], question_opened=True)

    def extend_deadline(self, last_sent_ms: int) -> bool:
        """A node finished sending the question at `last_sent_ms`: its last player gets the full time."""
        state = self.state
        question = self.questions[state.question_index]
        deadline = last_sent_ms + state.settings.read_time_ms + question.time_limit_ms + MAX_RTT_ALLOWANCE_MS
        if state.phase is Phase.QUESTION and deadline > state.deadline_ms:
            state.deadline_ms = deadline
            return True
        return False

    def open_question_event(self) -> SharedEvent | None:
        return self._open_frames if self.state.phase is Phase.QUESTION else None

    def eligible(self, player: PlayerState, index: int) -> bool:
        return not player.kicked and player.first_question <= index

    def score_answer(self, player_id: PlayerId, index: int, stored: StoredAnswer) -> None:
        """An answer the store accepted for the open question, scored as it arrives (O(1)), so that
        closing the question only reveals, folds and ranks. The first one for a player counts."""
        state = self.state
        player = state.players.get(player_id)
        if (
            state.phase is not Phase.QUESTION
            or index != state.question_index
            or player_id in self._scored
            or player is None
            or player.kicked
        ):
            return
        question = self.questions[index]
        # Parsed and checked once, at the edge that recorded it.
        record = AnswerRecord(from_store(question, stored.answer), stored.receipt.credited_ms)
        result = score_answer(player.tally.streak, question, record, self._rules)
        self._scored[player_id] = Scored(stored, record, result)

    @property
    def scored_count(self) -> int:
        """How many answers to the open question have been scored (the store holds at least as many)."""
        return len(self._scored)

    def close(self, answers: Mapping[PlayerId, StoredAnswer] | None = None) -> Effects:
        """Close the open question: `reveal`, each player's `result`, `scoreboard` (`reveal` then
        `settle` in one step)."""
        effects = self.reveal(answers)
        effects.merge(self.settle())
        effects.personal_at = 1  # PROTOCOL.md order: reveal, each player's result, scoreboard
        return effects

    def reveal(self, answers: Mapping[PlayerId, StoredAnswer] | None = None) -> Effects:
        """Close the open question and reveal it. `answers` (the store's, after it closed) adds those
        whose notice has not arrived yet; without it, the answers scored on arrival are all there is.
        Needs only the distribution: the first byte of the reveal does not wait for the scoring."""
        state = self.state
        if state.phase is not Phase.QUESTION:
            raise RoomError("wrong_state", "No question is open")
        index = state.question_index
        for player_id, stored in (answers or {}).items():
            self.score_answer(player_id, index, stored)
        question = self.questions[index]
        players = state.players
        # A player kicked after answering counts nowhere, not even in the chart.
        scored = [s for player_id, s in self._scored.items() if not players[player_id].kicked]
        state.phase = Phase.REVEAL
        revealed_question = self._open_frames.host if self._open_frames else None
        self._open_frames = None
        reveal: dict[str, Any] = {
            "type": "reveal",
            "seq": self._next_seq(),
            "question": index,
            "distribution": distribution(
                question, (s.record.answer for s in scored), (s.result.fraction for s in scored)
            ),
        }
        correct = solution(question, state.extra_accepted.get(index, ()))
        if correct is not None:
            reveal["correct"] = correct
        state.last_reveal = {"question": revealed_question, "reveal": reveal}
        return Effects(shared=[SharedEvent(reveal["seq"], reveal)], question_closed=True)

    def settle(self) -> Effects:
        """After `reveal`: fold the revealed question into every tally, rank, and send each player's
        `result` and the `scoreboard`."""
        state = self.state
        index = state.question_index
        question = self.questions[index]
        rules = self._rules
        scored, self._scored = self._scored, {}
        results: dict[PlayerId, QuestionResult] = {}
        for player in state.players.values():
            entry = scored.get(player.id)
            if player.kicked or (entry is None and player.first_question > index):
                continue
            record = entry.record if entry else None
            result = entry.result if entry else score_answer(player.tally.streak, question, None, rules)
            player.tally = fold(player.tally, result, record)
            results[player.id] = result
        self._history[index] = results
        self._rank()
        receipts = {player_id: entry.stored for player_id, entry in scored.items()}
        return Effects(
            personal=self._personal_results(index, results, receipts),
            personal_at=0,
            shared=[self._scoreboard()],
        )

    def _records(
        self, question: Question, answers: Mapping[PlayerId, StoredAnswer]
    ) -> dict[PlayerId, AnswerRecord]:
        records = {}
        for player_id, stored in answers.items():
            player = self.state.players.get(player_id)
            if player is None or player.kicked:  # a kicked player's answers count nowhere, not even the chart
                continue
            # Parsed and checked once, at the edge that recorded it.
            records[player_id] = AnswerRecord(from_store(question, stored.answer), stored.receipt.credited_ms)
        return records

    def _extra(self, index: int) -> tuple[Any, ...]:
        extras = []
        for raw in self.state.extra_accepted.get(index, ()):
            try:
                extras.append(parse_answer(self.questions[index], raw))
            except InvalidAnswer:
                continue
        return tuple(extras)

    # --- standings and results -------------------------------------------------------------------

    def _rank(self) -> None:
        self.standings.update(self.state.players.values())

    def _scoreboard(self) -> SharedEvent:
        frame: dict[str, Any] = {
            "type": "scoreboard",
            "seq": self._next_seq(),
            "top": self.standings.top(self.state.settings.top_n),
            "players": self.standings.count,
        }
        return SharedEvent(frame["seq"], frame)

    def _personal_results(
        self, index: int, results: Mapping[PlayerId, QuestionResult], answers: Mapping[PlayerId, StoredAnswer]
    ) -> dict[PlayerId, dict[str, Any]]:
        personal = {}
        for player_id, result in results.items():
            player = self.state.players[player_id]
            frame: dict[str, Any] = {
                "type": "result",
                "question": index,
                "correct": result.correct,
                "points": result.points,
                "streak": player.tally.streak,
                "score": player.tally.score,
                "rank": self.standings.rank_of(player_id),
                "answered": result.answered,
            }
            stored = answers.get(player_id)
            if stored is not None:
                frame["receipt"] = stored.receipt.as_dict()
            player.last_result = frame
            personal[player_id] = frame
        return personal

    def _replay(
        self, all_answers: Sequence[Mapping[PlayerId, StoredAnswer]]
    ) -> list[dict[PlayerId, QuestionResult]]:
        """Every tally and rank again from the stored answers of the closed questions."""
        state = self.state
        per_question = [
            self._records(q, answers) for q, answers in zip(self.questions, all_answers, strict=False)
        ]
        tallies, history = replay(
            self.questions,
            per_question,
            state.settings.scoring_rules,
            state.voided,
            {i: self._extra(i) for i in range(len(per_question))},
            list(state.players),
        )
        for player_id, player in state.players.items():
            player.tally = tallies.get(player_id, PlayerTally())
        self._rank()
        self._history = dict(enumerate(history))
        return history

    def rescore(self, all_answers: Sequence[Mapping[PlayerId, StoredAnswer]]) -> Effects:
        """After a void or an accepted answer: new results for the latest revealed question, and the
        scoreboard. A question open right now is not replayed: it has not been scored yet."""
        state = self.state
        revealed = state.question_index + 1 if state.phase is Phase.REVEAL else state.question_index
        all_answers = all_answers[:revealed]
        history = self._replay(all_answers)
        latest = len(history) - 1
        players = self.state.players
        eligible = {pid: r for pid, r in history[latest].items() if self.eligible(players[pid], latest)}
        effects = Effects(
            personal=self._personal_results(latest, eligible, all_answers[latest]), personal_at=0
        )
        effects.shared.append(self._scoreboard())
        return effects

    def void(self, question: int, all_answers: Sequence[Mapping[PlayerId, StoredAnswer]]) -> Effects:
        self._check_revealed(question)
        self.state.voided.add(question)
        return self.rescore(all_answers)

    def accept(
        self, question: int, raw_answer: Any, all_answers: Sequence[Mapping[PlayerId, StoredAnswer]]
    ) -> Effects:
        self._check_revealed(question)
        try:
            parse_answer(self.questions[question], raw_answer)
        except InvalidAnswer as exc:
            raise RoomError("bad_request", f"That answer does not fit the question: {exc}") from None
        if self.questions[question].kind is Kind.POLL:
            raise RoomError("bad_request", "A poll has no correct answer to extend")
        self.state.extra_accepted.setdefault(question, []).append(raw_answer)
        return self.rescore(all_answers)

    def _check_revealed(self, question: int) -> None:
        state = self.state
        revealed = state.question_index if state.phase is Phase.REVEAL else state.question_index - 1
        if state.phase is Phase.FINISHED or not 0 <= question <= revealed:
            raise RoomError("wrong_state", "Only a revealed question of a running game can change")

    def finish(self, now_ms: int, all_answers: Sequence[Mapping[PlayerId, StoredAnswer]]) -> Effects:
        """End the game: `finished` with the podium, each player's final `result`, and the results."""
        state = self.state
        if state.phase is Phase.FINISHED:
            raise RoomError("wrong_state", "The game has already ended")
        if state.phase is Phase.QUESTION:  # `end` during a question: it counts as closed, unrevealed
            state.question_index -= 1
        closed = all_answers[: state.question_index + 1]
        # The tallies are up to date; the results of each question are needed for the answers' records.
        if all(index in self._history for index in range(len(closed))):
            history = [self._history[index] for index in range(len(closed))]
            self._rank()  # also ranks a game ended before anything was scored
        else:  # some closed before this node owned the room
            history = self._replay(closed)
        state.phase, state.ended_at_ms = Phase.FINISHED, now_ms
        self._open_frames = None
        finished: dict[str, Any] = {
            "type": "finished",
            "seq": self._next_seq(),
            "podium": self.standings.top(PODIUM_SIZE),
            "game_id": state.game_id,
        }
        effects = Effects(shared=[SharedEvent(finished["seq"], finished)])
        outcomes = player_outcomes(state, self.standings, self.rewards)
        effects.finished = finished_game(state, now_ms, outcomes, closed, history)
        duel = state.kind == "duel"
        if duel:  # who won, for both screens: the podium alone cannot say a forfeit or a tie on time
            finished["winner"] = effects.finished.winner
            finished["forfeited"] = [o.player_id for o in outcomes if o.forfeited]
        for outcome in outcomes:
            player = state.players[outcome.player_id]
            frame = final_result(player, outcome, self.rewards)
            if duel:
                frame["outcome"] = verdict(player.id, effects.finished.winner)
            player.last_result = effects.personal[outcome.player_id] = frame
        return effects

    # --- views -----------------------------------------------------------------------------------

    def roster(self) -> list[dict[str, str]]:
        return [
            {"id": p.id, "nickname": p.nickname}
            for p in self.state.players.values()
            if not p.left and not p.kicked
        ]

    def snapshot(
        self, player_id: PlayerId | None, *, answered: bool = False, remaining_ms: int | None = None
    ) -> dict[str, Any]:
        """`welcome.state`: the room as of now, for one player (or the host when `player_id` is None)."""
        state = self.state
        snap: dict[str, Any] = {
            "phase": str(state.phase),
            "title": state.title,
            "total": len(self.questions),
            "question_index": state.question_index,
            "locked": state.locked,
            "players": self._active,
            "settings": self._settings,
        }
        if state.starts_at_ms is not None:
            snap["starts_at"] = state.starts_at_ms
        event = self.open_question_event()
        player = state.players.get(player_id) if player_id else None
        if event is not None:
            snap["question"] = event.frame_for(player.variant if player else None)
            snap["remaining_ms"] = remaining_ms
            snap["answered"] = answered
        if state.phase is Phase.REVEAL and state.last_reveal is not None:
            snap["revealed_question"] = state.last_reveal["question"]
            snap["reveal"] = state.last_reveal["reveal"]
        if player is not None:
            snap.update(
                score=player.tally.score,
                streak=player.tally.streak,
                rank=self.standings.rank_of(player.id),
                result=player.last_result,
            )
        else:
            snap["roster"] = self.roster()
        if self.standings.count:
            snap["standings"] = self.standings.top(self.state.settings.top_n)
        return snap

    # --- helpers ---------------------------------------------------------------------------------

    def _next_seq(self) -> int:
        self.state.seq += 1
        return self.state.seq
