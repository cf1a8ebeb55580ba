"""A game's report as rows: one per player per question (unanswered questions included), with the
answer as given and as shown, whether it was correct, its points, the streak and the timing
receipt. The same rows make the JSON and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import orjson

from persistence.models import Answer, Game, GamePlayer
from server.quiz_csv import shield

COLUMNS = (
    "game_id",
    "player",
    "nickname",
    "user_id",
    "rank",
    "score",
    "question",
    "kind",
    "question_text",
    "answered",
    "answer",
    "answer_text",
    "correct",
    "points",
    "streak",
    "sent",
    "received",
    "rtt_ms",
    "credited_ms",
)
UNANSWERED: dict[str, Any] = {
    "answer": None,
    "answer_text": "",
    "correct": False,
    "points": 0,
    "streak": None,
    "sent": None,
    "received": None,
    "rtt_ms": None,
    "credited_ms": None,
}
TEXT_COLUMNS = {"nickname", "question_text", "answer", "answer_text"}  # free text: shielded in CSV


def answer_text(question: dict[str, Any], answer: Any) -> str:
    """The answer as the player saw it: option texts instead of the game's opaque option ids."""
    texts = {option.get("id"): option.get("text", "") for option in question.get("options", [])}
    if isinstance(answer, list):
        return "; ".join(str(texts.get(item, item)) for item in answer)
    if isinstance(answer, bool):
        return "true" if answer else "false"
    if isinstance(answer, str):
        return str(texts.get(answer, answer))
    return "" if answer is None else str(answer)


def _row(game: Game, player: GamePlayer, index: int, question: dict[str, Any], answer: Answer | None) -> dict:
    row: dict[str, Any] = {
        "game_id": game.id,
        "player": player.player_key,
        "nickname": player.nickname,
        "user_id": player.user_id,
        "rank": player.rank,
        "score": player.score,
        "question": index,
        "kind": question.get("kind"),
        "question_text": question.get("text", ""),
        "answered": answer is not None,
    }
    if answer is None:
        return row | UNANSWERED
    return row | {
        "answer": answer.answer,
        "answer_text": answer_text(question, answer.answer),
        "correct": answer.correct,
        "points": answer.points,
        "streak": answer.streak,
        "sent": answer.sent_ms,
        "received": answer.received_ms,
        "rtt_ms": answer.rtt_ms,
        "credited_ms": answer.credited_ms,
    }


def export_rows(game: Game, players: Sequence[GamePlayer], answers: Sequence[Answer]) -> list[dict[str, Any]]:
    """Every player (in rank order) by every question (in game order)."""
    questions = game.quiz_snapshot.get("questions", [])
    given = {(a.game_player_id, a.question_index): a for a in answers}
    return [
        _row(game, player, index, question, given.get((player.id, index)))
        for player in players
        for index, question in enumerate(questions)
    ]


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if column == "answer" and not isinstance(value, str):
        return orjson.dumps(value).decode()  # lists, numbers: as JSON
    text = str(value)
    return shield(text) if column in TEXT_COLUMNS else text


def export_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV with a header; text cells that a spreadsheet would run get a leading `'`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(column, row[column]) for column in COLUMNS])
    return out.getvalue()


def export_json(game: Game, rows: list[dict[str, Any]]) -> bytes:
    """`{"game": {...}, "rows": [...]}`: the game's summary (with the row keys in order) and the rows."""
    summary = {
        "id": game.id,
        "kind": game.kind,
        "title": game.quiz_snapshot.get("title", ""),
        "quiz_id": game.quiz_id,
        "host_id": game.host_id,
        "status": game.status,
        "started_at": game.started_at,
        "ended_at": game.ended_at,
        "columns": list(COLUMNS),
    }
    return orjson.dumps({"game": summary, "rows": rows}, option=orjson.OPT_UTC_Z | orjson.OPT_INDENT_2)
