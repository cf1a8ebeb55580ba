"""Voids and accepted answers in any order, at any time: the final scores, ranks and per-answer points
depend only on which questions were voided and which answers were accepted, every total is the sum
of its answers' points, ranks follow scores and times, and accepting an answer never costs anyone
points. Checked with hypothesis over random games played through the game core."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.core.game import Game
from rooms.core.ranking import rank
from rooms.core.settings import GameSettings
from rooms.core.state import Receipt, RoomState, StoredAnswer
from tests.rooms.quizzes import EVERY_KIND

NOW = 1_700_000_000_000
QUIZ: list[dict[str, Any]] = [q for q in EVERY_KIND if q["kind"] != "poll"]  # polls score nothing
ANSWERS: dict[str, st.SearchStrategy[Any]] = {
    "single": st.sampled_from(["R", "W"]),
    "multiple": st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3, unique=True),
    "slider": st.integers(0, 100),
    "ordering": st.permutations(["X", "Y", "Z"]),
    "true_false": st.booleans(),
    "type": st.sampled_from(["Paris", " paris ", "Lyon", "Rome"]),
}


@dataclass(frozen=True)
class Change:
    """A host's change after a reveal: void a question, or accept one more answer for it."""

    question: int
    accept: Any = None  # None: a void

    def apply(self, game: Game, stored: Sequence[dict[str, StoredAnswer]]) -> None:
        if self.accept is None:
            game.void(self.question, list(stored))
        else:
            game.accept(self.question, self.accept, list(stored))


@st.composite
def changes_after_reveals(draw: st.DrawFn) -> Change:
    question = draw(st.integers(0, len(QUIZ) - 1))
    if draw(st.booleans()):
        return Change(question)
    return Change(question, draw(ANSWERS[QUIZ[question]["kind"]]))


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    players = draw(st.integers(1, 5))
    rounds = [
        {
            player: (draw(ANSWERS[question["kind"]]), draw(st.integers(0, question["time_limit"] * 1000)))
            for player in range(players)
            if draw(st.booleans())
        }
        for question in QUIZ
    ]
    changes = draw(st.lists(changes_after_reveals(), max_size=5))
    return {
        "players": players,
        "rounds": rounds,
        "changes": changes,
        "mode": draw(st.sampled_from(["speed", "accuracy"])),
        "streak": draw(st.booleans()),
    }


def new_game(plan: dict[str, Any]) -> Game:
    return Game(
        RoomState(
            pin="123456",
            game_id=1,
            kind="quiz",
            title="T",
            settings=GameSettings(scoring=plan["mode"], streak=plan["streak"]),
            questions_doc=QUIZ,
            host_token_hash="",
            host_user_id=None,
            created_at_ms=NOW,
        )
    )


def play(plan: dict[str, Any], changes: Sequence[Change], when: Sequence[int] | None = None) -> Any:
    """Plays `plan`, making `changes` in this order, each after the reveal of question `when[i]` (by
    default all after the last reveal); returns the finished game's results."""
    when = [len(QUIZ) - 1] * len(changes) if when is None else when
    game = new_game(plan)
    ids = {number: game.join(f"P{number}", None, NOW).id for number in range(plan["players"])}
    game.start(NOW)
    stored: list[dict[str, StoredAnswer]] = []
    for index, answers in enumerate(plan["rounds"]):
        if index:
            game.next(NOW, stored)
        stored.append(
            {
                ids[player]: StoredAnswer(raw, Receipt(NOW, NOW + credited, None, credited))
                for player, (raw, credited) in answers.items()
            }
        )
        game.close(stored[-1])
        for change, at in zip(changes, when, strict=True):
            if at == index:
                change.apply(game, stored)
    return game.finish(NOW, stored).finished


def outcome(finished: Any) -> tuple[Any, ...]:
    """What a game's results say, by nickname (player ids are random per game)."""
    names = {p.player_id: p.nickname for p in finished.players}
    players = sorted((p.nickname, p.score, p.rank, p.correct_count) for p in finished.players)
    answers = sorted(
        (names[a.player_id], a.question, a.points, a.correct, a.streak) for a in finished.answers
    )
    return tuple(players), tuple(answers), tuple(sorted(finished.voided))


