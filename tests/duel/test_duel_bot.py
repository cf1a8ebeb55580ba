"""The bot (pure): its answers are well formed for every kind, right as often as its skill says, as
fast as its rating says, and the same for the same seed (a new owner plays it the same way)."""

from __future__ import annotations

import statistics

import pytest

from rooms.core.answers import parse_answer
from rooms.core.game import question_from_snapshot
from rooms.core.grading import grade
from rooms.duel.bot import MIN_DELAY_MS, BotSkill, BotTuning, bot_move, skill_for
from tests.rooms.quizzes import EVERY_KIND

QUESTIONS = [question_from_snapshot(doc) for doc in EVERY_KIND]


def test_skill_grows_with_the_rating_and_is_clamped_at_the_ends() -> None:
    tuning = BotTuning()
    weak, middle, strong = skill_for(800), skill_for(1400), skill_for(2000)
    assert weak.accuracy < middle.accuracy < strong.accuracy
    assert weak.speed > middle.speed > strong.speed  # a stronger bot answers sooner
    assert skill_for(100) == weak and skill_for(3000) == strong
    assert weak.accuracy == tuning.low_accuracy and strong.speed == tuning.high_speed


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.kind for q in QUESTIONS])
@pytest.mark.parametrize("accuracy", [0.0, 1.0])
def test_every_answer_is_valid_and_right_or_wrong_as_drawn(question, accuracy: float) -> None:  # noqa: ANN001
    for n in range(20):
        move = bot_move(question, BotSkill(accuracy, 0.3), f"seed-{n}")
        answer = parse_answer(question, move.answer)  # raises if the bot sent something malformed
        assert MIN_DELAY_MS <= move.delay_ms < question.time_limit_ms
        if question.kind != "poll":
            assert (grade(question, answer) == 1.0) is (accuracy == 1.0)


def test_the_same_seed_makes_the_same_move() -> None:
    skill = skill_for(1500)
    assert bot_move(QUESTIONS[0], skill, "room:bot:3") == bot_move(QUESTIONS[0], skill, "room:bot:3")


def test_accuracy_and_median_time_follow_the_skill_over_many_questions() -> None:
    skill, question = skill_for(1400), QUESTIONS[0]
    moves = [bot_move(question, skill, f"s{n}") for n in range(2000)]
    right = sum(1 for m in moves if m.answer == "R") / len(moves)
    assert abs(right - skill.accuracy) < 0.04
    median = statistics.median(m.delay_ms for m in moves)
    assert abs(median - skill.speed * question.time_limit_ms) < 0.05 * question.time_limit_ms
