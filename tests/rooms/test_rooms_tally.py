"""The fold of closed questions into player tallies: streaks, polls, voids and accepted answers."""

from __future__ import annotations

import pytest

from rooms.core.questions import Question, question_from_document
from rooms.core.scoring import (
    AnswerRecord,
    PlayerTally,
    QuestionResult,
    ScoringSettings,
    apply_question,
    replay,
)
from rooms.core.types import Answer, PlayerId

SPEED = ScoringSettings()


def single(points: int = 1000) -> Question:
    options = [{"text": "right", "correct": True}, {"text": "wrong"}]
    doc = {"kind": "single", "text": "?", "options": options, "points": points}
    return question_from_document(doc, option_ids=["R", "W"])


def multiple() -> Question:
    options = [{"text": "1", "correct": True}, {"text": "2", "correct": True}, {"text": "3"}]
    return question_from_document(
        {"kind": "multiple", "text": "?", "options": options}, option_ids=["A", "B", "C"]
    )


def poll() -> Question:
    options = [{"text": "yes"}, {"text": "no"}]
    return question_from_document({"kind": "poll", "text": "?", "options": options}, option_ids=["Y", "N"])


def typed() -> Question:
    return question_from_document({"kind": "type", "text": "Capital of France?", "accepted": ["Paris"]})


def answers(credited_ms: int = 0, **by_player: Answer) -> dict[PlayerId, AnswerRecord]:
    return {player: AnswerRecord(answer, credited_ms) for player, answer in by_player.items()}


def play(
    questions: list[Question], rounds: list[dict[PlayerId, AnswerRecord]], settings: ScoringSettings = SPEED
) -> tuple[dict[PlayerId, PlayerTally], list[dict[PlayerId, QuestionResult]]]:
    tallies: dict[PlayerId, PlayerTally] = {"p": PlayerTally()}
    history = []
    for question, round_answers in zip(questions, rounds, strict=True):
        tallies, results = apply_question(tallies, question, round_answers, settings)
        history.append(results)
    return tallies, history


def test_a_correct_answer_scores_by_speed_and_starts_a_streak() -> None:
    tallies, results = apply_question({"p": PlayerTally()}, single(), answers(5_000, p="R"), SPEED)
    assert results["p"] == QuestionResult(correct=True, fraction=1.0, points=875, streak=1, answered=True)
    assert tallies["p"] == PlayerTally(score=875, streak=1, total_credited_ms=5_000, correct_count=1)


def test_streak_bonus_grows_to_500_and_stays() -> None:
    tallies, history = play([single()] * 8, [answers(0, p="R")] * 8)
    assert [r["p"].points for r in history] == [1000, 1100, 1200, 1300, 1400, 1500, 1500, 1500]
    assert [r["p"].streak for r in history] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert tallies["p"].score == 10_500


def test_a_wrong_answer_resets_the_streak_and_scores_nothing() -> None:
    tallies, history = play(
        [single()] * 4, [answers(0, p="R"), answers(0, p="R"), answers(0, p="W"), answers(0, p="R")]
    )
    assert [r["p"].points for r in history] == [1000, 1100, 0, 1000]
    assert [r["p"].streak for r in history] == [1, 2, 0, 1]
    assert history[2]["p"] == QuestionResult(correct=False, fraction=0.0, points=0, streak=0, answered=True)
    assert tallies["p"].correct_count == 3


def test_a_partial_answer_earns_its_share_but_resets_the_streak_without_bonus() -> None:
    _, history = play(
        [single(), single(), multiple()], [answers(0, p="R"), answers(0, p="R"), answers(0, p=("A",))]
    )
    assert history[2]["p"] == QuestionResult(correct=False, fraction=0.5, points=500, streak=0, answered=True)


def test_a_missing_answer_resets_the_streak_and_still_gets_a_result() -> None:
    tallies, history = play([single(), single()], [answers(0, p="R"), {}])
    assert history[1]["p"] == QuestionResult(correct=False, fraction=0.0, points=0, streak=0, answered=False)
    assert tallies["p"] == PlayerTally(score=1000, streak=0, total_credited_ms=0, correct_count=1)


def test_a_poll_scores_nothing_and_leaves_the_streak_alone() -> None:
    tallies, history = play(
        [single(), poll(), single()], [answers(0, p="R"), answers(9_000, p="Y"), answers(0, p="R")]
    )
    assert history[1]["p"] == QuestionResult(correct=False, fraction=None, points=0, streak=1, answered=True)
    assert history[2]["p"].points == 1100  # the streak carried over the poll
    assert tallies["p"].total_credited_ms == 0  # poll time does not enter the tie-break


def test_not_answering_a_poll_also_keeps_the_streak() -> None:
    _, history = play([single(), poll(), single()], [answers(0, p="R"), {}, answers(0, p="R")])
    assert (history[1]["p"].answered, history[1]["p"].streak) == (False, 1)
    assert history[2]["p"].streak == 2


