"""Duel skill ratings: the Elo system with one K-factor for everyone, and a player's duel record.
Pure functions, no I/O.

A player's expected score against an opponent is `1 / (1 + 10^((opponent - rating) / 400))`; after a
duel their rating moves by `K * (actual - expected)`, with actual 1 for a win, 0.5 for a draw and 0
for a loss. Ratings are whole numbers: the change is rounded once, and the opponent's change is its
exact opposite, so a duel never creates or destroys rating points.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

START_RATING = 1200  # what a player without a rated duel has
K_FACTOR = 32  # the most a single duel can move a rating
SCALE = 400  # a 400-point gap means the stronger player is expected to score 10 times as much

Outcome = Literal["won", "lost", "drawn"]
ACTUAL_SCORE: dict[Outcome, float] = {"won": 1.0, "drawn": 0.5, "lost": 0.0}
OPPOSITE: dict[Outcome, Outcome] = {"won": "lost", "drawn": "drawn", "lost": "won"}


def expected_score(rating: int, opponent: int) -> float:
    """The share of the points `rating` is expected to take from `opponent`, between 0 and 1."""
    return 1.0 / (1.0 + 10.0 ** ((opponent - rating) / SCALE))


def rating_change(rating: int, opponent: int, outcome: Outcome) -> int:
    """How many points `rating` gains (or loses, negative) with `outcome` against `opponent`."""
    return round(K_FACTOR * (ACTUAL_SCORE[outcome] - expected_score(rating, opponent)))


def rate_duel(rating: int, opponent: int, outcome: Outcome) -> tuple[int, int]:
    """Both new ratings after a duel that the first player `outcome` (won, lost or drew)."""
    change = rating_change(rating, opponent, outcome)
    return rating + change, opponent - change


@dataclass(frozen=True, slots=True)
class DuelRecord:
    """A player's rated duels: the rating, the tally, and the wins in a row now and at best."""

    rating: int = START_RATING
    won: int = 0
    lost: int = 0
    drawn: int = 0
    streak: int = 0  # rated wins in a row up to now; a loss or a draw ends it
    best_streak: int = 0

    @property
    def played(self) -> int:
        return self.won + self.lost + self.drawn


def after_duel(record: DuelRecord, rating: int, outcome: Outcome) -> DuelRecord:
    """`record` once a rated duel ended with `outcome` and left the player at `rating`."""
    if outcome == "won":
        streak = record.streak + 1
        return replace(
            record,
            rating=rating,
            won=record.won + 1,
            streak=streak,
            best_streak=max(record.best_streak, streak),
        )
    if outcome == "lost":
        return replace(record, rating=rating, lost=record.lost + 1, streak=0)
    return replace(record, rating=rating, drawn=record.drawn + 1, streak=0)
