"""Levels from XP: pure functions, no I/O."""

from __future__ import annotations

import math


def level_for(xp: int) -> int:
    """level = floor(sqrt(xp / 100)) + 1 (DESIGN.md), so level n starts at 100 * (n - 1)^2 XP."""
    return math.isqrt(max(0, xp) // 100) + 1


def xp_for_level(level: int) -> int:
    """The XP at which `level` starts."""
    return 100 * (max(1, level) - 1) ** 2
