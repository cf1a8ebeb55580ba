"""XP, levels and every badge rule as pure functions."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from persistence.badges import (
    CATALOGUE,
    RULES,
    DuelFacts,
    Facts,
    GameFacts,
    RecordFacts,
    current_streak,
    earned,
    fastest_correct,
    meets,
    scored_questions,
    streak_ending,
)
from persistence.levels import level_for, level_progress, xp_for_game, xp_for_level
from persistence.repositories.leaderboards import Window, period_window

# ---- levels ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xp", "level"), [(0, 1), (99, 1), (100, 2), (399, 2), (400, 3), (900, 4), (10_000, 11)]
)
def test_level_is_floor_sqrt_xp_over_100_plus_1(xp: int, level: int) -> None:
    assert level_for(xp) == level


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**6))
def test_level_never_goes_down_as_xp_grows(xp: int, more: int) -> None:
    assert level_for(xp + more) >= level_for(xp)


@given(st.integers(min_value=0, max_value=10**9))
def test_xp_lies_within_its_levels_bounds(xp: int) -> None:
    progress = level_progress(xp)
    assert progress.level_xp <= xp < progress.next_level_xp
    assert progress.level == level_for(xp) and 0 <= progress.fraction < 1


@given(st.integers(min_value=1, max_value=10_000))
def test_each_level_starts_where_xp_for_level_says(level: int) -> None:
    assert level_for(xp_for_level(level)) == level
    assert level_for(xp_for_level(level) - 1) == level - 1 or level == 1


def test_level_progress_example() -> None:
    progress = level_progress(250)
    assert (progress.level, progress.level_xp, progress.next_level_xp) == (2, 100, 400)
    assert progress.fraction == 0.5


def test_xp_for_a_game() -> None:
    assert xp_for_game(0, 5, 10) == 10  # taking part
    assert xp_for_game(2_000, 4, 10) == 10 + 100
    assert xp_for_game(2_000, 1, 10) == 10 + 100 + 50
    assert (xp_for_game(0, 2, 3), xp_for_game(0, 3, 3)) == (40, 30)
    assert xp_for_game(2_000, 1, 2) == 110  # no podium with fewer than 3 players
    assert xp_for_game(2_000, 1, 10, "duel") == 80  # duels weigh half


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=0, max_value=100_000))
def test_more_score_never_earns_less_xp(score: int, more: int) -> None:
    assert xp_for_game(score + more, 4, 10) >= xp_for_game(score, 4, 10)


# ---- badge rules ----------------------------------------------------------------------------------


def facts(
    rank: int | None = 2,
    players: int = 5,
    scored: int = 3,
    correct: int = 1,
    fastest: bool = False,
    xp: int = 50,
    games: int = 2,
    streak: int = 1,
) -> Facts:
    return Facts(GameFacts(rank, players, scored, correct, fastest), RecordFacts(xp, games, streak))


RULE = {spec.code: spec.rule for spec in CATALOGUE}


def test_catalogue_codes_are_unique_and_every_rule_is_known() -> None:
    assert len(RULE) == len(CATALOGUE) == 14
    assert all(rule["kind"] in RULES for rule in RULE.values())


def test_first_game_and_ten_games() -> None:
    assert not meets(RULE["first_game"], facts(games=0)) and meets(RULE["first_game"], facts(games=1))
    assert not meets(RULE["ten_games"], facts(games=9)) and meets(RULE["ten_games"], facts(games=10))


def test_xp_thresholds() -> None:
    assert [meets(RULE["xp_1000"], facts(xp=xp)) for xp in (999, 1_000, 5_000)] == [False, True, True]
    assert [meets(RULE["xp_10000"], facts(xp=xp)) for xp in (9_999, 10_000)] == [False, True]


def test_perfect_game_needs_every_scored_question_and_at_least_three() -> None:
    assert meets(RULE["perfect_game"], facts(scored=3, correct=3))
    assert meets(RULE["perfect_game"], facts(scored=12, correct=12))
    assert not meets(RULE["perfect_game"], facts(scored=3, correct=2))
    assert not meets(RULE["perfect_game"], facts(scored=2, correct=2))
    assert not meets(RULE["perfect_game"], facts(scored=0, correct=0))


def test_fastest_answer() -> None:
    assert meets(RULE["fastest_answer"], facts(fastest=True))
    assert not meets(RULE["fastest_answer"], facts(fastest=False))
    assert not meets({"kind": "fastest_answer", "min_players": 2}, facts(fastest=True, players=1))


def test_winning_needs_rank_one_of_at_least_two() -> None:
    assert meets(RULE["winner"], facts(rank=1, players=2))
    assert not meets(RULE["winner"], facts(rank=1, players=1))
    assert not meets(RULE["winner"], facts(rank=2, players=2))
    assert not meets(RULE["winner"], facts(rank=None, players=5))  # kicked


def test_top_three_of_twenty() -> None:
    assert meets(RULE["top3_crowd"], facts(rank=3, players=20))
    assert meets(RULE["top3_crowd"], facts(rank=1, players=500))
    assert not meets(RULE["top3_crowd"], facts(rank=3, players=19))
    assert not meets(RULE["top3_crowd"], facts(rank=4, players=20))


def test_play_streaks() -> None:
    assert [meets(RULE["streak_3"], facts(streak=days)) for days in (2, 3, 8)] == [False, True, True]
    assert [meets(RULE["streak_7"], facts(streak=days)) for days in (6, 7)] == [False, True]


def duel(won: bool = True, rating: int = 1200, opponent: int = 1200, wins: int = 1, streak: int = 1) -> Facts:
    game = facts(rank=1 if won else 2, players=2)
    return dataclasses.replace(game, duel=DuelFacts(won, rating, opponent, wins, streak))


def test_first_duel_win_needs_a_rated_duel_won() -> None:
    assert meets(RULE["first_duel_win"], duel(won=True, wins=1))
    assert not meets(RULE["first_duel_win"], duel(won=False, wins=0, streak=0))
    assert not meets(RULE["first_duel_win"], facts(rank=1, players=2))  # a bot or guest duel: no duel facts


def test_five_duel_wins_in_a_row() -> None:
    assert [meets(RULE["duel_streak_5"], duel(wins=9, streak=n)) for n in (4, 5, 6)] == [False, True, True]
    assert not meets(RULE["duel_streak_5"], duel(won=False, wins=9, streak=0))


def test_beating_a_higher_rated_player_counts_ratings_before_the_duel() -> None:
    assert meets(RULE["duel_upset"], duel(rating=1200, opponent=1201))
    assert not meets(RULE["duel_upset"], duel(rating=1200, opponent=1200))
    assert not meets(RULE["duel_upset"], duel(won=False, rating=1100, opponent=1400, wins=0, streak=0))
    assert not meets({"kind": "duel_upset", "by": 100}, duel(rating=1200, opponent=1250))


@pytest.mark.parametrize(
    "rule", [{"kind": "moon_landing"}, {}, {"kind": "xp"}, {"kind": "xp", "at_least": "lots"}]
)
def test_unknown_or_malformed_rules_are_met_by_no_one(rule: dict) -> None:
    assert not meets(rule, facts(xp=10**9))


def test_earned_lists_the_met_rules_in_catalogue_order() -> None:
    first_win = facts(rank=1, players=4, scored=3, correct=3, fastest=True, xp=300, games=1, streak=1)
    assert earned(RULE.items(), first_win) == ["first_game", "perfect_game", "fastest_answer", "winner"]


# ---- facts from game data -------------------------------------------------------------------------


def test_scored_questions_leave_out_polls_zero_points_and_voided() -> None:
    questions = [
        {"kind": "single", "points": 1000},
        {"kind": "poll", "points": 0},
        {"kind": "single", "points": 0},
        {"kind": "slider", "points": 2000},
        {"kind": "type"},
    ]
    assert scored_questions(questions) == {0, 3, 4}
    assert scored_questions(questions, voided={3}) == {0, 4}


def test_fastest_correct_answer_is_the_lowest_credited_time_of_a_correct_one() -> None:
    answers = [("a", True, 900), ("b", False, 100), ("c", True, 1_200), ("a", True, 2_000)]
    assert fastest_correct(answers) == {"a"}
    assert fastest_correct([*answers, ("d", True, 900)]) == {"a", "d"}  # ties: all
    assert fastest_correct([("a", False, 1)]) == set()


def test_streaks_count_consecutive_days() -> None:
    day = date(2026, 3, 10)
    days = {day - timedelta(days=n) for n in (0, 1, 2, 4)}
    assert streak_ending(days, day) == 3
    assert streak_ending(days, day - timedelta(days=3)) == 0
    assert current_streak(days, day) == 3
    assert current_streak(days, day + timedelta(days=1)) == 3  # today is still open
    assert current_streak(days, day + timedelta(days=2)) == 0


# ---- calendar periods -----------------------------------------------------------------------------


def test_periods_are_calendar_periods_in_utc() -> None:
    now = datetime(2026, 3, 12, 1, 30, tzinfo=timezone(timedelta(hours=5)))  # Wednesday 11th, 20:30 UTC
    assert period_window("all", now) is None
    assert period_window("day", now) == Window(
        datetime(2026, 3, 11, tzinfo=UTC), datetime(2026, 3, 12, tzinfo=UTC)
    )
    assert period_window("week", now) == Window(
        datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC)
    )
    assert period_window("month", now) == Window(
        datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    )
    december = period_window("month", datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    assert december == Window(datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
