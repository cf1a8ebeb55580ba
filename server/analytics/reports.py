"""Analytics reports built from the aggregated rows of `AnalyticsRepository`: pure functions that
merge per-game aggregates into per-question statistics (across every session of a quiz in the
range), a player's record and a host's games."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from persistence.repositories.analytics import TIME_BUCKET_MS, AnswerGroup, GameRow, QuestionRow, SeatRow
from server.analytics.stats import OptionCount, analyse_item, mean, median_from_histogram, share

CHOICE_KINDS = {"single", "multiple", "poll"}
TOP_TYPED = 10
SLIDER_BUCKETS = 10
Snapshot = tuple[dict[str, Any], dict[str, Any]]  # a game's quiz snapshot and settings
ItemKey = tuple[int, str, str]  # index, kind, text: a question is the same item only when all agree


def item_key(index: int, question: Mapping[str, Any]) -> ItemKey:
    return index, str(question.get("kind", "")), str(question.get("text", ""))


def voided(settings: Mapping[str, Any]) -> set[int]:
    return {int(i) for i in settings.get("voided", []) if isinstance(i, int)}


def graded(question: Mapping[str, Any]) -> bool:
    """Whether a question has a right answer (polls have none)."""
    return question.get("kind") != "poll"


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def slider_ranges(question: Mapping[str, Any]) -> list[tuple[float, float]]:
    low, high = float(question.get("min", 0)), float(question.get("max", 100))
    width = (high - low) / SLIDER_BUCKETS or 1.0
    return [(low + k * width, low + (k + 1) * width) for k in range(SLIDER_BUCKETS)]


def _slider_label(lo: float, hi: float) -> str:
    return f"{_number(round(lo, 6))}–{_number(round(hi, 6))}"


def option_universe(question: Mapping[str, Any]) -> list[OptionCount]:
    """Every answer a question offers, with no count yet, in the written order."""
    kind = question.get("kind")
    if kind in CHOICE_KINDS:
        return [
            OptionCount(str(o.get("text", "")), 0, bool(o.get("correct")) and kind != "poll")
            for o in question.get("options", [])
        ]
    if kind == "true_false":
        key = bool(question.get("correct"))
        return [OptionCount("true", 0, key), OptionCount("false", 0, not key)]
    if kind == "slider":
        target, tolerance = float(question.get("correct", 0)), float(question.get("tolerance", 0))
        return [
            OptionCount(_slider_label(lo, hi), 0, lo <= target + tolerance and hi >= target - tolerance)
            for lo, hi in slider_ranges(question)
        ]
    if kind == "ordering":
        return [
            OptionCount("correct", 0, True),
            OptionCount("partial", 0, False),
            OptionCount("wrong", 0, False),
        ]
    return []


def answer_labels(question: Mapping[str, Any], group: AnswerGroup) -> list[tuple[str, int, bool]]:
    """What one group of identical answers counts towards: (label, count, correct) each."""
    kind, value = question.get("kind"), _decode(group.answer)
    if kind in CHOICE_KINDS:
        texts = {o.get("id"): str(o.get("text", "")) for o in question.get("options", [])}
        chosen = value if isinstance(value, list) else [value]
        keys = {o.get("id") for o in question.get("options", []) if o.get("correct")}
        return [(texts.get(item, str(item)), group.count, item in keys) for item in chosen]
    if kind == "true_false":
        return [("true" if value is True else "false", group.count, group.correct > 0)]
    if kind == "slider" and isinstance(value, int | float) and not isinstance(value, bool):
        ranges = slider_ranges(question)
        k = next((k for k, (_, hi) in enumerate(ranges) if value < hi), len(ranges) - 1)
        return [(_slider_label(*ranges[max(k, 0)]), group.count, group.correct > 0)]
    if kind == "ordering":
        wrong = group.count - group.correct - group.partial
        return [("correct", group.correct, True), ("partial", group.partial, False), ("wrong", wrong, False)]
    text = " ".join(str(value).split()).casefold()  # typed answers, as the reveal normalises them
    return [(text, group.count, group.correct > 0)]


@dataclass
class ItemTotals:
    """One question summed over the sessions that played it."""

    key: ItemKey
    question: dict[str, Any]
    games: int = 0
    given: int = 0
    attempts: int = 0
    correct: int = 0
    sum_ms: int = 0
    sum_t: int = 0
    sum_tt: int = 0
    sum_t_correct: int = 0
    options: dict[str, list[int]] = field(default_factory=dict)  # label -> [count, correct?]
    histogram: Counter[int] = field(default_factory=Counter)

    def count(self, label: str, n: int, correct: bool) -> None:
        held = self.options.setdefault(label, [0, 0])
        held[0] += n
        held[1] = held[1] or int(correct)

    def option_counts(self) -> list[OptionCount]:
        universe = option_universe(self.question)
        known = {o.label for o in universe}
        counts = [OptionCount(o.label, self.options.get(o.label, [0, 0])[0], o.correct) for o in universe]
        extra = [
            OptionCount(label, n, bool(c)) for label, (n, c) in self.options.items() if label not in known
        ]
        extra.sort(key=lambda o: -o.count)
        return counts + extra


def played_questions(questions: Iterable[QuestionRow]) -> dict[int, int]:
    """Per game, how many questions it got to: up to the last question anyone answered."""
    last: dict[int, int] = {}
    for row in questions:
        last[row.game_id] = max(last.get(row.game_id, -1), row.question)
    return {game: index + 1 for game, index in last.items()}


def merge_items(
    games: Sequence[GameRow],
    snapshots: Mapping[int, Snapshot],
    questions: Sequence[QuestionRow],
    groups: Sequence[AnswerGroup],
) -> dict[ItemKey, ItemTotals]:
    """Each distinct question (same index, kind and text) summed over every game that played it."""
    by_game = {g.id: g for g in games}
    played = played_questions(questions)
    items: dict[ItemKey, ItemTotals] = {}

    def item(game_id: int, index: int) -> ItemTotals | None:
        snapshot, settings = snapshots.get(game_id, ({}, {}))
        listed = snapshot.get("questions", [])
        if index >= len(listed) or index in voided(settings):
            return None
        key = item_key(index, listed[index])
        if key not in items:
            items[key] = ItemTotals(key, listed[index])
        return items[key]

    for game in games:  # newest last: the newest wording of an item's options wins
        for index in range(played.get(game.id, 0)):
            totals = item(game.id, index)
            if totals is not None:
                totals.question = snapshots[game.id][0]["questions"][index]
                totals.games += 1
                totals.given += game.seats
                totals.sum_t += game.sum_t
                totals.sum_tt += game.sum_tt
    for row in questions:
        totals = item(row.game_id, row.question) if row.game_id in by_game else None
        if totals is not None:
            totals.attempts += row.attempts
            totals.correct += row.correct
            totals.sum_ms += row.sum_credited_ms
            totals.sum_t_correct += row.sum_t_correct
    for group in groups:
        totals = item(group.game_id, group.question) if group.game_id in by_game else None
        if totals is not None:
            question = snapshots[group.game_id][0]["questions"][group.question]
            for label, n, correct in answer_labels(question, group):
                totals.count(label, n, correct)
    return items


def versions(
    games: Sequence[GameRow], snapshots: Mapping[int, Snapshot]
) -> dict[tuple[ItemKey, ...], set[int]]:
    """Games grouped by the questions they played (a quiz edited between games has several)."""
    out: dict[tuple[ItemKey, ...], set[int]] = defaultdict(set)
    for game in games:
        listed = snapshots.get(game.id, ({}, {}))[0].get("questions", [])
        out[tuple(item_key(i, q) for i, q in enumerate(listed))].add(game.id)
    return out


def question_stats(totals: ItemTotals) -> dict[str, Any]:
    kind = totals.key[1]
    options = totals.option_counts()
    is_graded = graded(totals.question)
    analysis = analyse_item(
        totals.given,
        totals.correct,
        totals.sum_t,
        totals.sum_tt,
        totals.sum_t_correct,
        [] if kind == "ordering" else options,
    )
    if kind == "type":  # typed answers: the accepted ones together are the key
        key = OptionCount("(accepted answers)", totals.correct, True)
        wrong = [o for o in options if not o.correct]
        analysis = analyse_item(
            totals.given, totals.correct, totals.sum_t, totals.sum_tt, totals.sum_t_correct, [key, *wrong]
        )
        options = sorted(options, key=lambda o: -o.count)[:TOP_TYPED]
    return {
        "index": totals.key[0],
        "kind": kind,
        "text": totals.key[2],
        "games": totals.games,
        "given": totals.given,
        "attempts": totals.attempts,
        "correct": totals.correct if is_graded else 0,
        "accuracy": share(totals.correct, totals.attempts) if is_graded else None,
        "difficulty": analysis.difficulty if is_graded else None,
        "discrimination": analysis.discrimination if is_graded else None,
        "average_ms": mean(totals.sum_ms, totals.attempts),
        "median_ms": median_from_histogram(totals.histogram, TIME_BUCKET_MS),
        "distribution": [{"label": o.label, "count": o.count, "correct": o.correct} for o in options],
        "distractors": [{"label": o.label, "count": o.count, "correct": False} for o in analysis.distractors]
        if is_graded
        else [],
        "flags": analysis.flags if is_graded else [],
    }


def hardest_first(stats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lowest difficulty first; questions with none (polls, never played) last, in quiz order."""
    return sorted(
        stats,
        key=lambda s: (
            s["difficulty"] is None,
            s["difficulty"] if s["difficulty"] is not None else 0,
            s["index"],
        ),
    )


