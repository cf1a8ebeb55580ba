"""Analytics reports as CSV tables: each list in a report is one table with a header row. Text
cells that a spreadsheet would run as a formula get a leading `'`, as in the game export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from server.quiz_csv import shield

QUESTION_COLUMNS = (
    "index",
    "kind",
    "text",
    "games",
    "given",
    "attempts",
    "correct",
    "accuracy",
    "difficulty",
    "discrimination",
    "average_ms",
    "median_ms",
    "top_distractor",
    "top_distractor_count",
    "flags",
)
OPTION_COLUMNS = ("index", "text", "label", "count", "correct")
TABLES: dict[str, Sequence[str]] = {
    "quiz.questions": QUESTION_COLUMNS,
    "quiz.options": OPTION_COLUMNS,
    "quiz.days": ("date", "games", "players"),
    "player.games": (
        "game_id",
        "quiz_id",
        "title",
        "ended_at",
        "score",
        "rank",
        "players",
        "answered",
        "correct",
    ),
    "player.tags": ("tag", "answers", "correct", "accuracy"),
    "player.xp": ("date", "xp"),
    "host.games": ("id", "quiz_id", "title", "ended_at", "players", "average_score"),
    "host.days": ("date", "games", "players"),
    "host.quizzes": ("quiz_id", "title", "games", "players", "average_score"),
}
TEXT_COLUMNS = {"text", "label", "title", "tag", "top_distractor"}


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value == value else ""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)
    text = str(value)
    return shield(text) if column in TEXT_COLUMNS else text


def rows_of(report: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """The rows of one table of a report (`quiz.options` flattens every question's distribution)."""
    area, name = table.split(".")
    if table == "quiz.questions":
        return [
            {
                **question,
                "top_distractor": question["distractors"][0]["label"] if question["distractors"] else None,
                "top_distractor_count": question["distractors"][0]["count"]
                if question["distractors"]
                else None,
            }
            for question in report["questions"]
        ]
    if table == "quiz.options":
        return [
            {"index": q["index"], "text": q["text"], **option}
            for q in sorted(report["questions"], key=lambda q: q["index"])
            for option in q["distribution"]
        ]
    return list(report[name])


def to_csv(report: dict[str, Any], table: str) -> str:
    columns = TABLES[table]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows_of(report, table):
        writer.writerow([_cell(column, row.get(column)) for column in columns])
    return out.getvalue()
