"""Lobby news: who joined and left since the last `lobby` frame, and that frame (sans I/O)."""

from __future__ import annotations

from typing import Any

from rooms.core.events import SharedEvent
from rooms.core.types import PlayerId

LOBBY_NAMES_FOR_PLAYERS = 10


class LobbyNews:
    """Joins and leaves gathered between two `lobby` frames (the runner sends at most 4 a second)."""

    def __init__(self) -> None:
        self._joined: list[dict[str, str]] = []
        self._left: list[PlayerId] = []

    def joined(self, player_id: PlayerId, nickname: str) -> None:
        self._joined.append({"id": player_id, "nickname": nickname})

    def left(self, player_id: PlayerId) -> None:
        self._left.append(player_id)

    @property
    def pending(self) -> bool:
        return bool(self._joined or self._left)

    def frame(self, seq: int, count: int, locked: bool) -> SharedEvent:
        """The `lobby` event with the news so far, which it clears. The host gets every name; players
        get the count and only the latest few: sending every name to every player made a
        10,000-player lobby quadratic (about 2 GB written)."""
        frame: dict[str, Any] = {
            "type": "lobby",
            "seq": seq,
            "count": count,
            "joined": self._joined,
            "left": self._left,
            "locked": locked,
        }
        for_players = {**frame, "joined": self._joined[-LOBBY_NAMES_FOR_PLAYERS:], "left": []}
        self._joined, self._left = [], []
        return SharedEvent(seq, frame, (for_players,))
