"""The in-game question model: a quiz document's question, frozen for one game, with opaque option ids.

`question_from_document` builds it from PROTOCOL.md's quiz document; `public_view` is the only
way a question reaches players, and it never carries the solution.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, TypeGuard


class Kind(StrEnum):
    """The question kinds of PROTOCOL.md; values are the wire names."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    TYPE = "type"
    SLIDER = "slider"
    ORDERING = "ordering"
    POLL = "poll"


CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.ORDERING, Kind.POLL})
DEFAULT_TIME_LIMIT_S = 20
TIME_LIMIT_RANGE_S = (5, 240)
ALLOWED_POINTS = (0, 1000, 2000)
DEFAULT_POINTS = 1000


class InvalidQuestion(ValueError):
    """A quiz document's question that cannot be played as written."""


@dataclass(frozen=True, slots=True)
class Option:
    """One option of a choice question; `correct` is meaningless for ordering and poll."""

    id: str
    text: str
    correct: bool = False
    image: str | None = None  # the picture's URL path (/images/...); the text names it


@dataclass(frozen=True)  # no slots: the option-id tuples below are computed once and cached
class Question:
    """A playable question. For ordering, `options` is in the correct order."""

    kind: Kind
    text: str
    time_limit_ms: int
    points: int
    options: tuple[Option, ...] = ()
    correct: bool | float | None = None  # true_false: the bool; slider: the number
    accepted: tuple[str, ...] = ()  # type: the accepted spellings, as the author wrote them
    min: float | None = None
    max: float | None = None
    step: float | None = None
    tolerance: float = 0
    image: str | None = None  # the picture's URL path (/images/...), served by the app, not by rooms
    image_alt: str | None = None  # what the picture shows, in words (else the text says it)

    @cached_property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)

    @cached_property
    def correct_option_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options if option.correct)


def new_option_id() -> str:
    """An opaque option id; random so that ids say nothing about position or correctness."""
    return secrets.token_urlsafe(6)


def question_from_document(doc: Mapping[str, Any], option_ids: list[str] | None = None) -> Question:
    """Build a playable question from one entry of a quiz document's `questions`.

    `option_ids` fixes the ids (e.g. when reloading a game); otherwise fresh random ones are made.
    Raises `InvalidQuestion` when the entry cannot be played.
    """
    try:
        kind = Kind(str(doc.get("kind")))
    except ValueError:
        raise InvalidQuestion(f"unknown question kind: {doc.get('kind')!r}") from None
    text = doc.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidQuestion("a question needs a non-empty text")
    common: dict[str, Any] = {
        "kind": kind,
        "text": text,
        "time_limit_ms": _time_limit_ms(doc.get("time_limit", DEFAULT_TIME_LIMIT_S)),
        "points": _points(doc.get("points", DEFAULT_POINTS)),
        "image": _text_or_none(doc.get("image")),
        "image_alt": _text_or_none(doc.get("image_alt")),
    }
    if kind in CHOICE_KINDS:
        return Question(**common, options=_options(kind, doc.get("options"), option_ids))
    if kind is Kind.TRUE_FALSE:
        correct = doc.get("correct")
        if not isinstance(correct, bool):
            raise InvalidQuestion("a true_false question needs `correct`: true or false")
        return Question(**common, correct=correct)
    if kind is Kind.TYPE:
        return Question(**common, accepted=_accepted(doc.get("accepted")))
    slider = _slider(doc)
    return Question(
        **common,
        correct=slider["correct"],
        min=slider["min"],
        max=slider["max"],
        step=slider["step"],
        tolerance=slider["tolerance"],
    )


def _time_limit_ms(seconds: object) -> int:
    low, high = TIME_LIMIT_RANGE_S
    if not _is_number(seconds) or not low <= seconds <= high:
        raise InvalidQuestion(f"`time_limit` must be {low} to {high} seconds, got {seconds!r}")
    return round(seconds * 1000)


def _points(points: object) -> int:
    if not _is_number(points) or points not in ALLOWED_POINTS:
        raise InvalidQuestion(f"`points` must be one of {ALLOWED_POINTS}, got {points!r}")
    return int(points)


