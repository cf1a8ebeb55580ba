"""A duel's bot opponent (pure): how well and how fast it answers, scaled to the rating of the player
it faces, and its answer to one question, drawn from a seeded generator so that any owner (a new one
after a failover too) plays the same bot the same way."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from rooms.core.questions import Kind, Question

MIN_DELAY_MS = 600  # nobody reads and answers faster
DELAY_SPREAD = 0.35  # sigma of the log-normal response time around its median


@dataclass(frozen=True, slots=True)
class BotTuning:
    """The bot's accuracy and median response time (a share of the question's time limit) at the
    two ends of the rating scale; ratings in between are interpolated, outside it clamped."""

    low_rating: int = 800
    high_rating: int = 2000
    low_accuracy: float = 0.45
    high_accuracy: float = 0.92
    low_speed: float = 0.55  # median response time / time limit for a weak player's bot
    high_speed: float = 0.2


@dataclass(frozen=True, slots=True)
class BotSkill:
    """How likely the bot is to be right, and its median response time as a share of the limit."""

    accuracy: float
    speed: float


@dataclass(frozen=True, slots=True)
class BotMove:
    """The bot's answer to one question (a raw JSON answer, as a client would send it) and when:
    `delay_ms` after answers open."""

    answer: Any
    delay_ms: int


def skill_for(rating: int, tuning: BotTuning = BotTuning()) -> BotSkill:
    span = tuning.high_rating - tuning.low_rating
    share = min(1.0, max(0.0, (rating - tuning.low_rating) / span))
    return BotSkill(
        accuracy=tuning.low_accuracy + share * (tuning.high_accuracy - tuning.low_accuracy),
        speed=tuning.low_speed + share * (tuning.high_speed - tuning.low_speed),
    )


def bot_move(question: Question, skill: BotSkill, seed: str) -> BotMove:
    """The bot's move on `question`; the same seed always gives the same move."""
    rng = random.Random(seed)
    right = rng.random() < skill.accuracy
    median = skill.speed * question.time_limit_ms
    delay = median * math.exp(rng.gauss(0.0, DELAY_SPREAD))
    delay = min(max(delay, MIN_DELAY_MS), question.time_limit_ms - 250)
    return BotMove(_answer(question, right, rng), round(delay))


def _answer(question: Question, right: bool, rng: random.Random) -> Any:
    ids = list(question.option_ids)
    correct = list(question.correct_option_ids)
    wrong = [i for i in ids if i not in correct]
    match question.kind:
        case Kind.SINGLE:
            return correct[0] if right or not wrong else rng.choice(wrong)
        case Kind.MULTIPLE:
            if right or not wrong:
                return correct
            return [*correct[:-1], rng.choice(wrong)]
        case Kind.TRUE_FALSE:
            return bool(question.correct) if right else not question.correct
        case Kind.TYPE:
            return question.accepted[0] if right and question.accepted else "?"
        case Kind.SLIDER:
            return _slider(question, right, rng)
        case Kind.ORDERING:
            return ids if right or len(ids) < 2 else ids[::-1]
        case Kind.POLL:
            return rng.choice(ids)
    raise ValueError(f"a bot cannot answer a {question.kind} question")


def _slider(question: Question, right: bool, rng: random.Random) -> float:
    correct = float(question.correct or 0)
    low = question.min if question.min is not None else correct
    high = question.max if question.max is not None else correct
    if right:
        return correct
    miss = 2 * question.tolerance + (question.step or 1)  # past twice the tolerance: no credit
    guess = correct + miss if rng.random() < 0.5 else correct - miss
    if not low <= guess <= high:
        guess = correct - miss if guess > high else correct + miss
    return min(max(guess, low), high)
