"""Grading: how correct a parsed answer is, from 0 to 1, per question kind (DESIGN.md "Scoring").

Pure functions; `rooms.core.scoring` turns the fraction into points.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeGuard

from rooms.core.answers import normalise_text
from rooms.core.questions import Kind, Question
from rooms.core.types import Answer

# Decimal slider steps are inexact in binary (0.8 - 0.7 > 0.1), so a distance equal to the
# tolerance must not fall just outside it.
_SLIDER_EPSILON = 1e-9


def grade(question: Question, answer: Answer, extra_accepted: Iterable[Answer] = ()) -> float | None:
    """How correct a parsed answer is, from 0 to 1; None for a poll, which has no correct answer.

    `extra_accepted` holds answers the host accepted after the reveal, parsed like a player's; an
    answer earns the best of its own grade and its grade against each of them (an exact match, or
    for a slider, a value within the tolerance).
    """
    if question.kind is Kind.POLL:
        return None
    fraction = _grade_against_solution(question, answer)
    for extra in extra_accepted:
        fraction = max(fraction, _grade_against_extra(question, answer, extra))
    return fraction


def _grade_against_solution(question: Question, answer: Answer) -> float:
    match question.kind:
        case Kind.SINGLE:
            return float(answer in question.correct_option_ids)
        case Kind.MULTIPLE:
            return _multiple_fraction(set(question.correct_option_ids), answer)
        case Kind.TRUE_FALSE:
            return float(isinstance(answer, bool) and answer == question.correct)
        case Kind.TYPE:
            accepted = {normalise_text(text) for text in question.accepted}
            return float(isinstance(answer, str) and normalise_text(answer) in accepted)
        case Kind.SLIDER:
            if not _is_number(question.correct):
                raise ValueError("a slider question needs a number as its solution")
            return _slider_fraction(answer, question.correct, question.tolerance)
        case Kind.ORDERING:
            return _ordering_fraction(question.option_ids, answer)
    raise ValueError(f"cannot grade a {question.kind!r} question")


def _grade_against_extra(question: Question, answer: Answer, extra: Answer) -> float:
    match question.kind:
        case Kind.TYPE:
            return float(
                isinstance(answer, str)
                and isinstance(extra, str)
                and normalise_text(answer) == normalise_text(extra)
            )
        case Kind.SLIDER:
            return _slider_fraction(answer, extra, question.tolerance) if _is_number(extra) else 0.0
        case Kind.MULTIPLE | Kind.ORDERING:
            if not isinstance(answer, tuple | list) or not isinstance(extra, tuple | list):
                return 0.0
            # A chosen set matches whatever order either was listed in; an ordering must match exactly.
            if question.kind is Kind.MULTIPLE:
                return float(set(answer) == set(extra))
            return float(tuple(answer) == tuple(extra))
    return float(type(answer) is type(extra) and answer == extra)


def _multiple_fraction(correct: set[str], answer: Answer) -> float:
    chosen = set(answer) if isinstance(answer, tuple | list) else set()
    right, wrong = len(chosen & correct), len(chosen - correct)
    return max(0.0, (right - wrong) / len(correct))


def _slider_fraction(answer: Answer, target: float, tolerance: float) -> float:
    if not _is_number(answer):
        return 0.0
    distance = abs(answer - target)
    epsilon = _SLIDER_EPSILON * max(1.0, abs(tolerance), abs(target))
    if distance <= tolerance + epsilon:
        return 1.0
    if distance >= 2 * tolerance:
        return 0.0
    return (2 * tolerance - distance) / tolerance


def _ordering_fraction(correct_order: tuple[str, ...], answer: Answer) -> float:
    if not isinstance(answer, tuple | list) or not correct_order:
        return 0.0
    in_place = sum(1 for given, expected in zip(answer, correct_order, strict=False) if given == expected)
    return in_place / len(correct_order)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
