"""Client frames of PROTOCOL.md: parsed and validated once, each failure mapped to an error code."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from rooms.core.nicknames import MAX_NICKNAME_CHARS

MAX_FRAME_BYTES = 64 * 1024

Pin = Annotated[str, Field(pattern=r"^\d{6}$")]
Token = Annotated[str, Field(min_length=1, max_length=2048)]
Number = int | float


class Frame(BaseModel):
    """A client frame; unknown extra fields are ignored so clients may send more than we read."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    type: str  # each frame narrows it to its own literal: the tag of the union


class Join(Frame):
    type: Literal["join"]
    pin: Pin
    nickname: Annotated[str, Field(max_length=MAX_NICKNAME_CHARS)]
    token: Token | None = None


class Host(Frame):
    type: Literal["host"]
    pin: Pin
    token: Token


class Resume(Frame):
    type: Literal["resume"]
    token: Token
    last_seq: Annotated[int, Field(ge=0)] = 0


class AnswerFrame(Frame):
    type: Literal["answer"]
    question: Annotated[int, Field(ge=0, le=10_000)]
    answer: Any


class Ping(Frame):
    type: Literal["ping"]
    t: Number = 0


class Pong(Frame):
    type: Literal["pong"]
    t: Number


class Start(Frame):
    type: Literal["start"]


class Next(Frame):
    type: Literal["next"]


class CloseQuestion(Frame):
    type: Literal["close_question"]


class End(Frame):
    type: Literal["end"]


class Kick(Frame):
    type: Literal["kick"]
    player: Annotated[str, Field(min_length=1, max_length=64)]


class Lock(Frame):
    type: Literal["lock"]
    locked: bool


class Void(Frame):
    type: Literal["void"]
    question: Annotated[int, Field(ge=0, le=10_000)]


class Accept(Frame):
    type: Literal["accept"]
    question: Annotated[int, Field(ge=0, le=10_000)]
    answer: Any


class Queue(Frame):
    type: Literal["queue"]
    nickname: Annotated[str, Field(max_length=MAX_NICKNAME_CHARS)]
    token: Token | None = None
    quiz: Annotated[int, Field(ge=1)] | None = None
    revenge: bool = False  # signed-in only: the questions this account missed before


class Leave(Frame):
    type: Literal["leave"]


class Rematch(Frame):
    type: Literal["rematch"]


class Subscribe(Frame):
    type: Literal["subscribe"]
    token: Token


ClientFrame = Annotated[
    Join
    | Host
    | Resume
    | AnswerFrame
    | Ping
    | Pong
    | Start
    | Next
    | CloseQuestion
    | End
    | Kick
    | Lock
    | Void
    | Accept
    | Queue
    | Leave
    | Rematch
    | Subscribe,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(ClientFrame)
KNOWN_TYPES = frozenset(
    model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    for model in Frame.__subclasses__()
)
FIRST_FRAME_TYPES = frozenset({"join", "host", "resume", "queue", "subscribe"})
HOST_COMMANDS = frozenset({"start", "next", "close_question", "end", "kick", "lock", "void", "accept"})


class FrameError(Exception):
    """A frame we refuse, with the PROTOCOL.md error `code` to send back."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:3]:
        location = ".".join(str(part) for part in error["loc"][1:]) or "frame"
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts)


def parse_frame(data: str | bytes) -> Frame:
    """Decode and validate one client frame, or raise FrameError with the code to answer."""
    size = len(data) if isinstance(data, bytes) else len(data.encode())
    if size > MAX_FRAME_BYTES:
        raise FrameError("too_large", f"frames are limited to {MAX_FRAME_BYTES} bytes")
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise FrameError("bad_request", "frame is not valid JSON") from None
    if not isinstance(raw, dict):
        raise FrameError("bad_request", "a frame must be a JSON object")
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise FrameError("bad_request", "a frame needs a string `type`")
    if kind not in KNOWN_TYPES:
        raise FrameError("unknown_type", f"unknown frame type {kind[:40]!r}")
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise FrameError("bad_request", f"{kind}: {_describe(exc)}") from None
