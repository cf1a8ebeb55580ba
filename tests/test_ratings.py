"""Elo duel ratings as pure functions: zero-sum, bounded by the K-factor, symmetric expectations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from persistence.ratings import (
    K_FACTOR,
    OPPOSITE,
    START_RATING,
    DuelRecord,
    after_duel,
    expected_score,
    rate_duel,
    rating_change,
)

ratings = st.integers(min_value=0, max_value=4_000)
outcomes = st.sampled_from(["won", "lost", "drawn"])


@given(ratings, ratings)
def test_expected_scores_of_both_players_add_up_to_one(rating: int, opponent: int) -> None:
    assert expected_score(rating, opponent) + expected_score(opponent, rating) == pytest.approx(1.0)
    assert 0.0 < expected_score(rating, opponent) < 1.0


@given(ratings, ratings, outcomes)
def test_a_duel_neither_creates_nor_destroys_points(rating: int, opponent: int, outcome: str) -> None:
    first, second = rate_duel(rating, opponent, outcome)  # type: ignore[arg-type]
    assert first + second == rating + opponent


@given(ratings, ratings, outcomes)
def test_a_change_is_at_most_the_k_factor_and_follows_the_result(
    rating: int, opponent: int, outcome: str
) -> None:
    change = rating_change(rating, opponent, outcome)  # type: ignore[arg-type]
    assert -K_FACTOR <= change <= K_FACTOR
    if outcome == "won":
        assert change >= 0
    if outcome == "lost":
        assert change <= 0


@given(ratings, ratings, outcomes)
def test_both_sides_see_the_same_duel(rating: int, opponent: int, outcome: str) -> None:
    first, second = rate_duel(rating, opponent, outcome)  # type: ignore[arg-type]
    assert rate_duel(opponent, rating, OPPOSITE[outcome]) == (second, first)  # type: ignore[index]


@given(ratings, st.integers(min_value=1, max_value=1_000))
def test_beating_a_stronger_player_gains_more_than_beating_a_weaker_one(rating: int, gap: int) -> None:
    assert rating_change(rating, rating + gap, "won") >= rating_change(rating, rating - gap, "won")


def test_worked_examples() -> None:
    assert rate_duel(START_RATING, START_RATING, "won") == (1216, 1184)  # K/2 between equals
    assert rate_duel(START_RATING, START_RATING, "drawn") == (1200, 1200)
    assert rate_duel(1400, 1200, "won") == (1408, 1192)  # expected 0.76: 32 * 0.24 = 7.7
    assert rate_duel(1200, 1400, "won") == (1224, 1376)  # the upset is worth three times as much
    assert rate_duel(1600, 1200, "drawn") == (1587, 1213)


def test_a_record_counts_wins_in_a_row_until_a_loss_or_a_draw() -> None:
    record = DuelRecord()
    for rating, outcome in ((1216, "won"), (1230, "won"), (1215, "lost"), (1230, "won"), (1230, "drawn")):
        record = after_duel(record, rating, outcome)  # type: ignore[arg-type]
    assert record == DuelRecord(rating=1230, won=3, lost=1, drawn=1, streak=0, best_streak=2)
    assert record.played == 5
    assert after_duel(after_duel(record, 1240, "won"), 1250, "won").streak == 2
