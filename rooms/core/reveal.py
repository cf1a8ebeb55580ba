"""What the reveal shows: the solution of a question and how the room answered (pure functions)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from rooms.core.answers import normalise_text
from rooms.core.questions import Kind, Question

SLIDER_BUCKETS = 10
TYPED_ANSWERS_SHOWN = 10


def solution(question: Question, extra_accepted: Iterable[Any] = ()) -> Any:
    """The `correct` field of a reveal; None for a poll (PROTOCOL.md: absent)."""
    extra = list(extra_accepted)
    match question.kind:
        case Kind.SINGLE | Kind.MULTIPLE:
            return [*question.correct_option_ids, *(e for e in extra if isinstance(e, str))]
        case Kind.ORDERING:
            return list(question.option_ids)
        case Kind.TRUE_FALSE:
            return question.correct
        case Kind.TYPE:
            return [*question.accepted, *extra]
        case Kind.SLIDER:
            return {"value": question.correct, "tolerance": question.tolerance, "also": extra}
        case _:
            return None


def _slider_bucket(question: Question, value: float) -> str:
    low, high = float(question.min or 0), float(question.max or 0)
    width = (high - low) / SLIDER_BUCKETS or 1.0
    index = min(int((value - low) / width), SLIDER_BUCKETS - 1)
    return f"{low + index * width:g}"


def distribution(question: Question, answers: Iterable[Any], fractions: Iterable[float | None] = ()) -> dict:
    """How many players chose what: per option id, per true/false, per slider bucket, the most
    common typed answers, or for ordering how many were fully right, partly right or wrong."""
    counts: Counter[str] = Counter()
    match question.kind:
        case Kind.SINGLE | Kind.POLL:
            counts.update({option_id: 0 for option_id in question.option_ids})
            counts.update(answer for answer in answers)
        case Kind.MULTIPLE:
            counts.update({option_id: 0 for option_id in question.option_ids})
            for answer in answers:
                counts.update(answer)
        case Kind.TRUE_FALSE:
            counts.update({"true": 0, "false": 0})
            counts.update("true" if answer else "false" for answer in answers)
        case Kind.TYPE:
            counts.update(normalise_text(answer) for answer in answers)
            return dict(counts.most_common(TYPED_ANSWERS_SHOWN))
        case Kind.SLIDER:
            counts.update(_slider_bucket(question, float(answer)) for answer in answers)
        case Kind.ORDERING:
            counts.update({"correct": 0, "partial": 0, "wrong": 0})
            for fraction in fractions:
                counts[
                    "correct" if (fraction or 0) >= 1 else "partial" if (fraction or 0) > 0 else "wrong"
                ] += 1
    return dict(counts)
