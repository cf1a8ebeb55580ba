"""Type aliases shared by the room logic modules, so each names the same thing the same way."""

from __future__ import annotations

from typing import TypeAlias

PlayerId: TypeAlias = str
"""A player's id within one game (opaque, assigned on join)."""

Answer: TypeAlias = str | bool | float | tuple[str, ...]
"""A player's answer after `rooms.core.answers.parse_answer`: an option id (single, poll), option ids
(multiple: in the question's option order; ordering: in the player's order), a bool (true/false),
the typed text (type) or a number (slider)."""
