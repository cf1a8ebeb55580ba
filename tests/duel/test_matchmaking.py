"""Matchmaking (pure, clocked): pairs by what was asked and by rating within a window that widens
with the wait; a bot after the wait; rematch offers meet only each other and lapse."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rooms.duel.matchmaking import Match, MatchRules, Seeker, duel_quiz, match_round, revenge_of

RULES = MatchRules()
T0 = 1_000_000


def seeker(ticket: str, rating: int = 1200, since: int = T0, **fields: object) -> Seeker:
    return Seeker(ticket=ticket, node="n", nickname=ticket, rating=rating, since_ms=since, **fields)  # type: ignore[arg-type]


def pairs(matches: list[Match]) -> set[frozenset[str]]:
    return {frozenset(m.tickets) for m in matches}


def test_the_window_widens_with_the_wait_up_to_its_cap() -> None:
    assert RULES.window(0) == 100
    assert RULES.window(4_000) == 300
    assert RULES.window(10**9) == RULES.max_window


def test_two_close_ratings_are_paired_at_once() -> None:
    result = match_round([seeker("a", 1200), seeker("b", 1290)], T0, RULES)
    assert pairs(result.matches) == {frozenset({"a", "b"})}


def test_distant_ratings_wait_until_the_window_reaches_them() -> None:
    queue = [seeker("a", 1200), seeker("b", 1500)]
    assert match_round(queue, T0 + 3_999, RULES).matches == []  # window 100 + 150 = 250 < 300
    assert pairs(match_round(queue, T0 + 4_000, RULES).matches) == {frozenset({"a", "b"})}


def test_the_longest_waiting_player_gets_the_nearest_rating() -> None:
    queue = [seeker("old", 1200, T0 - 5_000), seeker("near", 1230), seeker("far", 1290)]
    result = match_round(queue, T0, RULES)
    assert pairs(result.matches) == {frozenset({"old", "near"})}


def test_a_lone_player_gets_a_bot_at_their_rating_after_the_wait() -> None:
    queue = [seeker("a", 1700)]
    assert match_round(queue, T0 + RULES.bot_after_ms - 1, RULES).matches == []
    (match,) = match_round(queue, T0 + RULES.bot_after_ms, RULES).matches
    assert match.second is None and match.bot_rating == 1700


def test_the_bot_wait_is_a_setting() -> None:
    (match,) = match_round([seeker("a")], T0 + 2_000, MatchRules(bot_after_ms=2_000)).matches
    assert match.second is None


def test_quizzes_meet_their_own_quiz_and_any_never_another() -> None:
    queue = [seeker("q1", quiz=1), seeker("q2", quiz=2, since=T0 + 1)]
    assert match_round(queue, T0 + 1, RULES).matches == []
    queue.append(seeker("any", since=T0 + 2))
    (match,) = match_round(queue, T0 + 2, RULES).matches
    assert set(match.tickets) == {"q1", "any"} and duel_quiz(match) == 1


def test_revenge_meets_any_and_names_the_player_whose_misses_are_played() -> None:
    queue = [seeker("r", revenge=True, user_id=9), seeker("q", quiz=3, since=T0 + 1)]
    assert match_round(queue, T0 + 1, RULES).matches == []
    (match,) = match_round([*queue, seeker("any", since=T0 + 2)], T0 + 2, RULES).matches
    assert set(match.tickets) == {"r", "any"} and revenge_of(match) == 9 and duel_quiz(match) is None


def test_one_account_never_meets_itself() -> None:
    queue = [seeker("tab1", user_id=4), seeker("tab2", user_id=4)]
    assert match_round(queue, T0, RULES).matches == []


def test_a_rematch_offer_meets_only_the_other_offer_of_that_duel() -> None:
    queue = [seeker("a", rematch="111111"), seeker("x"), seeker("b", 1900, rematch="111111")]
    result = match_round(queue, T0, RULES)
    assert frozenset({"a", "b"}) in pairs(result.matches)  # whatever their ratings
    assert all("x" not in m.tickets for m in result.matches)


def test_a_rematch_against_a_bot_is_taken_at_once_and_an_unreturned_offer_lapses() -> None:
    (match,) = match_round([seeker("a", rematch="1", rematch_bot=1500)], T0, RULES).matches
    assert match.second is None and match.bot_rating == 1500
    lone = [seeker("b", rematch="2")]
    assert match_round(lone, T0 + RULES.bot_after_ms, RULES).matches == []  # no bot for a rematch
    assert [s.ticket for s in match_round(lone, T0 + RULES.rematch_wait_ms, RULES).lapsed] == ["b"]


@given(st.lists(st.tuples(st.integers(800, 2000), st.integers(0, 20_000)), max_size=40))
def test_nobody_is_matched_twice_and_every_pair_is_within_its_window(entries: list[tuple[int, int]]) -> None:
    queue = [seeker(f"s{n}", rating, T0 + since) for n, (rating, since) in enumerate(entries)]
    now = T0 + 20_000
    result = match_round(queue, now, RULES)
    tickets = [t for m in result.matches for t in m.tickets]
    assert len(tickets) == len(set(tickets))
    for match in result.matches:
        if match.second is not None:
            longest = min(match.first.since_ms, match.second.since_ms)
            assert abs(match.first.rating - match.second.rating) <= RULES.window(now - longest)


def test_two_thousand_players_are_paired_in_one_round() -> None:
    queue = [seeker(f"s{n}", 1000 + n % 400, T0 + n) for n in range(2000)]
    result = match_round(queue, T0 + 2000, RULES)
    assert len(result.matches) == 1000 and all(m.second is not None for m in result.matches)
