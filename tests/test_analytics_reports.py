"""How the analytics label and count answers of every question kind (typed answers, sliders,
ordering), from aggregated rows as the repository hands them over; and a quiz edited between games
counts its changed question as another item."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from persistence.repositories.analytics import AnswerGroup, GameRow, QuestionRow
from server.analytics import reports

ENDED = datetime(2026, 3, 10, tzinfo=UTC)
SLIDER = {
    "kind": "slider",
    "text": "How many?",
    "min": 0,
    "max": 100,
    "step": 1,
    "correct": 42,
    "tolerance": 5,
}
TYPED = {"kind": "type", "text": "Capital of Peru?", "accepted": ["Lima"]}
ORDERING = {
    "kind": "ordering",
    "text": "Oldest first",
    "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
}


def game(id_: int, seats: int, t: int = 0, tt: int = 0) -> GameRow:
    return GameRow(id_, 1, 1, ENDED, "Quiz", seats, 0, t, tt)


def group(
    game_id: int, question: int, answer: Any, count: int, correct: int = 0, partial: int = 0
) -> AnswerGroup:
    return AnswerGroup(game_id, question, json.dumps(answer), count, correct, partial)


def stats_of(questions: list[dict[str, Any]], rows: list[QuestionRow], groups: list[AnswerGroup]) -> dict:
    """One game of 10 players and this one question: each player's score is this item alone."""
    right = sum(row.correct for row in rows)
    games = [game(1, 10, t=right, tt=right)]
    snapshots = {1: ({"questions": questions}, {})}
    found = reports.quiz_questions(games, snapshots, rows, groups, {})
    return {s["index"]: s for s in found}


def test_typed_answers_count_normalised_and_the_accepted_ones_are_the_key() -> None:
    rows = [QuestionRow(1, 0, 10, 3, 30_000, 3)]
    groups = [
        group(1, 0, "Lima", 2, 2),
        group(1, 0, " lima ", 1, 1),
        group(1, 0, "Cusco", 4),
        group(1, 0, "Quito", 3),
    ]
    q = stats_of([TYPED], rows, groups)[0]
    assert q["distribution"] == [
        {"label": "cusco", "count": 4, "correct": False},
        {"label": "lima", "count": 3, "correct": True},
        {"label": "quito", "count": 3, "correct": False},
    ]
    # "cusco" (4) drew more than every accepted answer together (3).
    assert q["distractors"][0] == {"label": "cusco", "count": 4, "correct": False}
    assert q["flags"] == ["distractor_beats_key"]


def test_slider_answers_fall_in_tenths_of_the_scale_and_the_key_covers_the_tolerance() -> None:
    rows = [QuestionRow(1, 0, 6, 3, 6_000, 3)]
    groups = [group(1, 0, 42, 2, 2), group(1, 0, 39, 1, 1), group(1, 0, 100, 1), group(1, 0, 5.5, 2)]
    q = stats_of([SLIDER], rows, groups)[0]
    counts = {d["label"]: (d["count"], d["correct"]) for d in q["distribution"]}
    assert len(q["distribution"]) == 10
    assert counts["30–40"] == (1, True) and counts["40–50"] == (2, True)  # 37..47 is right
    assert counts["90–100"] == (1, False) and counts["0–10"] == (2, False)
    assert counts["50–60"] == (0, False)


def test_ordering_counts_right_partly_right_and_wrong() -> None:
    rows = [QuestionRow(1, 0, 6, 2, 6_000, 2)]
    groups = [group(1, 0, ["a", "b"], 2, 2), group(1, 0, ["b", "a"], 4, 0, 1)]
    q = stats_of([ORDERING], rows, groups)[0]
    assert q["distribution"] == [
        {"label": "correct", "count": 2, "correct": True},
        {"label": "partial", "count": 1, "correct": False},
        {"label": "wrong", "count": 3, "correct": False},
    ]
    assert q["distractors"] == [] and q["flags"] == []


def test_a_question_edited_between_games_is_another_item() -> None:
    before = {"kind": "true_false", "text": "The sky is green", "correct": False}
    after = {"kind": "true_false", "text": "The sky is blue", "correct": True}
    games = [game(1, 3), game(2, 2)]
    snapshots = {1: ({"questions": [before]}, {}), 2: ({"questions": [after]}, {})}
    rows = [QuestionRow(1, 0, 3, 1, 3_000, 0), QuestionRow(2, 0, 2, 2, 2_000, 0)]
    groups = [group(1, 0, False, 1, 1), group(1, 0, True, 2), group(2, 0, True, 2, 2)]
    versions = reports.versions(games, snapshots)
    assert sorted(len(ids) for ids in versions.values()) == [1, 1]
    found = reports.quiz_questions(games, snapshots, rows, groups, {})
    by_text = {s["text"]: s for s in found}
    assert (by_text["The sky is green"]["given"], by_text["The sky is green"]["correct"]) == (3, 1)
    assert (by_text["The sky is blue"]["given"], by_text["The sky is blue"]["correct"]) == (2, 2)
    assert [s["text"] for s in found] == ["The sky is green", "The sky is blue"]  # hardest first
