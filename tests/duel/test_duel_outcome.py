"""Who wins a duel: score first, then the faster total response time, a forfeit loses, and equal in
both is a draw."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rooms.core.duel_outcome import Contender, duel_winner, verdict


def test_the_higher_score_wins_whatever_the_time() -> None:
    assert duel_winner([Contender("a", 900, 1), Contender("b", 1000, 99_999)]) == "b"


def test_equal_scores_go_to_the_faster_player() -> None:
    assert duel_winner([Contender("a", 1000, 4_100), Contender("b", 1000, 4_000)]) == "b"


def test_equal_score_and_time_is_a_draw() -> None:
    assert duel_winner([Contender("a", 1000, 4_000), Contender("b", 1000, 4_000)]) is None


def test_nil_all_is_a_draw_whoever_was_slower() -> None:
    assert duel_winner([Contender("a", 0, 0), Contender("b", 0, 9_000)]) is None


def test_a_forfeit_loses_even_when_ahead() -> None:
    assert duel_winner([Contender("a", 3000, 1, forfeited=True), Contender("b", 0, 0)]) == "b"


def test_nobody_left_standing_is_no_winner() -> None:
    assert duel_winner([Contender("a", 1, 1, True), Contender("b", 2, 2, True)]) is None
    assert duel_winner([]) is None


def test_verdicts() -> None:
    assert [verdict("a", "a"), verdict("a", "b"), verdict("a", None)] == ["won", "lost", "draw"]


sides = st.builds(Contender, st.just("a"), st.integers(0, 5000), st.integers(0, 60_000), st.booleans())


@given(sides, sides)
def test_the_outcome_does_not_depend_on_the_order_of_the_seats(a: Contender, b: Contender) -> None:
    b = Contender("b", b.score, b.response_ms, b.forfeited)
    assert duel_winner([a, b]) == duel_winner([b, a])
