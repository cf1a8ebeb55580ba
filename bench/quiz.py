"""The benchmark quiz, shared by both targets so their `question` frames match in shape and size.

QuizArena gets it as a quiz document over REST; the baseline builds its frames from the same texts.
"""

from __future__ import annotations

from typing import Any

import orjson

OPTION_TEXTS = ("Mercury", "Venus", "Earth", "Mars")
TIME_LIMIT_S = 20
POINTS = 1000
PROMPT = "Which planet is closest to the Sun?"


def question_text(index: int) -> str:
    return f"Q{index + 1}. {PROMPT}"


def quiz_document(count: int) -> dict[str, Any]:
    """`POST /quizzes` body: `count` single-choice questions, the first option correct."""
    questions = [
        {
            "kind": "single",
            "text": question_text(index),
            "time_limit": TIME_LIMIT_S,
            "points": POINTS,
            "options": [{"text": text, "correct": n == 0} for n, text in enumerate(OPTION_TEXTS)],
        }
        for index in range(count)
    ]
    return {"title": "Bench quiz", "description": "", "tags": ["bench"], "published": False,
            "questions": questions}


def option_ids(index: int) -> list[str]:
    """The baseline's option ids for question `index`: opaque 8-character strings like QuizArena's."""
    return [f"q{index:03d}o{n:03d}" for n in range(len(OPTION_TEXTS))]


def question_frame(index: int, total: int, seq: int, now_ms: int) -> str:
    """A `question` frame with QuizArena's fields, in QuizArena's order."""
    frame = {
        "type": "question",
        "seq": seq,
        "question": index,
        "total": total,
        "read_time_ms": 0,
        "server_time": now_ms,
        "kind": "single",
        "text": question_text(index),
        "time_limit_ms": TIME_LIMIT_S * 1000,
        "points": POINTS,
        "options": [
            {"id": oid, "text": text} for oid, text in zip(option_ids(index), OPTION_TEXTS, strict=True)
        ],
    }
    return orjson.dumps(frame).decode()