def test_without_the_streak_setting_there_is_no_bonus_but_the_streak_is_still_counted() -> None:
    settings = ScoringSettings(streak=False)
    _, history = play([single()] * 3, [answers(0, p="R")] * 3, settings)
    assert [r["p"].points for r in history] == [1000, 1000, 1000]
    assert history[2]["p"].streak == 3


def test_accuracy_mode_pays_full_points_whatever_the_time() -> None:
    settings = ScoringSettings(mode="accuracy")
    tallies, history = play([single()] * 2, [answers(19_000, p="R")] * 2, settings)
    assert [r["p"].points for r in history] == [1000, 1100]
    assert tallies["p"].total_credited_ms == 38_000  # speed still breaks ties


def test_a_no_points_question_counts_for_the_streak_but_pays_no_bonus() -> None:
    _, history = play([single(), single(points=0), single()], [answers(0, p="R")] * 3)
    assert [r["p"].points for r in history] == [1000, 0, 1200]
    assert [r["p"].streak for r in history] == [1, 2, 3]


def test_a_voided_question_scores_nothing_for_anyone_and_leaves_streaks_alone() -> None:
    before = {
        "p": PlayerTally(score=2100, streak=2, total_credited_ms=400, correct_count=2),
        "q": PlayerTally(),
    }
    tallies, results = apply_question(before, single(), answers(100, p="R", q="W"), SPEED, voided=True)
    assert tallies == before
    assert results["p"] == QuestionResult(correct=False, fraction=None, points=0, streak=2, answered=True)
    assert results["q"].streak == 0


def test_every_player_gets_a_result_including_answerers_without_a_tally() -> None:
    tallies, results = apply_question(
        {"a": PlayerTally(), "b": PlayerTally()}, single(), answers(0, c="R"), SPEED
    )
    assert set(results) == set(tallies) == {"a", "b", "c"}
    assert results["c"].points == 1000
    assert not results["a"].answered and not results["b"].answered


def test_apply_question_does_not_mutate_its_inputs() -> None:
    before = {"p": PlayerTally()}
    apply_question(before, single(), answers(0, p="R"), SPEED)
    assert before == {"p": PlayerTally()}


def test_replay_matches_the_incremental_fold() -> None:
    questions = [single(), multiple(), poll(), single()]
    rounds = [answers(1_000, p="R"), answers(2_000, p=("A", "B")), answers(0, p="N"), answers(3_000, p="W")]
    folded, history = play(questions, rounds)
    replayed, replayed_history = replay(questions, rounds, SPEED, players=["p"])
    assert replayed == folded
    assert replayed_history == history


def test_voiding_after_the_reveal_recomputes_scores_and_streaks() -> None:
    questions = [single(), single(), single()]
    rounds = [answers(0, p="R", q="R"), answers(0, p="W", q="R"), answers(0, p="R", q="R")]
    tallies, _ = replay(questions, rounds, SPEED)
    assert (tallies["p"].score, tallies["q"].score) == (2000, 3300)
    tallies, history = replay(questions, rounds, SPEED, voided={1})
    # Without question 1, p's streak was never broken: 1000 + 1100.
    assert (tallies["p"].score, tallies["q"].score) == (2100, 2100)
    assert history[1]["p"].points == 0 and history[1]["q"].points == 0
    assert history[2]["p"].streak == 2


def test_accepting_another_answer_after_the_reveal_recomputes_from_stored_answers() -> None:
    questions = [typed(), single()]
    rounds = [answers(5_000, p="Paname", q="Paris"), answers(0, p="R", q="R")]
    tallies, history = replay(questions, rounds, SPEED)
    assert (history[0]["p"].points, history[1]["p"].points, tallies["p"].score) == (0, 1000, 1000)
    tallies, history = replay(questions, rounds, SPEED, extra_accepted={0: ("paname",)})
    assert history[0]["p"] == QuestionResult(correct=True, fraction=1.0, points=875, streak=1, answered=True)
    assert history[1]["p"].points == 1100
    assert tallies["p"] == tallies["q"]


def test_replay_covers_listed_players_who_never_answered() -> None:
    tallies, history = replay([single(), single()], [answers(0, p="R"), {}], SPEED, players=["silent"])
    assert tallies["silent"] == PlayerTally()
    assert [r["silent"].answered for r in history] == [False, False]


def test_replay_folds_only_closed_questions() -> None:
    tallies, history = replay([single(), single(), single()], [answers(0, p="R")], SPEED)
    assert len(history) == 1
    assert tallies["p"].score == 1000


def test_replay_refuses_answers_for_questions_that_do_not_exist() -> None:
    with pytest.raises(ValueError, match="more answered questions"):
        replay([single()], [{}, {}], SPEED)


def test_scoring_settings_refuse_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="mode"):
        ScoringSettings(mode="fastest")  # type: ignore[arg-type]
