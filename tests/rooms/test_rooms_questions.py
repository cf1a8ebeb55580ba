"""Building in-game questions from the quiz document, and what players may see of them."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from rooms.core.questions import InvalidQuestion, Kind, Option, public_view, question_from_document

SINGLE = {
    "kind": "single",
    "text": "Capital of France?",
    "time_limit": 20,
    "points": 1000,
    "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}],
}
MULTIPLE = {
    "kind": "multiple",
    "text": "Primes?",
    "options": [{"text": "2", "correct": True}, {"text": "4"}, {"text": "5", "correct": True}],
}
TRUE_FALSE = {"kind": "true_false", "text": "The sun is a star.", "correct": True, "points": 2000}
TYPE = {"kind": "type", "text": "Capital of France?", "accepted": ["Paris", "Paris, France"]}
SLIDER = {
    "kind": "slider",
    "text": "Percent?",
    "min": 0,
    "max": 100,
    "step": 1,
    "correct": 42,
    "tolerance": 5,
}
ORDERING = {"kind": "ordering", "text": "Oldest first", "options": [{"text": t} for t in "ABCDEF"]}
POLL = {"kind": "poll", "text": "Fun?", "options": [{"text": "yes"}, {"text": "no"}], "points": 0}


def test_single_keeps_texts_flags_and_given_ids() -> None:
    q = question_from_document(SINGLE, option_ids=["p", "l"])
    assert q.kind is Kind.SINGLE
    assert (q.text, q.time_limit_ms, q.points) == ("Capital of France?", 20_000, 1000)
    assert q.options == (Option("p", "Paris", True), Option("l", "Lyon", False))
    assert q.correct_option_ids == ("p",)


def test_defaults_are_twenty_seconds_and_a_thousand_points() -> None:
    q = question_from_document(MULTIPLE)
    assert (q.time_limit_ms, q.points) == (20_000, 1000)
    assert [o.correct for o in q.options] == [True, False, True]


def test_generated_option_ids_are_distinct_opaque_strings() -> None:
    ids = [o.id for o in question_from_document(ORDERING).options]
    assert len(set(ids)) == len(ids) == 6
    assert all(
        isinstance(i, str) and len(i) >= 8 and i.replace("-", "").replace("_", "").isalnum() for i in ids
    )
    again = [o.id for o in question_from_document(ORDERING).options]
    assert set(ids).isdisjoint(again)


def test_true_false_type_and_slider_carry_their_solutions() -> None:
    tf = question_from_document(TRUE_FALSE)
    assert (tf.correct, tf.options, tf.points) == (True, (), 2000)
    typed = question_from_document(TYPE)
    assert typed.accepted == ("Paris", "Paris, France")
    slider = question_from_document(SLIDER)
    assert (slider.min, slider.max, slider.step, slider.correct, slider.tolerance) == (0, 100, 1, 42, 5)


def test_slider_step_and_tolerance_default() -> None:
    q = question_from_document({"kind": "slider", "text": "?", "min": 1, "max": 10, "correct": 3})
    assert (q.step, q.tolerance) == (1, 0)


def test_ordering_keeps_the_given_order_as_the_solution_and_ignores_stray_flags() -> None:
    doc = {**ORDERING, "options": [{"text": "x", "correct": True}, {"text": "y"}]}
    q = question_from_document(doc, option_ids=["1", "2"])
    assert q.option_ids == ("1", "2")
    assert q.correct_option_ids == ()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({**SINGLE, "kind": "essay"}, "unknown question kind"),
        ({**SINGLE, "text": "  "}, "non-empty text"),
        ({**SINGLE, "time_limit": 4}, "time_limit"),
        ({**SINGLE, "time_limit": 241}, "time_limit"),
        ({**SINGLE, "time_limit": True}, "time_limit"),
        ({**SINGLE, "points": 500}, "points"),
        ({**SINGLE, "points": True}, "points"),
        ({**SINGLE, "options": [{"text": "only", "correct": True}]}, "two options"),
        (
            {**SINGLE, "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]},
            "exactly one",
        ),
        ({**MULTIPLE, "options": [{"text": "a"}, {"text": "b"}]}, "at least one correct"),
        ({**POLL, "options": [{"text": "a"}, {"nope": "b"}]}, "`text`"),
        ({**TRUE_FALSE, "correct": 1}, "true or false"),
        ({**TYPE, "accepted": []}, "accepted"),
        ({**TYPE, "accepted": ["ok", " "]}, "accepted"),
        ({**SLIDER, "correct": 101}, "within"),
        ({**SLIDER, "min": 100, "max": 0}, "below"),
        ({**SLIDER, "step": 0}, "step"),
        ({**SLIDER, "tolerance": -1}, "tolerance"),
        ({**SLIDER, "max": float("inf")}, "finite number `max`"),
    ],
)
def test_unplayable_documents_are_refused_with_a_reason(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidQuestion, match=message):
        question_from_document(doc)


@pytest.mark.parametrize("option_ids", [["a"], ["a", "a"], ["a", "b", "c"]])
def test_option_ids_must_be_distinct_and_one_per_option(option_ids: list[str]) -> None:
    with pytest.raises(InvalidQuestion, match="option_ids"):
        question_from_document(SINGLE, option_ids=option_ids)


def _secrets_absent(view: dict[str, Any], *secrets: str) -> bool:
    encoded = json.dumps(view)
    return (
        '"correct"' not in encoded and '"accepted"' not in encoded and not any(s in encoded for s in secrets)
    )


def test_public_view_of_a_choice_question_never_marks_the_correct_option() -> None:
    q = question_from_document(SINGLE, option_ids=["p", "l"])
    view = public_view(q, random.Random(1))
    assert view == {
        "kind": "single",
        "text": "Capital of France?",
        "time_limit_ms": 20_000,
        "points": 1000,
        "options": [{"id": "p", "text": "Paris"}, {"id": "l", "text": "Lyon"}],
    }
    assert _secrets_absent(view)


def test_public_view_of_true_false_type_and_slider() -> None:
    rng = random.Random(1)
    tf = public_view(question_from_document(TRUE_FALSE), rng)
    assert "options" not in tf and _secrets_absent(tf)
    typed = public_view(question_from_document(TYPE), rng)
    assert "options" not in typed and _secrets_absent(typed, "Paris")
    slider = public_view(question_from_document(SLIDER), rng)
    assert (slider["min"], slider["max"], slider["step"]) == (0, 100, 1)
    assert "tolerance" not in slider and _secrets_absent(slider, "42")


def test_ordering_options_are_shuffled_deterministically_by_the_given_rng() -> None:
    q = question_from_document(ORDERING, option_ids=list("abcdef"))
    orders = [tuple(o["id"] for o in public_view(q, random.Random(seed))["options"]) for seed in range(10)]
    assert all(sorted(order) == list("abcdef") for order in orders)
    assert any(order != tuple("abcdef") for order in orders)
    assert public_view(q, random.Random(3)) == public_view(q, random.Random(3))


def test_other_choice_kinds_keep_their_order_unless_asked_to_shuffle() -> None:
    q = question_from_document(
        {**POLL, "options": [{"text": t} for t in "ABCDEF"]}, option_ids=list("abcdef")
    )
    assert [o["id"] for o in public_view(q, random.Random(5))["options"]] == list("abcdef")
    shuffled = [
        [o["id"] for o in public_view(q, random.Random(s), shuffle=True)["options"]] for s in range(10)
    ]
    assert any(order != list("abcdef") for order in shuffled)


def test_options_without_text_when_questions_are_not_on_devices() -> None:
    q = question_from_document(SINGLE, option_ids=["p", "l"])
    assert public_view(q, random.Random(0), option_text=False)["options"] == [{"id": "p"}, {"id": "l"}]


@pytest.mark.parametrize("items", [2, 3, 4])
def test_an_ordering_question_is_never_shown_in_its_correct_order(items: int) -> None:
    question = question_from_document(
        {"kind": "ordering", "text": "?", "options": [{"text": f"item {n}"} for n in range(items)]}
    )
    solved = [option.id for option in question.options]
    for seed in range(500):  # a plain shuffle leaves 1 in items! of them solved
        view = public_view(question, random.Random(seed))
        assert [option["id"] for option in view["options"]] != solved
