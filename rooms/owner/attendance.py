"""Who an open question waits for: connected players who have not answered it, and players whose
socket dropped, until their grace runs out. Plain bookkeeping, O(1) per event; the runner owns the
timers and the closing."""

from __future__ import annotations

from collections.abc import Iterable

from rooms.core.types import PlayerId


class Attendance:
    """Presence of a room's players and their answers to the open question."""

    def __init__(self) -> None:
        self.connected: set[PlayerId] = set()
        self.answered: set[PlayerId] = set()  # answered the open question
        self.of = 0  # how many the open question waited for when it opened (the host's counter)
        self._waiting: set[PlayerId] = set()  # may still answer: connected, or dropped and held
        self._held: dict[PlayerId, int] = {}  # dropped while waiting: held until then

    def open(self, eligible: Iterable[PlayerId], answered: Iterable[PlayerId] = ()) -> None:
        """A question opened; `eligible` may answer it, `answered` already did (after a takeover)."""
        self.answered = set(answered)
        self._waiting = {pid for pid in eligible if pid not in self.answered}
        self._held = {}
        self.of = len(self._waiting) + len(self.answered)

    def close(self) -> None:
        self._waiting, self._held = set(), {}

    def came(self, player_id: PlayerId, may_answer: bool) -> None:
        self.connected.add(player_id)
        self._held.pop(player_id, None)
        if may_answer and player_id not in self.answered:
            self._waiting.add(player_id)

    def went(self, player_id: PlayerId, hold_until_ms: int) -> bool:
        """A socket dropped; True when the player is now held (the caller times the grace)."""
        self.connected.discard(player_id)
        if player_id in self._waiting:
            self._held[player_id] = hold_until_ms
            return True
        return False

    def hold(self, player_id: PlayerId, until_ms: int) -> None:
        if player_id in self._waiting:
            self._held[player_id] = until_ms

    def gone_for_good(self, player_id: PlayerId) -> None:
        """Left by choice or kicked: no grace."""
        self.connected.discard(player_id)
        self._waiting.discard(player_id)
        self._held.pop(player_id, None)

    def answer(self, player_id: PlayerId) -> bool:
        """An answer was recorded; False when this player had answered already."""
        if player_id in self.answered:
            return False
        self.answered.add(player_id)
        self._waiting.discard(player_id)
        self._held.pop(player_id, None)
        return True

    def expire(self, now_ms: int) -> int | None:
        """Stop waiting for held players whose grace is over; when the next grace ends, if any."""
        for player_id, until in list(self._held.items()):
            if until <= now_ms:
                del self._held[player_id]
                self._waiting.discard(player_id)
        return min(self._held.values()) if self._held else None

    @property
    def waiting(self) -> set[PlayerId]:
        return self._waiting

    @property
    def everyone_answered(self) -> bool:
        """Nobody the question waits for is left, and somebody answered."""
        return not self._waiting and bool(self.answered)
