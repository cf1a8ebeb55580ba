"""The room's current standings: ranks by player, and the top of the scoreboard."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rooms.core.ranking import Standing, rank
from rooms.core.state import PlayerState
from rooms.core.types import PlayerId


class Standings:
    """Ranked players (kicked ones excluded), recomputed after each scoring step."""

    def __init__(self) -> None:
        self._ranked: list[Standing] = []
        self._ranks: dict[PlayerId, int] = {}
        self._nicknames: dict[PlayerId, str] = {}

    def update(self, players: Iterable[PlayerState]) -> None:
        ranked = [p for p in players if not p.kicked]
        self._nicknames = {p.id: p.nickname for p in ranked}
        self._ranked = rank((p.id, p.tally.score, p.tally.total_credited_ms) for p in ranked)
        self._ranks = {standing.player_id: standing.rank for standing in self._ranked}

    @property
    def count(self) -> int:
        return len(self._ranked)

    def rank_of(self, player_id: PlayerId) -> int | None:
        return self._ranks.get(player_id)

    def top(self, count: int) -> list[dict[str, Any]]:
        return [
            {"id": s.player_id, "nickname": self._nicknames[s.player_id], "score": s.score, "rank": s.rank}
            for s in self._ranked[:count]
        ]