def days_of(games: Sequence[GameRow]) -> list[dict[str, Any]]:
    """Games and players per UTC day on which any game ended."""
    per_day: dict[date, list[int]] = {}
    for game in games:
        held = per_day.setdefault(game.ended_at.date(), [0, 0])
        held[0] += 1
        held[1] += game.seats
    return [{"date": day, "games": n, "players": p} for day, (n, p) in sorted(per_day.items())]


def quiz_summary(
    games: Sequence[GameRow], snapshots: Mapping[int, Snapshot], questions: Sequence[QuestionRow]
) -> dict[str, Any]:
    played = played_questions(questions)
    seats = sum(g.seats for g in games)
    offered = answered = graded_answers = graded_correct = 0
    by_game = {g.id: g for g in games}
    for game in games:
        snapshot, settings = snapshots.get(game.id, ({}, {}))
        gone = voided(settings)
        counted = [i for i in range(played.get(game.id, 0)) if i not in gone]
        offered += game.seats * len(counted)
    for row in questions:
        if row.game_id not in by_game:
            continue
        snapshot, settings = snapshots.get(row.game_id, ({}, {}))
        listed = snapshot.get("questions", [])
        if row.question in voided(settings) or row.question >= len(listed):
            continue
        answered += row.attempts
        if graded(listed[row.question]):
            graded_answers += row.attempts
            graded_correct += row.correct
    return {
        "games": len(games),
        "players": seats,
        "average_score": mean(sum(g.sum_score for g in games), seats),
        "completion": share(answered, offered),
        "accuracy": share(graded_correct, graded_answers),
    }


