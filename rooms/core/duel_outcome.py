"""Who won a duel (pure): a forfeit loses; otherwise the higher score wins, and equal scores go to
the faster player (less total credited response time); equal in both is a draw, and so is 0 to 0
(nobody scored: not answering must not win on time)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rooms.core.types import PlayerId


@dataclass(frozen=True, slots=True)
class Contender:
    """One side of a duel as it ended."""

    player_id: PlayerId
    score: int
    response_ms: int
    forfeited: bool = False


def duel_winner(contenders: Iterable[Contender]) -> PlayerId | None:
    """The winner's id, or None for a draw (or when nobody is left standing)."""
    standing = [c for c in contenders if not c.forfeited]
    if len(standing) == 1:
        return standing[0].player_id
    if len(standing) != 2:
        return None
    first, second = sorted(standing, key=lambda c: (-c.score, c.response_ms))
    if first.score == 0 or (first.score, first.response_ms) == (second.score, second.response_ms):
        return None
    return first.player_id


def verdict(player_id: PlayerId, winner: PlayerId | None) -> str:
    """A duel player's outcome as the final `result` says it: `won`, `lost` or `draw`."""
    if winner is None:
        return "draw"
    return "won" if winner == player_id else "lost"
