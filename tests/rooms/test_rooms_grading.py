"""How correct an answer is, per kind, including answers the host accepted after the reveal."""

from __future__ import annotations

import pytest

from rooms.core.grading import grade
from rooms.core.questions import Question, question_from_document
from rooms.core.scoring import grade as grade_from_scoring


def choice(kind: str, flags: list[bool]) -> Question:
    options = [{"text": str(i), "correct": flag} for i, flag in enumerate(flags)]
    ids = list("abcdefgh"[: len(flags)])
    return question_from_document({"kind": kind, "text": "?", "options": options}, option_ids=ids)


def slider(correct: float, tolerance: float) -> Question:
    doc = {"kind": "slider", "text": "?", "min": -100, "max": 100, "correct": correct, "tolerance": tolerance}
    return question_from_document(doc)


def test_grade_is_importable_from_scoring_too() -> None:
    assert grade_from_scoring is grade


def test_single_choice_is_all_or_nothing() -> None:
    q = choice("single", [False, True, False])
    assert grade(q, "b") == 1.0
    assert grade(q, "a") == 0.0


def test_single_choice_counts_an_option_the_host_accepted() -> None:
    q = choice("single", [False, True, False])
    assert grade(q, "c", extra_accepted=("c",)) == 1.0
    assert grade(q, "a", extra_accepted=("c",)) == 0.0
    assert grade(q, "b", extra_accepted=("c",)) == 1.0


@pytest.mark.parametrize(
    ("chosen", "fraction"),
    [
        (("a", "b"), 1.0),
        (("a",), 0.5),
        (("a", "c"), 0.0),  # one right, one wrong
        (("a", "b", "c"), 0.5),
        (("c",), 0.0),  # never below zero
        (("c", "d"), 0.0),
        (("a", "b", "c", "d"), 0.0),
    ],
)
def test_multiple_select_two_of_four(chosen: tuple[str, ...], fraction: float) -> None:
    q = choice("multiple", [True, True, False, False])
    assert grade(q, chosen) == pytest.approx(fraction)


def test_multiple_select_three_correct() -> None:
    q = choice("multiple", [True, True, True, False])
    assert grade(q, ("a", "b")) == pytest.approx(2 / 3)
    assert grade(q, ("a", "b", "d")) == pytest.approx(1 / 3)
    assert grade(q, ("a", "b", "c")) == 1.0


def test_multiple_select_accepted_set_matches_in_any_order() -> None:
    q = choice("multiple", [True, True, False, False])
    assert grade(q, ("a", "c"), extra_accepted=(("c", "a"),)) == 1.0
    assert grade(q, ("a",), extra_accepted=(("c", "a"),)) == 0.5


def test_true_false() -> None:
    q = question_from_document({"kind": "true_false", "text": "?", "correct": False})
    assert grade(q, False) == 1.0
    assert grade(q, True) == 0.0
    assert grade(q, True, extra_accepted=(True,)) == 1.0


def test_typed_answers_match_after_normalisation() -> None:
    q = question_from_document({"kind": "type", "text": "?", "accepted": ["Paris", "Paris, France"]})
    assert grade(q, "  paris!") == 1.0
    assert grade(q, "PARIS,  france") == 1.0
    assert grade(q, "Lyon") == 0.0
    assert grade(q, "Paname") == 0.0
    assert grade(q, "paname.", extra_accepted=("Paname",)) == 1.0


@pytest.mark.parametrize(
    ("answer", "fraction"),
    [
        (42, 1.0),
        (47, 1.0),  # at 1x the tolerance
        (37, 1.0),
        (49.5, 0.5),  # at 1.5x the tolerance
        (34.5, 0.5),
        (48, 0.8),
        (52, 0.0),  # at 2x the tolerance
        (60, 0.0),
    ],
)
def test_slider_full_within_tolerance_then_linear_to_zero_at_twice_it(answer: float, fraction: float) -> None:
    assert grade(slider(42, 5), answer) == pytest.approx(fraction)


def test_slider_with_zero_tolerance_is_exact_only() -> None:
    q = slider(42, 0)
    assert grade(q, 42.0) == 1.0
    assert grade(q, 42.5) == 0.0
    assert grade(q, 41.9) == 0.0


def test_slider_tolerance_survives_decimal_float_rounding() -> None:
    q = slider(0.7, 0.1)
    assert 0.8 - 0.7 > 0.1  # the float trap this guards against
    assert grade(q, 0.8) == 1.0
    assert grade(q, 0.6) == 1.0


def test_slider_accepted_value_gets_its_own_tolerance() -> None:
    q = slider(42, 5)
    assert grade(q, 62, extra_accepted=(60.0,)) == 1.0
    assert grade(q, 67.5, extra_accepted=(60.0,)) == pytest.approx(0.5)


def test_ordering_earns_the_share_of_items_in_place() -> None:
    q = question_from_document(
        {"kind": "ordering", "text": "?", "options": [{"text": t} for t in "ABCD"]}, option_ids=list("abcd")
    )
    assert grade(q, ("a", "b", "c", "d")) == 1.0
    assert grade(q, ("a", "b", "d", "c")) == 0.5
    assert grade(q, ("b", "a", "c", "d")) == 0.5
    assert grade(q, ("d", "a", "b", "c")) == 0.0
    assert grade(q, ("d", "c", "b", "a")) == 0.0
    assert grade(q, ("b", "a", "d", "c"), extra_accepted=(("b", "a", "d", "c"),)) == 1.0


def test_polls_are_not_graded() -> None:
    q = question_from_document({"kind": "poll", "text": "?", "options": [{"text": "x"}, {"text": "y"}]})
    assert grade(q, q.options[0].id) is None
