"""XP and levels: pure functions, no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass


def level_for(xp: int) -> int:
    """level = floor(sqrt(xp / 100)) + 1 (DESIGN.md), so level n starts at 100 * (n - 1)^2 XP."""
    return math.isqrt(max(0, xp) // 100) + 1


def xp_for_level(level: int) -> int:
    """The XP at which `level` starts."""
    return 100 * (max(1, level) - 1) ** 2


PARTICIPATION_XP = 10
SCORE_PER_XP = 20
PLACEMENT_XP = {1: 50, 2: 30, 3: 20}
PLACEMENT_MIN_PLAYERS = 3
KIND_WEIGHT = {"quiz": 1.0, "duel": 0.5}


def xp_for_game(score: int, rank: int | None, players: int, kind: str = "quiz") -> int:
    """XP for one finished game: 10 for taking part, 1 per 20 points scored, and 50/30/20 for the
    podium when at least 3 played; duels weigh half (they are short and can be repeated at will)."""
    placement = PLACEMENT_XP.get(rank or 0, 0) if players >= PLACEMENT_MIN_PLAYERS else 0
    earned = PARTICIPATION_XP + max(0, score) // SCORE_PER_XP + placement
    return round(earned * KIND_WEIGHT.get(kind, 1.0))


@dataclass(frozen=True, slots=True)
class LevelProgress:
    """Where an XP total stands: its level, the XP that level starts at and the XP of the next one."""

    xp: int
    level: int
    level_xp: int
    next_level_xp: int

    @property
    def fraction(self) -> float:
        """How far through the level, from 0 (just reached) towards 1 (about to level up)."""
        return (self.xp - self.level_xp) / (self.next_level_xp - self.level_xp)


def level_progress(xp: int) -> LevelProgress:
    """The level of `xp` with the XP bounds of that level, for progress bars."""
    xp = max(0, xp)
    level = level_for(xp)
    return LevelProgress(xp, level, xp_for_level(level), xp_for_level(level + 1))
