"""The owner interface: the only way an edge talks to a room, wherever the room's owner runs.

`LocalOwner` calls the runner in this process; `RemoteOwner` (rooms.owner.remote) sends the same
requests over the bus to the node holding the room's lease. Requests that seat a socket answer with
a `Seat`; notices (answered, presence, question sent) need no answer and are batched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from rooms.core.game import Game
from rooms.core.protocol import Frame
from rooms.core.state import Account, Phase, PlayerState, StoredAnswer
from rooms.core.types import PlayerId


@dataclass(frozen=True, slots=True)
class Seat:
    """A seat as its edge needs it: who sits there, and the room as they should see it right now."""

    player_id: PlayerId | None  # None for the host
    nickname: str
    variant: int | None
    first_question: int
    snapshot: dict[str, Any]  # `welcome.state`, less what the edge adds (remaining time, answered)
    seq: int
    open_question: int | None  # the question open right now, if any

    @classmethod
    def of(cls, game: Game, player: PlayerState | None) -> Seat:
        """A player's seat in `game` as of now, or the host's (`None`, with the game's id)."""
        state = game.state
        open_question = state.question_index if state.phase is Phase.QUESTION else None
        snapshot = game.snapshot(None if player is None else player.id)
        if player is None:
            snapshot["game_id"] = state.game_id
            return cls(None, "", None, 0, snapshot, state.seq, open_question)
        return cls(
            player.id,
            player.nickname,
            player.variant,
            player.first_question,
            snapshot,
            state.seq,
            open_question,
        )


@dataclass(frozen=True, slots=True)
class Notice:
    """Something an edge tells the owner without waiting: `answered` (players answered `question`;
    with one player, `answer` is what the store recorded, so the owner scores it on arrival),
    `presence` (players' sockets came or went), `host` (the host's socket), `sent` (the edge
    finished sending the open question at `at_ms`)."""

    kind: str
    players: tuple[PlayerId, ...] = ()
    connected: bool = True
    question: int = -1
    at_ms: int = 0
    answer: StoredAnswer | None = None


class Owner(Protocol):
    async def join(self, nickname: str, account: Account | None, resume_hash: str) -> Seat: ...

    async def seat(self, player_id: PlayerId) -> Seat:
        """A returning player's seat (RoomError `kicked` or `unauthorized` when it is gone)."""
        ...

    async def seat_host(self) -> Seat: ...

    async def command(self, frame: Frame) -> None:
        """A host command, already checked to come from the host's socket."""
        ...

    async def leave(self, player_id: PlayerId) -> None: ...

    async def notify(self, notice: Notice) -> None: ...