def _options(kind: Kind, raw: object, option_ids: list[str] | None) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise InvalidQuestion(f"a {kind} question needs at least two options")
    if option_ids is None:
        option_ids = [new_option_id() for _ in raw]
    if len(option_ids) != len(raw) or len(set(option_ids)) != len(option_ids):
        raise InvalidQuestion("`option_ids` must be distinct, one per option")
    options = tuple(_option(kind, item, option_id) for item, option_id in zip(raw, option_ids, strict=True))
    correct = sum(option.correct for option in options)
    if kind is Kind.SINGLE and correct != 1:
        raise InvalidQuestion(f"a single question needs exactly one correct option, got {correct}")
    if kind is Kind.MULTIPLE and correct == 0:
        raise InvalidQuestion("a multiple question needs at least one correct option")
    return options


def _option(kind: Kind, item: object, option_id: str) -> Option:
    if not isinstance(item, Mapping) or not isinstance(item.get("text"), str):
        raise InvalidQuestion("each option needs a `text`")
    # Ordering and poll options carry no `correct` flag; a stray one must not leak into grading.
    correct = item.get("correct", False) is True and kind in (Kind.SINGLE, Kind.MULTIPLE)
    return Option(id=option_id, text=item["text"], correct=correct, image=_text_or_none(item.get("image")))


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _accepted(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(a, str) and a.strip() for a in raw):
        raise InvalidQuestion("a type question needs `accepted`: a non-empty list of answers")
    return tuple(raw)


def _slider(doc: Mapping[str, Any]) -> dict[str, float]:
    defaults = {"min": None, "max": None, "correct": None, "step": 1, "tolerance": 0}
    fields: dict[str, float] = {}
    for name, default in defaults.items():
        value = doc.get(name, default)
        if not _is_number(value):
            raise InvalidQuestion(f"a slider question needs a finite number `{name}`, got {value!r}")
        fields[name] = value
    if not fields["min"] < fields["max"]:
        raise InvalidQuestion("a slider's `min` must be below its `max`")
    if not fields["min"] <= fields["correct"] <= fields["max"]:
        raise InvalidQuestion("a slider's `correct` must lie within `min`..`max`")
    if fields["step"] <= 0 or fields["tolerance"] < 0:
        raise InvalidQuestion("a slider's `step` must be positive and its `tolerance` not negative")
    return fields


def _is_number(value: object) -> TypeGuard[int | float]:
    # JSON true/false decode to bool, which Python counts as int; they are not numbers here.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def public_view(
    question: Question,
    rng: random.Random,
    *,
    shuffle: bool = False,
    option_text: bool = True,
    images: bool = True,
) -> dict[str, Any]:
    """The question as a player may see it: never which option is correct, nor the accepted answers.

    Ordering options are always shuffled by `rng` and never shown in their correct order (a shuffle
    that left them solved is rotated by one). `shuffle`
    also shuffles the other choice kinds; `option_text=False` leaves out option texts (the
    `question_on_devices` setting off), and `images=False` the pictures (`image`, `image_alt` and
    the options' `image`, each present only when the question has one). Room-level fields (`seq`,
    `question`, `total`, `read_time_ms`, `server_time`) are the room's to add.
    """
    view: dict[str, Any] = {
        "kind": str(question.kind),
        "text": question.text,
        "time_limit_ms": question.time_limit_ms,
        "points": question.points,
    }
    if images and question.image:
        view["image"] = question.image
        if question.image_alt:
            view["image_alt"] = question.image_alt
    if question.kind in CHOICE_KINDS:
        options = list(question.options)
        if shuffle or question.kind is Kind.ORDERING:
            rng.shuffle(options)
        if question.kind is Kind.ORDERING and len(options) > 1 and options == list(question.options):
            options.append(options.pop(0))  # a solved start would hand out the answer
        view["options"] = [_option_view(option, option_text, images) for option in options]
    elif question.kind is Kind.SLIDER:
        view.update(min=question.min, max=question.max, step=question.step)
    return view


def _option_view(option: Option, text: bool, images: bool) -> dict[str, Any]:
    view: dict[str, Any] = {"id": option.id, "text": option.text} if text else {"id": option.id}
    if images and option.image:
        view["image"] = option.image
    return view
