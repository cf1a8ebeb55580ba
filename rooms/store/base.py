"""The room store contract: where a room lives between transitions, so any node can carry it on.

Small operations that map one-to-one onto Redis commands: add a player, record an answer (first
one wins), write the room's meta, append to the capped event history, take and renew the owner's
lease. Every write of room state carries the writer's lease epoch and is refused (`StaleEpoch`)
once a newer owner exists, so a node frozen past its lease can never write again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from rooms.core.state import PlayerState, RoomInfo, RoomMeta, RoomState, StoredAnswer
from rooms.core.types import PlayerId

HISTORY_LENGTH = 512  # shared events kept per room for resume replay


class StaleEpoch(Exception):
    """A write from an owner whose lease was taken over: the room belongs to another node now."""


@dataclass(frozen=True, slots=True)
class ResumeGrant:
    """What a resume token opens: one player's seat in one room, until it expires."""

    pin: str
    player_id: PlayerId
    expires_at_ms: int


class RoomStore(Protocol):
    """Room state, answers, history, leases and resume tokens, shared by every node serving a room."""

    # PINs and rooms
    async def reserve_pin(self, pin: str) -> bool:
        """Claim `pin` for a new room; False when a live room holds it."""
        ...

    async def release_pin(self, pin: str) -> None: ...

    async def create(self, state: RoomState) -> None:
        """Write a new room (info, meta, players). It is listed among the live rooms only once its
        first lease is taken, so no sweep can take over a room still being opened."""
        ...

    async def load(self, pin: str) -> RoomState | None: ...

    async def info(self, pin: str) -> RoomInfo | None:
        """The room's fixed part: what an edge needs to check answers and host tokens."""
        ...

    async def live_pins(self) -> list[str]: ...

    async def players(self, pin: str, player_ids: Iterable[PlayerId]) -> dict[PlayerId, PlayerState]:
        """Some players as last written (an edge repairing a gap resends their last result)."""
        ...

    async def save_meta(self, pin: str, epoch: int, meta: RoomMeta) -> None: ...

    async def save_players(self, pin: str, epoch: int, players: Iterable[PlayerState]) -> None: ...

    async def delete(self, pin: str) -> None:
        """Forget the room and free its PIN (the room has ended and lingered)."""
        ...

    # answers: written by edges, read by the owner
    async def record_answer(self, pin: str, question: int, player_id: PlayerId, answer: StoredAnswer) -> str:
        """Store the first answer of `player_id` to `question`: "ok", or "duplicate" when one is
        already there, or "closed" once `close_answers` ran (an answer racing the close never counts
        without being scored)."""
        ...

    async def close_answers(self, pin: str, question: int) -> int:
        """No answer to `question` is recorded from now on; how many were."""
        ...

    async def answers(self, pin: str, question: int) -> dict[PlayerId, StoredAnswer]: ...

    async def has_answered(self, pin: str, question: int, player_id: PlayerId) -> bool: ...

    async def stamp_sent(self, pin: str, question: int, stamps: dict[PlayerId, int]) -> None:
        """When each player's node first sent them the question; an existing stamp is kept, so a
        resend after a resume (on any node) never restarts a player's clock."""
        ...

    async def sent_at(self, pin: str, question: int, player_id: PlayerId) -> int | None: ...

    # history
    async def append_event(self, pin: str, epoch: int, seq: int, event: bytes) -> None: ...

    async def events_after(self, pin: str, seq: int) -> list[bytes] | None:
        """Events numbered above `seq`, in order; None when the history no longer reaches back."""
        ...

    # ownership
    async def acquire_lease(self, pin: str, node: str, ttl_ms: int) -> int | None:
        """Take the room's lease when nobody holds it (and list the room as live): the new epoch,
        or None."""
        ...

    async def reclaim_lease(self, pin: str, node: str, ttl_ms: int) -> int | None:
        """Take back a lease that `node` holds under an older epoch (its previous life, before a
        restart): the new epoch, or None when `node` does not hold it."""
        ...

    async def renew_leases(self, node: str, epochs: dict[str, int], ttl_ms: int) -> set[str]:
        """Extend our leases (room PIN -> the epoch we hold it under), in one round trip: the PINs
        renewed; the others lapsed or another node holds them now."""
        ...

    async def release_lease(self, pin: str, node: str, epoch: int) -> None: ...

    async def lease_holder(self, pin: str) -> str | None: ...

    async def lease_holders(self, pins: Iterable[str]) -> dict[str, str | None]:
        """`lease_holder` of many rooms in one round trip."""
        ...

    # resume tokens
    async def grant_resume(self, token_hash: str, grant: ResumeGrant) -> None: ...

    async def resume_grant(self, token_hash: str, now_ms: int) -> ResumeGrant | None:
        """The grant behind a token, unless it was revoked or expired by `now_ms`."""
        ...

    async def revoke_resume(self, token_hash: str) -> None: ...
