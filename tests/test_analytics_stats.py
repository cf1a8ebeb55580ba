"""The statistics of the analytics, as properties: computed from sums they agree with the same
statistics computed from the raw values."""

from __future__ import annotations

import statistics
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.analytics.stats import (
    DISTRACTOR_BEATS_KEY,
    NEGATIVE_DISCRIMINATION,
    OptionCount,
    analyse_item,
    distractors,
    item_flags,
    median_from_histogram,
    point_biserial,
)

# A test of k items taken by n people: each person's 0/1 answers.
answer_sheets = st.integers(2, 8).flatmap(
    lambda items: st.lists(st.lists(st.booleans(), min_size=items, max_size=items), min_size=2, max_size=60)
)


@given(answer_sheets, st.data())
def test_point_biserial_from_sums_is_the_correlation_of_item_and_rest(
    sheets: list[list[bool]], data: st.DataObject
) -> None:
    item = data.draw(st.integers(0, len(sheets[0]) - 1))
    x = [int(sheet[item]) for sheet in sheets]
    t = [sum(sheet) for sheet in sheets]
    rest = [total - xi for total, xi in zip(t, x, strict=True)]
    r = point_biserial(
        len(x), sum(x), sum(t), sum(v * v for v in t), sum(a * b for a, b in zip(x, t, strict=True))
    )
    if len(set(x)) < 2 or len(set(rest)) < 2:
        assert r is None
    else:
        assert r == pytest.approx(statistics.correlation(x, rest), abs=1e-9)
        assert -1.0 <= r <= 1.0


def test_point_biserial_needs_two_people_and_variation() -> None:
    assert point_biserial(1, 1, 3, 9, 3) is None
    assert point_biserial(3, 3, 6, 14, 6) is None  # everyone right: the item does not vary


@given(st.lists(st.integers(0, 240_000), min_size=1, max_size=200), st.sampled_from([1, 2, 10, 100]))
def test_median_from_a_histogram_is_within_half_a_bucket(values: list[int], width: int) -> None:
    buckets = Counter(v // width for v in values)
    median = median_from_histogram(buckets, width)
    assert median is not None
    assert abs(median - statistics.median(values)) <= (width - 1) / 2
    if width == 1:
        assert median == statistics.median(values)


def test_median_of_nothing_is_none() -> None:
    assert median_from_histogram({}, 10) is None
    assert median_from_histogram({3: 0}, 10) is None


options = st.lists(
    st.builds(OptionCount, st.text(max_size=5), st.integers(0, 50), st.booleans()), min_size=0, max_size=8
)


@given(options)
def test_distractors_are_the_wrong_options_that_drew_anyone_most_first(counts: list[OptionCount]) -> None:
    found = distractors(counts)
    assert all(not o.correct and o.count > 0 for o in found)
    assert [o.count for o in found] == sorted((o.count for o in found), reverse=True)
    assert len(found) == sum(1 for o in counts if not o.correct and o.count > 0)


@given(options, st.one_of(st.none(), st.floats(-1, 1)))
def test_flags_say_exactly_what_is_wrong(counts: list[OptionCount], r: float | None) -> None:
    flags = item_flags(r, counts)
    assert (NEGATIVE_DISCRIMINATION in flags) == (r is not None and r < 0)
    keys = [o.count for o in counts if o.correct]
    wrong = [o.count for o in counts if not o.correct]
    assert (DISTRACTOR_BEATS_KEY in flags) == bool(keys and wrong and max(wrong) > min(keys))


@given(st.integers(1, 500), st.data())
def test_difficulty_is_the_share_right(given_to: int, data: st.DataObject) -> None:
    correct = data.draw(st.integers(0, given_to))
    analysis = analyse_item(given_to, correct, correct, correct, correct, [])
    assert analysis.difficulty == pytest.approx(correct / given_to)
    assert analysis.distractors == [] and DISTRACTOR_BEATS_KEY not in analysis.flags
