"""Scoring as pure functions (DESIGN.md "Scoring"): credited time, points, streaks, the game's tallies.

`grade` (how correct an answer is) lives in `rooms.core.grading` and is importable from here too.

`apply_question` folds one closed question into every player's tally; `replay` folds them all
again from the stored answers, which is how a void or an accepted answer after the reveal
recomputes scores, streaks and tie-break times.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from rooms.core.grading import grade
from rooms.core.questions import Kind, Question
from rooms.core.types import Answer, PlayerId

__all__ = [
    "AnswerRecord",
    "PlayerTally",
    "QuestionResult",
    "ScoringMode",
    "ScoringSettings",
    "apply_question",
    "credited_ms",
    "fold",
    "grade",
    "is_in_time",
    "is_too_early",
    "question_points",
    "replay",
    "score_answer",
    "streak_bonus",
]

MAX_RTT_ALLOWANCE_MS = 300
FULL_POINTS_WITHIN_MS = 500
STREAK_BONUS_STEP = 100
STREAK_BONUS_MAX_STEPS = 5

ScoringMode = Literal["speed", "accuracy"]


# --- timing ---------------------------------------------------------------------------------------


def _raw_credited(received_ms: int, sent_ms: int, read_time_ms: int, rtt_ms: float | None) -> float:
    # A player who never answered a ping gets no allowance: we cannot tell a slow link from a claim.
    allowance = 0.0 if rtt_ms is None else min(max(rtt_ms, 0.0) / 2, MAX_RTT_ALLOWANCE_MS)
    return received_ms - (sent_ms + read_time_ms) - allowance


def credited_ms(
    received_ms: int, sent_ms: int, read_time_ms: int, rtt_ms: float | None, limit_ms: int
) -> int:
    """The answer time a player is credited with: from when answers opened for them, less half
    their round trip (at most 300 ms), clamped to 0..limit."""
    raw = _raw_credited(received_ms, sent_ms, read_time_ms, rtt_ms)
    return round(min(max(raw, 0.0), limit_ms))


def is_in_time(
    received_ms: int, sent_ms: int, read_time_ms: int, rtt_ms: float | None, limit_ms: int
) -> bool:
    """Whether the answer is accepted: its credited time, before clamping, is within the limit."""
    return _raw_credited(received_ms, sent_ms, read_time_ms, rtt_ms) <= limit_ms


def is_too_early(received_ms: int, sent_ms: int, read_time_ms: int) -> bool:
    """Whether the answer arrived during the read time, before answers opened for this player."""
    return received_ms < sent_ms + read_time_ms


# --- points ---------------------------------------------------------------------------------------


def question_points(points: int, fraction: float, credited_ms: int, limit_ms: int, mode: ScoringMode) -> int:
    """Points for one answer. Speed mode: `points * fraction`, scaled from all (under 0.5 s) down to
    half (at the limit); accuracy mode: `points * fraction` whatever the time. Never negative."""
    if limit_ms <= 0:
        raise ValueError(f"a time limit must be positive, got {limit_ms} ms")
    if mode not in ("speed", "accuracy"):
        raise ValueError(f"unknown scoring mode: {mode!r}")
    earned = max(0, points) * min(max(fraction, 0.0), 1.0)
    if mode == "accuracy" or credited_ms < FULL_POINTS_WITHIN_MS:
        return round(earned)
    elapsed = min(max(credited_ms, 0), limit_ms)
    return round(earned * (1 - elapsed / limit_ms / 2))


def streak_bonus(streak: int) -> int:
    """The bonus for a fully correct answer that makes `streak` in a row: 0, 100, ... up to 500."""
    return STREAK_BONUS_STEP * min(max(streak - 1, 0), STREAK_BONUS_MAX_STEPS)


# --- the fold over a game -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoringSettings:
    """The game settings that change scores: speed or accuracy mode, and whether streaks earn a bonus."""

    mode: ScoringMode = "speed"
    streak: bool = True

    def __post_init__(self) -> None:
        if self.mode not in ("speed", "accuracy"):
            raise ValueError(f"unknown scoring mode: {self.mode!r}")


@dataclass(frozen=True, slots=True)
class PlayerTally:
    """A player's running totals; `total_credited_ms` (scored questions answered) breaks score ties."""

    score: int = 0
    streak: int = 0
    total_credited_ms: int = 0
    correct_count: int = 0


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """A stored, accepted answer: the parsed answer and the credited time from its timing receipt."""

    answer: Answer
    credited_ms: int


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One player's outcome on one question; `points` includes the streak bonus and `streak` is
    the streak after it. `fraction` is None when nothing was graded (poll or voided question)."""

    correct: bool
    fraction: float | None
    points: int
    streak: int
    answered: bool


def apply_question(
    tallies: Mapping[PlayerId, PlayerTally],
    question: Question,
    answers: Mapping[PlayerId, AnswerRecord],
    settings: ScoringSettings,
    voided: bool = False,
    extra_accepted: Iterable[Answer] = (),
) -> tuple[dict[PlayerId, PlayerTally], dict[PlayerId, QuestionResult]]:
    """Fold one closed question into the tallies; every player in `tallies` or `answers` gets a result.

    Polls and voided questions score nothing and leave the streak and the tie-break time alone;
    a 0-point question is graded and counts for the streak, but pays no streak bonus.
    """
    extra = tuple(extra_accepted)
    new_tallies: dict[PlayerId, PlayerTally] = {}
    results: dict[PlayerId, QuestionResult] = {}
    for player_id in dict.fromkeys([*tallies, *answers]):
        tally = tallies.get(player_id, PlayerTally())
        record = answers.get(player_id)
        result = score_answer(tally.streak, question, record, settings, voided, extra)
        new_tallies[player_id], results[player_id] = fold(tally, result, record), result
    return new_tallies, results


def score_answer(
    streak: int,
    question: Question,
    record: AnswerRecord | None,
    settings: ScoringSettings,
    voided: bool = False,
    extra: tuple[Answer, ...] = (),
) -> QuestionResult:
    """One player's result on one question (`record` None: no answer), from their streak before it.
    It needs nothing else of the room, so a live room scores each answer as it arrives."""
    answered = record is not None
    if voided or question.kind is Kind.POLL:
        return QuestionResult(False, None, 0, streak, answered)
    if record is None:
        return QuestionResult(False, 0.0, 0, 0, False)
    fraction = grade(question, record.answer, extra) or 0.0
    fully = fraction >= 1.0
    streak = streak + 1 if fully else 0
    points = question_points(
        question.points, fraction, record.credited_ms, question.time_limit_ms, settings.mode
    )
    # A "no points" question counts for the streak like any other, but pays no bonus itself.
    if fully and settings.streak and question.points > 0:
        points += streak_bonus(streak)
    return QuestionResult(fully, fraction, points, streak, True)


def fold(tally: PlayerTally, result: QuestionResult, record: AnswerRecord | None) -> PlayerTally:
    """A tally after one question's result: a poll or a voided question (nothing graded) leaves it
    alone, a missed one ends the streak."""
    if result.fraction is None:
        return tally
    if record is None:
        return replace(tally, streak=0) if tally.streak else tally
    return PlayerTally(
        score=tally.score + result.points,
        streak=result.streak,
        total_credited_ms=tally.total_credited_ms + record.credited_ms,
        correct_count=tally.correct_count + int(result.correct),
    )


def replay(
    questions: Sequence[Question],
    answers_per_question: Sequence[Mapping[PlayerId, AnswerRecord]],
    settings: ScoringSettings,
    voided: Collection[int] = frozenset(),
    extra_accepted: Mapping[int, Iterable[Answer]] | None = None,
    players: Iterable[PlayerId] = (),
) -> tuple[dict[PlayerId, PlayerTally], list[dict[PlayerId, QuestionResult]]]:
    """Recompute every tally and result from the stored answers of the closed questions.

    `answers_per_question[i]` holds question i's answers, for as many questions as have closed;
    `players` adds those who never answered, so they still get a tally and results.
    """
    if len(answers_per_question) > len(questions):
        raise ValueError("more answered questions than questions")
    extra_accepted = extra_accepted or {}
    tallies: dict[PlayerId, PlayerTally] = {player_id: PlayerTally() for player_id in players}
    history: list[dict[PlayerId, QuestionResult]] = []
    for index, answers in enumerate(answers_per_question):
        tallies, results = apply_question(
            tallies, questions[index], answers, settings, index in voided, extra_accepted.get(index, ())
        )
        history.append(results)
    return tallies, history
