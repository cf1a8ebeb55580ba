"""Raw answers are checked against their kind and normalised; typed text is normalised for matching."""

from __future__ import annotations

import pytest

from rooms.core.answers import InvalidAnswer, normalise_text, parse_answer
from rooms.core.questions import Question, question_from_document

CHOICES = [{"text": "A", "correct": True}, {"text": "B"}, {"text": "C", "correct": True}]


def make(kind: str, **fields: object) -> Question:
    doc: dict[str, object] = {"kind": kind, "text": "?", **fields}
    if kind in ("single", "multiple", "ordering", "poll"):
        options = (
            CHOICES if kind == "multiple" else [{"text": "A", "correct": True}, {"text": "B"}, {"text": "C"}]
        )
        doc["options"] = options
        return question_from_document(doc, option_ids=["a", "b", "c"])
    return question_from_document(doc)


SINGLE = make("single")
POLL = make("poll")
MULTIPLE = make("multiple")
TRUE_FALSE = make("true_false", correct=False)
TYPE = make("type", accepted=["Paris"])
SLIDER = make("slider", min=-10, max=10, step=0.5, correct=1)
ORDERING = make("ordering")


@pytest.mark.parametrize(
    ("question", "raw", "expected"),
    [
        (SINGLE, "b", "b"),
        (POLL, "c", "c"),
        (MULTIPLE, ["c", "a"], ("a", "c")),  # returned in the question's option order
        (MULTIPLE, ["b"], ("b",)),
        (TRUE_FALSE, False, False),
        (TRUE_FALSE, True, True),
        (TYPE, "  Paris ", "Paris"),
        (TYPE, "x" * 200, "x" * 200),
        (SLIDER, 3, 3.0),
        (SLIDER, -10, -10.0),
        (SLIDER, 10.0, 10.0),
        (SLIDER, 0.3, 0.3),  # off the step grid, still accepted
        (ORDERING, ["c", "a", "b"], ("c", "a", "b")),
    ],
)
def test_well_formed_answers_are_normalised(question: Question, raw: object, expected: object) -> None:
    parsed = parse_answer(question, raw)
    assert parsed == expected
    assert type(parsed) is type(expected)


@pytest.mark.parametrize(
    ("question", "raw"),
    [
        (SINGLE, "z"),
        (SINGLE, ["a"]),
        (SINGLE, None),
        (POLL, 0),
        (MULTIPLE, []),
        (MULTIPLE, "a"),
        (MULTIPLE, ["a", "a"]),
        (MULTIPLE, ["a", "z"]),
        (MULTIPLE, ["a", 1]),
        (MULTIPLE, [["a"]]),
        (TRUE_FALSE, 0),
        (TRUE_FALSE, 1),
        (TRUE_FALSE, "true"),
        (TYPE, ""),
        (TYPE, "   "),
        (TYPE, "x" * 201),
        (TYPE, 42),
        (SLIDER, True),
        (SLIDER, "3"),
        (SLIDER, float("nan")),
        (SLIDER, float("inf")),
        (SLIDER, 10.01),
        (SLIDER, -11),
        (ORDERING, ["a", "b"]),
        (ORDERING, ["a", "b", "b"]),
        (ORDERING, ["a", "b", "c", "a"]),
        (ORDERING, ["a", "b", "z"]),
        (ORDERING, ("a", "b", "c")),  # JSON gives lists; a tuple did not come off the wire
        (ORDERING, [1, 2, 3]),
    ],
)
def test_answers_that_do_not_fit_the_kind_are_invalid(question: Question, raw: object) -> None:
    with pytest.raises(InvalidAnswer) as excinfo:
        parse_answer(question, raw)
    assert excinfo.value.message


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("Paris", "paris"),
        ("  PARIS!  ", "paris"),
        ('"Paris."', "paris"),
        ("¡Hola!", "hola"),
        ("Paris,   France", "paris, france"),
        ("new\tyork\ncity", "new york city"),
        ("Ｐａｒｉｓ", "paris"),  # full-width letters (NFKC)
        ("Straße", "strasse"),  # case folding, not just lowering
        ("O’Brien", "o'brien"),  # a phone's smart apostrophe
        ("C++", "c++"),  # symbols are not punctuation
        ("Zürich", "zürich"),  # diacritics are kept (see the docstring)
        ("Zu\u0308rich", "zürich"),  # decomposed input composes
        ("...", ""),
    ],
)
def test_normalise_text(typed: str, normalised: str) -> None:
    assert normalise_text(typed) == normalised


def test_diacritics_are_not_folded() -> None:
    assert normalise_text("Zürich") != normalise_text("Zurich")
    assert normalise_text("が") == "が"
