"""Lobby news: who joined and left since the last `lobby` frame, and that frame (sans I/O)."""

from __future__ import annotations

from typing import Any

from rooms.core.events import SharedEvent
from rooms.core.types import PlayerId

LOBBY_NAMES_FOR_PLAYERS = 10
LOBBY_INTERVAL_MS = 250  # at most 4 lobby frames a second per room...
LOBBY_FRAMES_PER_SECOND = 4_000  # ...and at most this many lobby frames a second to a room's sockets
LOBBY_INTERVAL_MAX_MS = 5_000


def lobby_interval_ms(players: int) -> int:
    """How long a room gathers joins and leaves before its next `lobby` frame. Every frame goes to
    every player, so past 1,000 players the pace slows down to keep the sockets' share of a join
    burst constant (4,000 frames a second), whatever the size of the room."""
    paced = players * 1000 // LOBBY_FRAMES_PER_SECOND
    return min(max(LOBBY_INTERVAL_MS, paced), LOBBY_INTERVAL_MAX_MS)


class LobbyNews:
    """Joins and leaves gathered between two `lobby` frames (the runner paces them: `lobby_interval_ms`)."""

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
