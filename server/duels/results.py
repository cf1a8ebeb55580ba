"""A finished duel's records, written inside the results transaction (server/results.py): both
ratings and records when the duel is rated, and each account's side of it for its history.

A duel is rated when its two seats are different signed-in accounts and neither is a bot: a bot or
a guest has no rating to put at stake, and a guest seat could be a player's own second tab. Unrated
duels still appear in each account's history, count as games played and earn the XP the room
promised; they leave ratings, the won/lost record and the duel badges alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from persistence.badges import DuelFacts
from persistence.ratings import OPPOSITE, DuelRecord, Outcome, after_duel, rate_duel
from persistence.uow import UnitOfWork
from rooms.core.results import FinishedGame, PlayerOutcome

log = logging.getLogger(__name__)

DUEL = "duel"  # FinishedGame.kind of a duel


@dataclass(frozen=True, slots=True)
class DuelSide:
    """One seat of a duel with the other seat and how the duel ended for it."""

    seat: PlayerOutcome
    opponent: PlayerOutcome
    outcome: Outcome


def duel_sides(game: FinishedGame) -> tuple[DuelSide, DuelSide] | None:
    """Both sides of a two-seat duel by its `winner` (None: a draw); None for any other game."""
    if game.kind != DUEL or len(game.players) != 2:
        return None
    first, second = game.players
    if game.winner is None:
        outcome: Outcome = "drawn"
    elif game.winner == first.player_id:
        outcome = "won"
    elif game.winner == second.player_id:
        outcome = "lost"
    else:
        log.error(
            "duel %s names a winner %r who is not seated; recorded as a draw", game.game_id, game.winner
        )
        outcome = "drawn"
    return DuelSide(first, second, outcome), DuelSide(second, first, OPPOSITE[outcome])


def is_account(seat: PlayerOutcome, known_users: set[int]) -> bool:
    return not seat.bot and seat.user_id is not None and seat.user_id in known_users


def is_rated(sides: tuple[DuelSide, DuelSide], known_users: set[int]) -> bool:
    """Both seats are accounts, and not the same one, and someone stayed to the end (a duel both
    players walked out of says nothing about either's skill)."""
    first, second = (side.seat for side in sides)
    return (
        is_account(first, known_users)
        and is_account(second, known_users)
        and first.user_id != second.user_id
        and not (first.forfeited and second.forfeited)
    )


async def record_duel(uow: UnitOfWork, game: FinishedGame, known_users: set[int]) -> dict[int, DuelFacts]:
    """Writes the duel's ratings (when rated) and history rows; returns what the duel badges need,
    by account (empty unless rated). Called once per game: the results writer skips a game it wrote."""
    sides = duel_sides(game)
    if sides is None:
        log.error("duel %s has %d seats; no duel records written", game.game_id, len(game.players))
        return {}
    played_at = datetime.fromtimestamp(game.ended_at_ms / 1000, UTC)
    rated = is_rated(sides, known_users)
    before, after = await _rate(uow, sides, played_at) if rated else ({}, {})
    await uow.duels.insert_results(
        [
            _history_row(game.game_id, side, known_users, played_at, before, after)
            for side in _histories(sides, known_users)
        ]
    )
    return {_user(side.seat): _facts(side, before, after) for side in sides} if rated else {}


async def _rate(
    uow: UnitOfWork, sides: tuple[DuelSide, DuelSide], at: datetime
) -> tuple[dict[int, DuelRecord], dict[int, DuelRecord]]:
    """Both players' records before and after the duel; the new ones are written."""
    first, second = sides
    first_id, second_id = _user(first.seat), _user(second.seat)
    before = await uow.duels.lock_records([first_id, second_id])
    first_rating, second_rating = rate_duel(before[first_id].rating, before[second_id].rating, first.outcome)
    after = {
        first_id: after_duel(before[first_id], first_rating, first.outcome),
        second_id: after_duel(before[second_id], second_rating, second.outcome),
    }
    await uow.duels.save_records(after, at)
    return before, after


def _histories(sides: tuple[DuelSide, DuelSide], known_users: set[int]) -> list[DuelSide]:
    """The sides that go into a history: one per account (an account on both seats keeps the
    side that did not lose, as with any game's better seat)."""
    kept: dict[int, DuelSide] = {}
    for side in sorted(sides, key=lambda side: side.outcome == "lost"):
        if is_account(side.seat, known_users):
            kept.setdefault(_user(side.seat), side)
    return list(kept.values())


def _user(seat: PlayerOutcome) -> int:
    assert seat.user_id is not None  # only called for account seats
    return seat.user_id


def _facts(side: DuelSide, before: dict[int, DuelRecord], after: dict[int, DuelRecord]) -> DuelFacts:
    mine = _user(side.seat)
    return DuelFacts(
        won=side.outcome == "won",
        rating_before=before[mine].rating,
        opponent_rating_before=before[_user(side.opponent)].rating,
        wins=after[mine].won,
        win_streak=after[mine].streak,
    )


def _history_row(
    game_id: int,
    side: DuelSide,
    known_users: set[int],
    played_at: datetime,
    before: dict[int, DuelRecord],
    after: dict[int, DuelRecord],
) -> dict[str, Any]:
    mine, opponent = side.seat, side.opponent
    rated = _user(mine) in after
    return {
        "user_id": _user(mine),
        "game_id": game_id,
        "played_at": played_at,
        "outcome": side.outcome,
        "score": mine.score,
        "forfeited": mine.forfeited,
        "opponent_user_id": opponent.user_id if is_account(opponent, known_users) else None,
        "opponent_nickname": opponent.nickname,
        "opponent_bot": opponent.bot,
        "opponent_score": opponent.score,
        "opponent_forfeited": opponent.forfeited,
        "rating_before": before[_user(mine)].rating if rated else None,
        "rating_after": after[_user(mine)].rating if rated else None,
    }