@settings(max_examples=150, deadline=None)
@given(plans(), st.randoms(use_true_random=False))
def test_the_order_of_voids_and_accepts_does_not_matter(plan: dict[str, Any], random: Any) -> None:
    shuffled = list(plan["changes"])
    random.shuffle(shuffled)
    assert outcome(play(plan, shuffled)) == outcome(play(plan, plan["changes"]))


@settings(max_examples=150, deadline=None)
@given(plans(), st.data())
def test_when_a_change_is_made_does_not_matter(plan: dict[str, Any], data: st.DataObject) -> None:
    """A change made right after its question's reveal, or any reveal later, ends the same."""
    when = [data.draw(st.integers(change.question, len(QUIZ) - 1)) for change in plan["changes"]]
    assert outcome(play(plan, plan["changes"], when)) == outcome(play(plan, plan["changes"]))


@settings(max_examples=150, deadline=None)
@given(plans())
def test_repeating_a_change_changes_nothing(plan: dict[str, Any]) -> None:
    once = outcome(play(plan, plan["changes"]))
    assert outcome(play(plan, [*plan["changes"], *plan["changes"]])) == once
    # Voiding a question after accepting answers for it is the same as only voiding it.
    voided = {change.question for change in plan["changes"] if change.accept is None}
    only_voids = [c for c in plan["changes"] if c.question not in voided or c.accept is None]
    assert outcome(play(plan, only_voids)) == once


@settings(max_examples=150, deadline=None)
@given(plans())
def test_totals_are_sums_and_ranks_follow_scores_and_times(plan: dict[str, Any]) -> None:
    finished = play(plan, plan["changes"])
    voided = set(finished.voided)
    assert voided == {change.question for change in plan["changes"] if change.accept is None}
    credited: dict[str, int] = {p.player_id: 0 for p in finished.players}
    for answer in finished.answers:
        assert answer.points >= 0
        if answer.question in voided:
            assert answer.points == 0
    for player in finished.players:
        mine = [a for a in finished.answers if a.player_id == player.player_id]
        assert player.score == sum(a.points for a in mine)
        assert player.correct_count == sum(a.correct for a in mine if a.question not in voided)
    # Tie-break time: the credited time of the player's answers to scored questions (not voided,
    # not polls); recomputed from the plan, the ranks must be what `rank` makes of them.
    by_name = {p.nickname: p.player_id for p in finished.players}
    for index, answers in enumerate(plan["rounds"]):
        if index in voided:
            continue
        for player, (_, time_ms) in answers.items():
            credited[by_name[f"P{player}"]] += time_ms
    expected = {
        s.player_id: s.rank
        for s in rank((p.player_id, p.score, credited[p.player_id]) for p in finished.players)
    }
    assert {p.player_id: p.rank for p in finished.players} == expected
    ordered = sorted(finished.players, key=lambda p: p.rank)
    assert all(a.score >= b.score for a, b in zip(ordered, ordered[1:], strict=False))

    def better(q: Any, p: Any) -> bool:
        return q.score > p.score or (q.score == p.score and credited[q.player_id] < credited[p.player_id])

    assert all(p.rank == 1 + sum(better(q, p) for q in finished.players) for p in finished.players)


@settings(max_examples=150, deadline=None)
@given(plans(), st.integers(0, len(QUIZ) - 1), st.data())
def test_accepting_an_answer_never_costs_anyone_points(
    plan: dict[str, Any], question: int, data: st.DataObject
) -> None:
    extra = Change(question, data.draw(ANSWERS[QUIZ[question]["kind"]]))
    before = {p.nickname: p.score for p in play(plan, plan["changes"]).players}
    after = {p.nickname: p.score for p in play(plan, [*plan["changes"], extra]).players}
    assert all(after[name] >= score for name, score in before.items())
