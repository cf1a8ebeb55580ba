"""Standings: players ordered by score, ties broken by total credited time, equal players sharing a rank."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rooms.core.types import PlayerId


@dataclass(frozen=True, slots=True)
class Standing:
    """A player's place on the scoreboard; `rank` is competition style (1, 2, 2, 4)."""

    player_id: PlayerId
    score: int
    rank: int


def rank(entries: Iterable[tuple[PlayerId, int, int]]) -> list[Standing]:
    """Rank `(player_id, score, total_credited_ms)` entries: higher score first, then less time.

    Players with the same score and time share a rank, and the next rank skips past them. Among
    equals the order is by player id, only so that the output is deterministic.
    """
    ordered = sorted(entries, key=lambda entry: (-entry[1], entry[2], entry[0]))
    standings: list[Standing] = []
    previous: tuple[int, int] | None = None
    current_rank = 0
    for position, (player_id, score, total_ms) in enumerate(ordered, start=1):
        if (score, total_ms) != previous:
            current_rank = position
            previous = (score, total_ms)
        standings.append(Standing(player_id, score, current_rank))
    return standings
