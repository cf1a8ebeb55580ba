"""The room store: where room state, answers, event history and resume tokens live.

The owner object keeps no state of its own worth losing: it loads the room from here and writes
every transition back, so another node can take over. `MemoryRoomStore` is the embedded default;
a Redis store implements the same contract for many nodes (first answer wins with HSETNX).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol

from rooms.core.state import RoomState, StoredAnswer
from rooms.core.types import PlayerId

HISTORY_LENGTH = 512  # shared events kept per room for resume replay


@dataclass(frozen=True, slots=True)
class ResumeGrant:
    """What a resume token opens: one player's seat in one room, until it expires."""

    pin: str
    player_id: PlayerId
    expires_at_ms: int


class RoomStore(Protocol):
    """Room state, answers, history and resume tokens, shared by every node serving a room."""

    async def reserve_pin(self, pin: str) -> bool:
        """Claim `pin` for a new room; False when a live room holds it."""
        ...

    async def save(self, state: RoomState) -> None: ...

    async def load(self, pin: str) -> RoomState | None: ...

    async def delete(self, pin: str) -> None: ...

    async def record_answer(self, pin: str, question: int, player_id: PlayerId, answer: StoredAnswer) -> str:
        """Store the first answer of `player_id` to `question`: "ok", or "duplicate" when one is
        already there, or "closed" once `close_answers` ran (an answer racing the close never counts
        without being scored)."""
        ...

    async def close_answers(self, pin: str, question: int) -> None: ...

    async def answers(self, pin: str, question: int) -> dict[PlayerId, StoredAnswer]: ...

    async def has_answered(self, pin: str, question: int, player_id: PlayerId) -> bool: ...

    async def append_event(self, pin: str, seq: int, event: bytes) -> None: ...

    async def events_after(self, pin: str, seq: int) -> list[bytes] | None:
        """Events numbered above `seq`, in order; None when the history no longer reaches back."""
        ...

    async def grant_resume(self, token_hash: str, grant: ResumeGrant) -> None: ...

    async def resume_grant(self, token_hash: str, now_ms: int) -> ResumeGrant | None:
        """The grant behind a token, unless it was revoked or expired by `now_ms`."""
        ...

    async def revoke_resume(self, token_hash: str) -> None: ...


class MemoryRoomStore:
    """The store in this process's memory: one node, no Redis."""

    def __init__(self, history_length: int = HISTORY_LENGTH):
        self._rooms: dict[str, RoomState] = {}
        self._reserved: set[str] = set()
        self._answers: dict[tuple[str, int], dict[PlayerId, StoredAnswer]] = {}
        self._closed: set[tuple[str, int]] = set()
        self._history: dict[str, deque[tuple[int, bytes]]] = {}
        self._history_length = history_length
        self._resume: dict[str, ResumeGrant] = {}

    async def reserve_pin(self, pin: str) -> bool:
        if pin in self._reserved:
            return False
        self._reserved.add(pin)
        return True

    async def save(self, state: RoomState) -> None:
        self._rooms[state.pin] = state

    async def load(self, pin: str) -> RoomState | None:
        return self._rooms.get(pin)

    async def delete(self, pin: str) -> None:
        self._rooms.pop(pin, None)
        self._reserved.discard(pin)
        self._history.pop(pin, None)
        for key in [key for key in self._answers if key[0] == pin]:
            del self._answers[key]
        self._closed = {key for key in self._closed if key[0] != pin}
        for token in [token for token, grant in self._resume.items() if grant.pin == pin]:
            del self._resume[token]

    async def record_answer(self, pin: str, question: int, player_id: PlayerId, answer: StoredAnswer) -> str:
        if (pin, question) in self._closed:
            return "closed"
        answers = self._answers.setdefault((pin, question), {})
        if player_id in answers:
            return "duplicate"
        answers[player_id] = answer
        return "ok"

    async def close_answers(self, pin: str, question: int) -> None:
        self._closed.add((pin, question))

    async def answers(self, pin: str, question: int) -> dict[PlayerId, StoredAnswer]:
        return dict(self._answers.get((pin, question), {}))

    async def has_answered(self, pin: str, question: int, player_id: PlayerId) -> bool:
        return player_id in self._answers.get((pin, question), {})

    async def append_event(self, pin: str, seq: int, event: bytes) -> None:
        history = self._history.setdefault(pin, deque(maxlen=self._history_length))
        history.append((seq, event))

    async def events_after(self, pin: str, seq: int) -> list[bytes] | None:
        history = self._history.get(pin, deque())
        if history and history[0][0] > seq + 1:
            return None
        return [event for number, event in history if number > seq]

    async def grant_resume(self, token_hash: str, grant: ResumeGrant) -> None:
        self._resume[token_hash] = grant

    async def resume_grant(self, token_hash: str, now_ms: int) -> ResumeGrant | None:
        grant = self._resume.get(token_hash)
        if grant is not None and grant.expires_at_ms < now_ms:
            del self._resume[token_hash]
            return None
        return grant

    async def revoke_resume(self, token_hash: str) -> None:
        self._resume.pop(token_hash, None)
