"""The end of a game: each player's outcome and XP, their final `result` frame, and the
`FinishedGame` value handed to the results sink (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from rooms.core.duel_outcome import Contender, duel_winner
from rooms.core.results import AnswerOutcome, FinishedGame, PlayerOutcome
from rooms.core.scoring import QuestionResult
from rooms.core.standings import Standings
from rooms.core.state import PlayerState, RoomState, StoredAnswer
from rooms.core.types import PlayerId

BOT_DUEL_XP_SHARE = 0.5  # a duel against a bot earns half a duel's XP (and no rating change)


class Rewards(Protocol):
    """XP and levels, supplied by `server/` (the rules live with persistence)."""

    def xp_for(self, score: int, rank: int | None, players: int, kind: str) -> int: ...

    def level_for(self, xp: int) -> int: ...


class NoRewards:
    """No XP at all: rooms tested on their own."""

    def xp_for(self, score: int, rank: int | None, players: int, kind: str) -> int:
        return 0

    def level_for(self, xp: int) -> int:
        return 1


def player_outcomes(state: RoomState, standings: Standings, rewards: Rewards) -> list[PlayerOutcome]:
    """Every player's final standing; XP only for accounts that were not kicked, reduced against a bot."""
    outcomes = []
    against_bot = any(p.bot_rating is not None for p in state.players.values())
    for player in state.players.values():
        player_rank = standings.rank_of(player.id)
        xp = 0
        if player.account is not None and not player.kicked:
            xp = rewards.xp_for(player.tally.score, player_rank, standings.count, state.kind)
            if against_bot:
                xp = int(xp * BOT_DUEL_XP_SHARE)
        user_id = player.account.user_id if player.account else None
        outcomes.append(
            PlayerOutcome(
                player.id,
                player.nickname,
                user_id,
                player.tally.score,
                player_rank,
                player.tally.correct_count,
                xp,
                player.kicked,
                bot=player.bot_rating is not None,
                forfeited=player.forfeited,
                response_ms=player.tally.total_credited_ms,
            )
        )
    return outcomes


def winner_of(state: RoomState, outcomes: Sequence[PlayerOutcome]) -> PlayerId | None:
    """A duel's winner (None for a draw); None for every other kind of room."""
    if state.kind != "duel":
        return None
    return duel_winner(Contender(o.player_id, o.score, o.response_ms, o.forfeited) for o in outcomes)


def final_result(player: PlayerState, outcome: PlayerOutcome, rewards: Rewards) -> dict[str, Any]:
    """The last `result` frame: XP gained now, and the level reached from the XP read at join."""
    frame: dict[str, Any] = {
        "type": "result",
        "score": outcome.score,
        "rank": outcome.rank,
        "streak": player.tally.streak,
        "correct_count": outcome.correct_count,
        "xp_gained": outcome.xp_gained,
    }
    if player.account is not None:
        frame["level"] = rewards.level_for(player.account.xp + outcome.xp_gained)
    return frame


def finished_game(
    state: RoomState,
    now_ms: int,
    outcomes: list[PlayerOutcome],
    all_answers: Sequence[Mapping[PlayerId, StoredAnswer]],
    history: list[dict[PlayerId, QuestionResult]],
) -> FinishedGame:
    """Everything the game leaves behind, every accepted answer with its points and receipt."""
    answers = tuple(
        AnswerOutcome(
            player_id,
            index,
            stored.answer,
            history[index][player_id].correct,
            history[index][player_id].points,
            history[index][player_id].streak,
            stored.receipt,
        )
        for index, question_answers in enumerate(all_answers)
        for player_id, stored in question_answers.items()
        if player_id in history[index]
    )
    return FinishedGame(
        game_id=state.game_id,
        pin=state.pin,
        kind=state.kind,
        title=state.title,
        host_user_id=state.host_user_id,
        settings=state.settings.as_dict(),
        questions=state.questions_doc,
        started_at_ms=state.started_at_ms,
        ended_at_ms=now_ms,
        players=tuple(outcomes),
        answers=answers,
        voided=tuple(sorted(state.voided)),
        winner=winner_of(state, outcomes),
    )
