"""Checking a player's raw answer against its question, and the text normalisation for typed answers.

`parse_answer` turns the decoded JSON `answer` field into the normalised `Answer` that is stored,
graded and replayed; anything that does not fit the question's kind raises `InvalidAnswer`
(the ack's `invalid` reason), which does not use up the player's answer.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from rooms.core.questions import Kind, Question
from rooms.core.types import Answer

MAX_TYPED_CHARS = 200

# Phones type "smart" quotes and dashes where authors type plain ones (iOS does it by default), and
# NFKC leaves them distinct; fold the common ones so "O’Brien" matches "O'Brien".
_LOOKALIKES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)


class InvalidAnswer(ValueError):
    """A raw answer that does not fit its question's kind."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def stored_form(answer: Answer) -> object:
    """A parsed answer as the store keeps it (JSON): tuples become lists."""
    return list(answer) if isinstance(answer, tuple) else answer


def from_store(question: Question, value: Any) -> Answer:
    """A stored answer back as the `Answer` it was parsed into at the edge: parsed once, never again."""
    if question.kind in (Kind.MULTIPLE, Kind.ORDERING):
        return tuple(value)
    if question.kind is Kind.SLIDER:
        return float(value)
    return value  # an option id, a bool or the typed text, as stored


def parse_answer(question: Question, raw: object) -> Answer:
    """Validate `raw` (a decoded JSON value) for `question` and return it normalised.

    single/poll: an existing option id. multiple: a non-empty list of distinct existing option
    ids, returned in the question's option order. true_false: a bool. type: a string of 1 to 200
    characters, returned stripped (grading normalises further, so the host still sees what was
    typed). slider: a finite number within min..max, returned as a float; it is not forced onto
    the step grid, which would refuse honest answers over float rounding. ordering: every option id
    exactly once, in the player's order.
    """
    match question.kind:
        case Kind.SINGLE | Kind.POLL:
            return _option_id(question, raw)
        case Kind.MULTIPLE:
            return _option_set(question, raw)
        case Kind.TRUE_FALSE:
            if not isinstance(raw, bool):
                raise InvalidAnswer("a true_false answer is true or false")
            return raw
        case Kind.TYPE:
            return _typed(raw)
        case Kind.SLIDER:
            return _number(question, raw)
        case Kind.ORDERING:
            return _permutation(question, raw)
    raise InvalidAnswer(f"unknown question kind: {question.kind!r}")


def _option_id(question: Question, raw: object) -> str:
    if not isinstance(raw, str) or raw not in question.option_ids:
        raise InvalidAnswer("the answer must be the id of one of the question's options")
    return raw


def _option_set(question: Question, raw: object) -> tuple[str, ...]:
    ids = question.option_ids
    if not isinstance(raw, list) or not raw:
        raise InvalidAnswer("a multiple answer is a non-empty list of option ids")
    if not all(isinstance(item, str) and item in ids for item in raw):
        raise InvalidAnswer("every chosen id must be one of the question's options")
    if len(set(raw)) != len(raw):
        raise InvalidAnswer("an option may be chosen only once")
    chosen = set(raw)
    return tuple(option_id for option_id in ids if option_id in chosen)


def _typed(raw: object) -> str:
    if not isinstance(raw, str) or not 1 <= len(raw) <= MAX_TYPED_CHARS:
        raise InvalidAnswer(f"a typed answer is a string of 1 to {MAX_TYPED_CHARS} characters")
    text = raw.strip()
    if not text:
        raise InvalidAnswer("a typed answer cannot be blank")
    return text


def _number(question: Question, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise InvalidAnswer("a slider answer is a finite number")
    low, high = question.min, question.max
    if low is None or high is None or not low <= raw <= high:
        raise InvalidAnswer(f"a slider answer must lie within {low}..{high}")
    return float(raw)


def _permutation(question: Question, raw: object) -> tuple[str, ...]:
    ids = question.option_ids
    if not isinstance(raw, list) or len(raw) != len(ids) or not all(isinstance(item, str) for item in raw):
        raise InvalidAnswer("an ordering answer lists every option id once")
    if sorted(raw) != sorted(ids):
        raise InvalidAnswer("an ordering answer lists every option id once")
    return tuple(raw)


def normalise_text(text: str) -> str:
    """The form in which a typed answer is compared with the accepted ones.

    NFKC (full-width and compatibility forms fold to their plain letters), case folding, common
    typographic quotes and dashes folded to ASCII, inner whitespace collapsed to one space, and
    punctuation and whitespace dropped at both ends ("  Paris! " -> "paris"); punctuation inside
    stays ("paris, france"), and symbols stay ("C++" -> "c++").

    Diacritics are kept, deliberately: stripping combining marks changes meaning in many languages
    ("año"/"ano", "schön"/"schon") and breaks whole scripts (Japanese "が" would become "か",
    Devanagari loses its vowel signs). A quiz that wants to accept "Zurich" for "Zürich" lists
    both in `accepted`, or the host accepts it after the reveal.
    """
    # Case folding can produce text that is no longer NFKC (e.g. "ǰ" -> "ǰ" as j + caron), so
    # normalise again after it, as Unicode's NFKC_Casefold does.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    collapsed = " ".join(folded.translate(_LOOKALIKES).split())
    start, end = 0, len(collapsed)
    while start < end and _is_edge_junk(collapsed[start]):
        start += 1
    while end > start and _is_edge_junk(collapsed[end - 1]):
        end -= 1
    return collapsed[start:end]


def _is_edge_junk(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("P")
