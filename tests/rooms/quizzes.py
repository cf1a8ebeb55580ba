"""Quizzes the room tests play: one question of every kind, with fixed option ids, as a game's
snapshot carries them."""

from __future__ import annotations

from typing import Any


def single(text: str = "?", points: int = 1000) -> dict[str, Any]:
    return {
        "kind": "single",
        "text": text,
        "time_limit": 20,
        "points": points,
        "options": [{"id": "R", "text": "right", "correct": True}, {"id": "W", "text": "wrong"}],
    }


EVERY_KIND: list[dict[str, Any]] = [
    single(),
    {
        "kind": "multiple",
        "text": "?",
        "time_limit": 10,
        "points": 2000,
        "options": [
            {"id": "A", "text": "a", "correct": True},
            {"id": "B", "text": "b", "correct": True},
            {"id": "C", "text": "c"},
        ],
    },
    {
        "kind": "slider",
        "text": "?",
        "time_limit": 30,
        "min": 0,
        "max": 100,
        "step": 1,
        "correct": 50,
        "tolerance": 10,
    },
    {
        "kind": "ordering",
        "text": "?",
        "time_limit": 20,
        "options": [{"id": "X", "text": "x"}, {"id": "Y", "text": "y"}, {"id": "Z", "text": "z"}],
    },
    {
        "kind": "poll",
        "text": "?",
        "time_limit": 20,
        "points": 0,
        "options": [{"id": "P", "text": "p"}, {"id": "Q", "text": "q"}],
    },
    {"kind": "true_false", "text": "?", "time_limit": 5, "points": 0, "correct": True},
    {"kind": "type", "text": "?", "time_limit": 60, "accepted": ["Paris"]},
]