def quiz_questions(
    games: Sequence[GameRow],
    snapshots: Mapping[int, Snapshot],
    questions: Sequence[QuestionRow],
    groups: Sequence[AnswerGroup],
    histograms: Mapping[tuple[ItemKey, ...], Mapping[int, Mapping[int, int]]],
) -> list[dict[str, Any]]:
    """Per-question statistics, hardest first. `histograms` holds, per version of the quiz (see
    `versions`), the response-time histogram of each question index."""
    items = merge_items(games, snapshots, questions, groups)
    for version, per_index in histograms.items():
        for index, buckets in per_index.items():
            if index < len(version) and version[index] in items:
                items[version[index]].histogram.update(buckets)
    return hardest_first([question_stats(totals) for totals in items.values()])


# ---- a player ---------------------------------------------------------------------------------------


def player_report(
    seats: Sequence[SeatRow],
    snapshots: Mapping[int, Snapshot],
    questions: Sequence[QuestionRow],
    tags: Mapping[int, list[str]],
    xp: Sequence[tuple[date, int]],
) -> dict[str, Any]:
    """A player's games (newest first), accuracy and response time over scored questions, accuracy
    per quiz tag with the strongest and weakest, and XP per day."""
    scored: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # game -> answers, correct, Σ ms
    for row in questions:
        snapshot, settings = snapshots.get(row.game_id, ({}, {}))
        listed = snapshot.get("questions", [])
        if (
            row.question in voided(settings)
            or row.question >= len(listed)
            or not graded(listed[row.question])
        ):
            continue
        held = scored[row.game_id]
        held[0] += row.attempts
        held[1] += row.correct
        held[2] += row.sum_credited_ms
    answers = sum(v[0] for v in scored.values())
    correct = sum(v[1] for v in scored.values())
    by_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    games = []
    for seat in seats:
        got = scored.get(seat.game_id, [0, 0, 0])
        games.append(
            {
                "game_id": seat.game_id,
                "quiz_id": seat.quiz_id,
                "title": seat.title,
                "ended_at": seat.ended_at,
                "score": seat.score,
                "rank": seat.rank,
                "players": seat.players,
                "answered": got[0],
                "correct": got[1],
            }
        )
    for game_id in {seat.game_id: None for seat in seats}:
        quiz = next(s.quiz_id for s in seats if s.game_id == game_id)
        got = scored.get(game_id, [0, 0, 0])
        for tag in tags.get(quiz, []) if quiz is not None else []:
            by_tag[tag][0] += got[0]
            by_tag[tag][1] += got[1]
    ordered = sorted(
        ((share(c, n) or 0.0, n, c, tag) for tag, (n, c) in by_tag.items() if n),
        key=lambda t: (-t[0], -t[1], t[3]),
    )
    tag_stats = [{"tag": tag, "answers": n, "correct": c, "accuracy": acc} for acc, n, c, tag in ordered]
    strong = min(3, math.ceil(len(tag_stats) / 2))
    weak = min(3, len(tag_stats) // 2)
    return {
        "summary": {
            "games": len({seat.game_id for seat in seats}),
            "answers": answers,
            "correct": correct,
            "accuracy": share(correct, answers),
            "average_ms": mean(sum(v[2] for v in scored.values()), answers),
            "xp": sum(amount for _, amount in xp),
        },
        "games": games[::-1],
        "xp": [{"date": day, "xp": amount} for day, amount in xp],
        "tags": tag_stats,
        "strongest": [t["tag"] for t in tag_stats[:strong]],
        "weakest": [t["tag"] for t in tag_stats[::-1][:weak]],
    }


# ---- a host -----------------------------------------------------------------------------------------


def host_report(games: Sequence[GameRow]) -> dict[str, Any]:
    """A host's games over time: per day, per quiz (most played first) and each game (newest first)."""
    seats = sum(g.seats for g in games)
    quizzes: dict[int | None, dict[str, Any]] = {}
    for game in games:
        held = quizzes.setdefault(
            game.quiz_id, {"quiz_id": game.quiz_id, "title": game.title, "games": 0, "players": 0, "score": 0}
        )
        held["title"] = game.title  # the newest title
        held["games"] += 1
        held["players"] += game.seats
        held["score"] += game.sum_score
    per_quiz = [
        {**{k: v for k, v in q.items() if k != "score"}, "average_score": mean(q["score"], q["players"])}
        for q in quizzes.values()
    ]
    per_quiz.sort(key=lambda q: (-q["games"], -q["players"], q["title"]))
    return {
        "summary": {
            "games": len(games),
            "players": seats,
            "average_score": mean(sum(g.sum_score for g in games), seats),
        },
        "days": days_of(games),
        "quizzes": per_quiz,
        "games": [
            {
                "id": g.id,
                "quiz_id": g.quiz_id,
                "title": g.title,
                "ended_at": g.ended_at,
                "players": g.seats,
                "average_score": mean(g.sum_score, g.seats),
            }
            for g in reversed(games)
        ],
    }
