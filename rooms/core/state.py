"""A room's state as the room store keeps it: plain data, no behaviour, so any node can load it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from rooms.core.scoring import PlayerTally
from rooms.core.settings import GameSettings
from rooms.core.types import PlayerId


class Phase(StrEnum):
    """Where a room is in its life: lobby -> question -> reveal -> question ... -> finished."""

    LOBBY = "lobby"
    QUESTION = "question"
    REVEAL = "reveal"
    FINISHED = "finished"


@dataclass(slots=True)
class Account:
    """The signed-in user behind a player, with the XP read when they joined."""

    user_id: int
    xp: int


@dataclass(slots=True)
class PlayerState:
    """A player in a room; `variant` picks which shuffled encoding of a question they receive."""

    id: PlayerId
    nickname: str
    nickname_key: str
    variant: int
    joined_at_ms: int
    first_question: int  # the first question this player may answer (late joiners: the next one)
    account: Account | None = None
    tally: PlayerTally = field(default_factory=PlayerTally)
    last_result: dict[str, Any] | None = None
    resume_hash: str = ""  # so a kick can revoke the resume token wherever the player is
    left: bool = False  # left by choice: keeps the standing, cannot come back
    kicked: bool = False  # removed by the host: off the scoreboard, resume token revoked
    forfeited: bool = False  # a duel player who left or stayed away past the drop grace
    bot_rating: int | None = None  # a duel's bot, played by the room's owner at this rating


@dataclass(slots=True)
class Receipt:
    """When the player's node sent the question and received the answer, and what was credited."""

    sent: int
    received: int
    rtt_ms: int | None
    credited_ms: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "received": self.received,
            "rtt_ms": self.rtt_ms,
            "credited_ms": self.credited_ms,
        }


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """An accepted answer as recorded in the store: the raw JSON value (parsed again when scoring)
    and its timing receipt."""

    answer: Any
    receipt: Receipt


@dataclass(slots=True)
class RoomInfo:
    """What a room is, fixed when it opens: written once, read by every node that serves it."""

    pin: str
    game_id: int
    kind: str
    title: str
    settings: GameSettings
    questions_doc: list[dict[str, Any]]
    host_token_hash: str
    host_user_id: int | None
    created_at_ms: int
    seed: str  # shuffles question variants; never sent, so a PIN alone cannot undo a shuffle
    quiz_id: int | None = None  # the quiz a duel played (a rematch plays it again)


@dataclass(slots=True)
class RoomMeta:
    """What the room's transitions change (players aside): small, written on every transition."""

    phase: Phase
    seq: int
    locked: bool
    question_index: int
    opened_at_ms: int
    question_seq: int
    last_reveal: dict[str, Any] | None
    deadline_ms: int
    started_at_ms: int | None
    ended_at_ms: int | None
    voided: set[int]
    extra_accepted: dict[int, list[Any]]
    starts_at_ms: int | None = None  # an autostart room's countdown: when it starts by itself


@dataclass(slots=True)
class RoomState:
    """Everything needed to run a room, on whichever node owns it: a `RoomInfo`, a `RoomMeta` and the
    players, kept flat here for the game's convenience and split apart by the store."""

    pin: str
    game_id: int
    kind: str  # "quiz" or "duel"
    title: str
    settings: GameSettings
    questions_doc: list[dict[str, Any]]  # the quiz snapshot's questions, with option ids
    host_token_hash: str
    host_user_id: int | None
    created_at_ms: int
    seed: str = field(default_factory=lambda: secrets.token_hex(16))
    quiz_id: int | None = None
    phase: Phase = Phase.LOBBY
    seq: int = 0
    locked: bool = False
    question_index: int = -1
    opened_at_ms: int = 0  # when the owner published the open question
    question_seq: int = 0  # the seq of that question event, to rebuild its frames on a new owner
    last_reveal: dict[str, Any] | None = None  # the latest question and its reveal, for a screen (re)joining
    deadline_ms: int = 0  # when it closes for everyone unless all have answered first
    started_at_ms: int | None = None
    ended_at_ms: int | None = None
    voided: set[int] = field(default_factory=set)
    extra_accepted: dict[int, list[Any]] = field(default_factory=dict)
    starts_at_ms: int | None = None
    players: dict[PlayerId, PlayerState] = field(default_factory=dict)

    def info(self) -> RoomInfo:
        return RoomInfo(**{name: getattr(self, name) for name in _INFO_FIELDS})

    def meta(self) -> RoomMeta:
        return RoomMeta(**{name: getattr(self, name) for name in _META_FIELDS})

    @classmethod
    def assemble(cls, info: RoomInfo, meta: RoomMeta, players: dict[PlayerId, PlayerState]) -> RoomState:
        values = {name: getattr(info, name) for name in _INFO_FIELDS}
        values.update({name: getattr(meta, name) for name in _META_FIELDS})
        return cls(**values, players=players)


_INFO_FIELDS = tuple(f.name for f in fields(RoomInfo))
_META_FIELDS = tuple(f.name for f in fields(RoomMeta))
