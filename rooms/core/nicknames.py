"""Nicknames: NFKC-normalised, without control or bidi-override characters, unique after folding."""

from __future__ import annotations

import unicodedata

MAX_NICKNAME_CHARS = 24


class BadNickname(ValueError):
    """A nickname that is empty or too long once cleaned."""


def _visible(char: str) -> bool:
    # Cc: control characters; Cf: format characters, which include the bidi overrides (U+202E)
    # and zero-width joiners that would let two nicknames look alike or flip a scoreboard's text.
    return unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn")


def clean_nickname(raw: str) -> str:
    """The nickname as shown: NFKC, invisible characters dropped, whitespace collapsed and trimmed."""
    text = "".join(char for char in unicodedata.normalize("NFKC", raw) if _visible(char))
    text = " ".join(text.split())
    if not text:
        raise BadNickname("a nickname needs at least one visible character")
    if len(text) > MAX_NICKNAME_CHARS:
        raise BadNickname(f"a nickname has at most {MAX_NICKNAME_CHARS} characters")
    return text


def nickname_key(nickname: str) -> str:
    """What uniqueness is checked on: two nicknames that differ only in case collide."""
    return unicodedata.normalize("NFKC", nickname.casefold())
