"""Integrity hints for a game's host: answers that came faster than anyone can read, and pairs of
players whose answers and timings are near-identical across the game. Hints only, for a person to
look at: nothing here bans, kicks or changes a score.

Bursts of joins from one address are not checked: a seat does not record the address it joined
from (nor when it joined), so the data for that hint does not exist."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FAST_MS = 250  # an answer sent this soon after the question reached the player
PAIR_GAP_MS = 300  # two answers this close in reaction time count as "at the same moment"
PAIR_SHARE = 0.9  # of the questions both answered, this share the same answer at the same moment
PAIR_MIN_SHARED = 4  # and at least this many such questions
PAIR_MAX_PLAYERS = 500  # past this, the pair check is skipped (its cost grows with pairs)
JOIN_BURSTS_NOTE = "join addresses are not recorded, so bursts of joins from one address are not checked"


@dataclass(frozen=True, slots=True)
class TimedAnswer:
    """One answer with its receipt: `answer` is its canonical JSON text."""

    player: str
    question: int
    answer: str
    correct: bool
    sent_ms: int
    received_ms: int
    rtt_ms: int | None


def reaction_ms(answer: TimedAnswer) -> int:
    """How long after the question reached the player they sent the answer: the time between the
    node sending the question and receiving the answer, less one round trip (half each way)."""
    return max(0, answer.received_ms - answer.sent_ms - (answer.rtt_ms or 0))


@dataclass(frozen=True, slots=True)
class FastAnswer:
    player: str
    question: int
    reaction_ms: int


def fast_answers(answers: Iterable[TimedAnswer], threshold_ms: int = FAST_MS) -> list[FastAnswer]:
    """Answers sent under `threshold_ms` after the question arrived, by player then question."""
    found = [FastAnswer(a.player, a.question, reaction_ms(a)) for a in answers]
    return sorted((f for f in found if f.reaction_ms < threshold_ms), key=lambda f: (f.player, f.question))


@dataclass(frozen=True, slots=True)
class SimilarPair:
    """Two players who gave the same answer at about the same moment on most questions."""

    first: str
    second: str
    shared: int  # questions both answered
    matching: int  # of those, the same answer within PAIR_GAP_MS of each other
    identical_wrong: int  # of the matching, wrong for both (the stronger sign)
    median_gap_ms: float


def similar_pairs(
    answers: Sequence[TimedAnswer],
    gap_ms: int = PAIR_GAP_MS,
    min_share: float = PAIR_SHARE,
    min_shared: int = PAIR_MIN_SHARED,
) -> list[SimilarPair]:
    """Pairs whose answers match (same answer, reaction times within `gap_ms`) on at least
    `min_shared` questions and on `min_share` of the questions both answered; most matching first.

    Candidates come from a sliding window over each question's answers sorted by reaction time, so
    only pairs that matched somewhere are ever counted (not every pair of the room)."""
    by_question: dict[int, list[tuple[int, str, str, bool]]] = defaultdict(list)
    answered: dict[str, set[int]] = defaultdict(set)
    for a in answers:
        by_question[a.question].append((reaction_ms(a), a.player, a.answer, a.correct))
        answered[a.player].add(a.question)
    matches: dict[tuple[str, str], list[tuple[int, bool]]] = defaultdict(list)  # -> (gap, correct)
    for given in by_question.values():
        by_answer: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)
        for reaction, player, answer, correct in given:
            by_answer[answer].append((reaction, player, correct))
        for group in by_answer.values():
            group.sort()
            start = 0
            for end, (reaction, player, correct) in enumerate(group):
                while group[start][0] < reaction - gap_ms:
                    start += 1
                for other_reaction, other, other_correct in group[start:end]:
                    pair = (player, other) if player < other else (other, player)
                    matches[pair].append((reaction - other_reaction, correct or other_correct))
    found = []
    for (first, second), matched in matches.items():
        if len(matched) < min_shared:
            continue
        shared = len(answered[first] & answered[second])
        if len(matched) < min_share * shared:
            continue
        found.append(
            SimilarPair(
                first,
                second,
                shared,
                len(matched),
                sum(1 for _, correct in matched if not correct),
                float(statistics.median(gap for gap, _ in matched)),
            )
        )
    found.sort(key=lambda p: (-p.matching, -p.identical_wrong, p.median_gap_ms, p.first, p.second))
    return found
