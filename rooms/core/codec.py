"""The one codec for room data that leaves a process: the store's values and the owner's replies.

msgspec encodes the state's dataclasses with their declared types and decodes them back strictly,
so the in-memory store (which keeps encoded copies, never live objects) catches the same mistakes
as Redis would: a field that does not survive encoding fails in every test, not in production.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from rooms.core.state import PlayerState, RoomInfo, RoomMeta, StoredAnswer

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def encode(value: Any) -> bytes:
    return _encoder.encode(value)


def decode(data: bytes | str, kind: type[T]) -> T:
    decoder = _decoders.get(kind)
    if decoder is None:
        decoder = _decoders[kind] = msgspec.json.Decoder(kind)
    return decoder.decode(data)


def plain(value: Any) -> Any:
    """A value as JSON-able builtins, to travel inside a larger message."""
    return msgspec.to_builtins(value)


def from_plain(value: Any, kind: type[T]) -> T:
    """The inverse of `plain`, checked as strictly as `decode`."""
    return msgspec.convert(value, kind)


def decode_info(data: bytes | str) -> RoomInfo:
    return decode(data, RoomInfo)


def decode_meta(data: bytes | str) -> RoomMeta:
    return decode(data, RoomMeta)


def decode_player(data: bytes | str) -> PlayerState:
    return decode(data, PlayerState)


def decode_answer(data: bytes | str) -> StoredAnswer:
    return decode(data, StoredAnswer)
