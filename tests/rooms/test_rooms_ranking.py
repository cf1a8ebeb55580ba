"""Standings by score, then total credited time, with shared competition ranks."""

from __future__ import annotations

from rooms.core.ranking import Standing, rank


def test_higher_score_first() -> None:
    assert rank([("a", 100, 0), ("b", 300, 0), ("c", 200, 0)]) == [
        Standing("b", 300, 1),
        Standing("c", 200, 2),
        Standing("a", 100, 3),
    ]


def test_equal_scores_are_split_by_less_total_time() -> None:
    assert [(s.player_id, s.rank) for s in rank([("slow", 500, 9_000), ("fast", 500, 3_000)])] == [
        ("fast", 1),
        ("slow", 2),
    ]


def test_equal_score_and_time_share_a_rank_competition_style() -> None:
    standings = rank([("d", 100, 0), ("b", 500, 4_000), ("a", 900, 1_000), ("c", 500, 4_000)])
    assert [(s.player_id, s.rank) for s in standings] == [("a", 1), ("b", 2), ("c", 2), ("d", 4)]


def test_a_tie_at_the_top() -> None:
    standings = rank([("x", 0, 0), ("y", 0, 0), ("z", 0, 0)])
    assert [s.rank for s in standings] == [1, 1, 1]


def test_no_players() -> None:
    assert rank([]) == []


def test_accepts_any_iterable() -> None:
    standings = rank((f"p{i}", i % 3, 0) for i in range(6))
    assert [s.rank for s in standings] == [1, 1, 3, 3, 5, 5]
