"""Credited time, points per answer and the streak bonus, with the numbers of DESIGN.md."""

from __future__ import annotations

import pytest

from rooms.core.scoring import credited_ms, is_in_time, is_too_early, question_points, streak_bonus

SENT = 1_700_000_000_000
LIMIT = 20_000


def test_credited_time_counts_from_the_end_of_the_read_time_less_half_the_round_trip() -> None:
    assert credited_ms(SENT + 10_000, SENT, 2_000, 100, LIMIT) == 7_950


def test_round_trip_allowance_is_capped_at_300_ms() -> None:
    assert credited_ms(SENT + 10_000, SENT, 2_000, 1_000, LIMIT) == 7_700


def test_a_player_who_never_answered_pings_gets_no_allowance() -> None:
    assert credited_ms(SENT + 10_000, SENT, 2_000, None, LIMIT) == 8_000


def test_credited_time_is_clamped_to_zero_and_the_limit() -> None:
    assert credited_ms(SENT + 100, SENT, 0, 400, LIMIT) == 0
    assert credited_ms(SENT + 25_000, SENT, 0, None, LIMIT) == LIMIT


def test_in_time_uses_the_unclamped_credited_time() -> None:
    assert is_in_time(SENT + 2_000 + LIMIT, SENT, 2_000, None, LIMIT)
    assert not is_in_time(SENT + 2_000 + LIMIT + 1, SENT, 2_000, None, LIMIT)
    # 200 ms past the limit is still in time for a player whose round trip is 400 ms ...
    assert is_in_time(SENT + 2_000 + LIMIT + 200, SENT, 2_000, 400, LIMIT)
    # ... but not for one who never answered a ping.
    assert not is_in_time(SENT + 2_000 + LIMIT + 200, SENT, 2_000, None, LIMIT)


def test_too_early_only_during_the_read_time() -> None:
    assert is_too_early(SENT + 1_999, SENT, 2_000)
    assert not is_too_early(SENT + 2_000, SENT, 2_000)
    assert not is_too_early(SENT, SENT, 0)


@pytest.mark.parametrize(
    ("points", "fraction", "credited", "expected"),
    [
        (1000, 1.0, 5_000, 875),
        (1000, 1.0, 0, 1000),
        (1000, 1.0, 499, 1000),  # under half a second earns everything
        (1000, 1.0, 500, 988),  # 987.5, rounded half to even
        (1000, 1.0, 10_000, 750),
        (1000, 1.0, LIMIT, 500),
        (2000, 1.0, 10_000, 1500),
        (0, 1.0, 0, 0),
        (1000, 0.5, 10_000, 375),  # the speed factor applies to the partial total
        (1000, 0.5, 100, 500),
        (1000, 0.0, 100, 0),
        (1000, -0.5, 100, 0),  # never negative
        (1000, 1.0, 30_000, 500),  # a credited time past the limit is clamped
    ],
)
def test_speed_mode_points(points: int, fraction: float, credited: int, expected: int) -> None:
    assert question_points(points, fraction, credited, LIMIT, "speed") == expected


@pytest.mark.parametrize(("fraction", "expected"), [(1.0, 1000), (0.5, 500), (2 / 3, 667), (0.0, 0)])
def test_accuracy_mode_ignores_time(fraction: float, expected: int) -> None:
    assert question_points(1000, fraction, 19_999, LIMIT, "accuracy") == expected


def test_points_refuse_a_zero_limit_and_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="time limit"):
        question_points(1000, 1.0, 0, 0, "speed")
    with pytest.raises(ValueError, match="mode"):
        question_points(1000, 1.0, 100, LIMIT, "fastest")  # type: ignore[arg-type]


def test_streak_bonus_sequence() -> None:
    assert [streak_bonus(streak) for streak in range(1, 9)] == [0, 100, 200, 300, 400, 500, 500, 500]
    assert streak_bonus(0) == 0
