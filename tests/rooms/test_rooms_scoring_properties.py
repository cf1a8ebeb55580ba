"""Properties of scoring that must hold for every input, checked with hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rooms.core.grading import grade
from rooms.core.questions import question_from_document
from rooms.core.ranking import rank
from rooms.core.scoring import ScoringMode, credited_ms, is_in_time, question_points

limits = st.integers(min_value=1, max_value=240_000)
points_values = st.integers(min_value=0, max_value=10_000)
standard_points = st.sampled_from([0, 1000, 2000])
fractions = st.floats(min_value=0.0, max_value=1.0)
modes = st.sampled_from(["speed", "accuracy"])


@st.composite
def limit_and_credited(draw: st.DrawFn) -> tuple[int, int]:
    limit = draw(limits)
    return limit, draw(st.integers(min_value=0, max_value=limit))


@given(points_values, st.floats(min_value=-1.0, max_value=2.0), st.integers(-10_000, 500_000), limits, modes)
def test_points_stay_within_zero_and_the_question_points(
    points: int, fraction: float, credited: int, limit: int, mode: ScoringMode
) -> None:
    earned = question_points(points, fraction, credited, limit, mode)
    assert 0 <= earned <= points


@given(points_values, fractions, limit_and_credited(), st.integers(0, 240_000), modes)
def test_points_never_increase_with_credited_time(
    points: int, fraction: float, limit_credited: tuple[int, int], later_by: int, mode: ScoringMode
) -> None:
    limit, credited = limit_credited
    later = min(credited + later_by, limit)
    assert question_points(points, fraction, credited, limit, mode) >= question_points(
        points, fraction, later, limit, mode
    )


@given(standard_points, limit_and_credited())
def test_a_fully_correct_answer_in_speed_mode_earns_at_least_half(points: int, lc: tuple[int, int]) -> None:
    limit, credited = lc
    assert question_points(points, 1.0, credited, limit, "speed") * 2 >= points


@given(points_values, limit_and_credited())
def test_at_least_half_rounded_down_for_any_points(points: int, lc: tuple[int, int]) -> None:
    limit, credited = lc
    assert question_points(points, 1.0, credited, limit, "speed") >= points // 2


@given(points_values, fractions, limit_and_credited())
def test_accuracy_mode_never_pays_less_than_speed_mode(
    points: int, fraction: float, lc: tuple[int, int]
) -> None:
    limit, credited = lc
    accuracy = question_points(points, fraction, credited, limit, "accuracy")
    assert accuracy >= question_points(points, fraction, credited, limit, "speed")


@given(
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 30_000),
    st.one_of(st.none(), st.floats(min_value=0, max_value=10_000)),
    limits,
)
def test_credited_time_is_within_the_limit_and_agrees_with_in_time(
    sent: int, delay: int, read_time: int, rtt: float | None, limit: int
) -> None:
    received = sent + delay
    credited = credited_ms(received, sent, read_time, rtt, limit)
    assert 0 <= credited <= limit
    if not is_in_time(received, sent, read_time, rtt, limit):
        assert credited == limit


CHOICE_IDS = list("abcdef")


@given(st.lists(st.booleans(), min_size=2, max_size=6).filter(any), st.data())
def test_multiple_select_grade_is_a_fraction_and_one_only_for_the_exact_set(
    flags: list[bool], data: st.DataObject
) -> None:
    ids = CHOICE_IDS[: len(flags)]
    options = [{"text": i, "correct": flag} for i, flag in zip(ids, flags, strict=True)]
    question = question_from_document({"kind": "multiple", "text": "?", "options": options}, option_ids=ids)
    chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    fraction = grade(question, tuple(chosen))
    assert fraction is not None and 0.0 <= fraction <= 1.0
    assert (fraction == 1.0) == (set(chosen) == {i for i, flag in zip(ids, flags, strict=True) if flag})


# Small ranges, so that equal scores and equal times are common.
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), max_size=40))
def test_ranks_are_competition_style(raw: list[tuple[int, int]]) -> None:
    entries = [(f"p{i}", score, time) for i, (score, time) in enumerate(raw)]
    standings = rank(entries)
    assert sorted(s.player_id for s in standings) == sorted(e[0] for e in entries)
    key = {player: (-score, time) for player, score, time in entries}
    for position, standing in enumerate(standings, start=1):
        ahead = sum(1 for other in entries if key[other[0]] < key[standing.player_id])
        assert standing.rank == ahead + 1
        assert standing.rank <= position
