"""Pure statistics over aggregated rows: shares, means, a median from a histogram, and the item
analysis of a question (difficulty, point-biserial discrimination, distractors, flags).

Everything takes sums and counts, never raw answers: the database aggregates, these finish the job."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

NEGATIVE_DISCRIMINATION = "negative_discrimination"
DISTRACTOR_BEATS_KEY = "distractor_beats_key"


def share(part: int | float, whole: int | float) -> float | None:
    """`part / whole`, or None when there is no whole to take a share of."""
    return None if whole <= 0 else part / whole


def mean(total: int | float, count: int) -> float | None:
    return None if count <= 0 else total / count


def median_from_histogram(buckets: Mapping[int, int], width: int = 1) -> float | None:
    """The median of values counted in buckets of `width` (bucket k holds k*width .. k*width+width-1).

    Each bucket stands for its centre, so the result is within (width - 1) / 2 of the true median of
    whole-number values (exact for width 1). None when nothing was counted."""
    if width < 1:
        raise ValueError("width must be at least 1")
    items = sorted((key, count) for key, count in buckets.items() if count > 0)
    total = sum(count for _, count in items)
    if total == 0:
        return None

    def value_at(position: int) -> float:  # the 0-based `position`-th value in order
        seen = 0
        for key, count in items:
            seen += count
            if position < seen:
                return key * width + (width - 1) / 2
        raise AssertionError("position past the end")  # pragma: no cover - total bounds position

    if total % 2:
        return value_at(total // 2)
    return (value_at(total // 2 - 1) + value_at(total // 2)) / 2


def point_biserial(n: int, sum_x: int, sum_t: int, sum_tt: int, sum_xt: int) -> float | None:
    """The correlation of a 0/1 item score x with the rest of the score (t - x), from sums over the
    n people who were given the item: Σx, Σt, Σt², Σxt, where t is each person's whole score
    (number correct) including the item. None when either side does not vary (no correlation is
    defined). Integer sums keep it exact up to the last division."""
    if n < 2:
        return None
    sum_r = sum_t - sum_x  # rest score r = t - x; x² = x for a 0/1 score
    sum_rr = sum_tt - 2 * sum_xt + sum_x
    sum_xr = sum_xt - sum_x
    var_x = n * sum_x - sum_x * sum_x
    var_r = n * sum_rr - sum_r * sum_r
    if var_x <= 0 or var_r <= 0:
        return None
    r = (n * sum_xr - sum_x * sum_r) / math.sqrt(var_x * var_r)
    return max(-1.0, min(1.0, r))


@dataclass(frozen=True, slots=True)
class OptionCount:
    """How many chose one option of a question, and whether it is (one of) the key."""

    label: str
    count: int
    correct: bool


@dataclass(frozen=True, slots=True)
class ItemAnalysis:
    """What a question's sessions say about it as an item of a test."""

    difficulty: float | None  # share of those given it who got it fully right
    discrimination: float | None  # point-biserial with the rest of the score
    distractors: list[OptionCount]  # wrong options, most chosen first
    flags: list[str]


def distractors(options: list[OptionCount]) -> list[OptionCount]:
    """The wrong options that drew anyone, most chosen first (ties in their written order)."""
    wrong = [(position, option) for position, option in enumerate(options) if not option.correct]
    ordered = sorted(wrong, key=lambda item: (-item[1].count, item[0]))
    return [option for _, option in ordered if option.count > 0]


def item_flags(discrimination: float | None, options: list[OptionCount]) -> list[str]:
    """Why an item may be bad: it discriminates the wrong way (the stronger players get it wrong
    more often), or a distractor is chosen more often than the least chosen key."""
    flags = []
    if discrimination is not None and discrimination < 0:
        flags.append(NEGATIVE_DISCRIMINATION)
    keys = [option.count for option in options if option.correct]
    wrong = [option.count for option in options if not option.correct]
    if keys and wrong and max(wrong) > min(keys):
        flags.append(DISTRACTOR_BEATS_KEY)
    return flags


def analyse_item(
    given: int, correct: int, sum_t: int, sum_tt: int, sum_t_correct: int, options: list[OptionCount]
) -> ItemAnalysis:
    """Item analysis from the aggregates of one question over every session in a range: `given`
    people were offered it, `correct` got it right; Σt and Σt² of their scores (number correct) and
    Σt over those who got it right; `options` with their counts (empty for kinds without options)."""
    discrimination = point_biserial(given, correct, sum_t, sum_tt, sum_t_correct)
    return ItemAnalysis(
        difficulty=share(correct, given),
        discrimination=discrimination,
        distractors=distractors(options),
        flags=item_flags(discrimination, options),
    )
