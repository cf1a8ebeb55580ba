"""The database side of the duel interfaces: ratings, a duel's questions (one quiz, any quiz, a
revenge of missed questions) and its game row (on SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from persistence.db import Database
from persistence.models import Game
from persistence.repositories.duels import PlayedGame
from rooms.core.settings import GameSettings
from rooms.duel.ports import DuelQuiz
from server.duels.sources import (
    DatabaseDuelGames,
    DatabaseDuelQuestions,
    DatabaseRatings,
    missed_questions,
    sample_in_order,
)
from server.results import ResultsWriter
from tests.gamedata import QUESTIONS, answer, finished, make_game, make_user, seat
from tests.test_duel_records import duel, new_duel, person

Signup = Callable[..., Awaitable[dict[str, str]]]


def question(text: str, kind: str = "single") -> dict[str, Any]:
    return {"kind": kind, "text": text}


# ---- missed questions, pure ----------------------------------------------------------------------


def test_missed_questions_are_wrong_or_skipped_ones_newest_game_first() -> None:
    older = PlayedGame([question("a"), question("b"), question("c")], answers={0: False, 2: True})
    newer = PlayedGame(
        [question("d"), question("poll", "poll"), question("a"), question("e"), question("f")],
        voided={3},
        answers={0: False, 1: False, 2: False, 3: False},  # f was never put to them: nothing after it
    )
    texts = [q["text"] for q in missed_questions([newer, older], 10)]
    assert texts == ["d", "a", "b"]  # a once; b skipped before c was answered; no poll, no voided e
    assert [q["text"] for q in missed_questions([newer, older], 2)] == ["d", "a"]
    assert missed_questions([newer], 0) == []


def test_a_question_got_right_later_is_no_longer_missed() -> None:
    older = PlayedGame([question("a"), question("b")], answers={0: False, 1: False})
    newer = PlayedGame([question("a")], answers={0: True})
    assert [q["text"] for q in missed_questions([newer, older], 10)] == ["b"]


def test_a_sample_keeps_the_quizs_order() -> None:
    questions = [question(str(n)) for n in range(10)]
    picked = sample_in_order(questions, 4, random.Random(7))
    assert len(picked) == 4 and picked == sorted(picked, key=lambda q: int(q["text"]))
    assert sample_in_order(questions[:3], 4, random.Random(7)) == questions[:3]


# ---- against the database ------------------------------------------------------------------------


async def create_quiz(
    client: httpx.AsyncClient, headers: dict[str, str], title: str, count: int, published: bool = True
) -> int:
    document = {
        "title": title,
        "published": published,
        "questions": [
            {
                "kind": "single",
                "text": f"{title} {n}?",
                "options": [{"text": "yes", "correct": True}, {"text": "no", "correct": False}],
            }
            for n in range(count)
        ],
    }
    response = await client.post("/quizzes", json=document, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_ratings_start_at_1200_and_follow_rated_duels(db: Database) -> None:
    alice, bob = await make_user(db, "alice"), await make_user(db, "bob")
    ratings = DatabaseRatings(db)
    assert await ratings.rating(alice) == 1200
    await ResultsWriter(db).write(
        duel(await new_duel(db), person("al", alice, 9, 1), person("bo", bob, 1, 2), "al")
    )
    assert (await ratings.rating(alice), await ratings.rating(bob)) == (1216, 1184)


async def test_pick_plays_a_published_quiz_with_fresh_option_ids(
    client: httpx.AsyncClient, signup: Signup, db: Database
) -> None:
    headers = await signup("hana")
    capitals = await create_quiz(client, headers, "Capitals", 8)
    draft = await create_quiz(client, headers, "Draft", 3, published=False)
    source = DatabaseDuelQuestions(db, random.Random(1))
    quiz = await source.pick(capitals, 5)
    assert quiz is not None and (quiz.quiz_id, quiz.title, len(quiz.questions)) == (capitals, "Capitals", 5)
    texts = [q["text"] for q in quiz.questions]
    assert texts == sorted(texts, key=lambda text: int(text.split()[1][:-1]))
    first = quiz.questions[0]
    assert "id" not in first and [o["correct"] for o in first["options"]] == [True, False]
    again = await source.pick(capitals, 8)
    assert again is not None and {o["id"] for o in again.questions[0]["options"]}.isdisjoint(
        {o["id"] for q in quiz.questions for o in q["options"]}
    )
    assert await source.pick(draft, 5) is None and await source.pick(424242, 5) is None
    anything = await source.pick(None, 5)
    assert anything is not None and anything.quiz_id == capitals  # the only published one


async def test_pick_any_without_a_published_quiz_is_none(db: Database) -> None:
    assert await DatabaseDuelQuestions(db).pick(None, 5) is None


async def test_revenge_draws_on_the_players_wrong_answers(db: Database) -> None:
    alice = await make_user(db, "alice")
    source = DatabaseDuelQuestions(db)
    assert await source.missed(alice, 5) is None  # nothing played yet
    game = finished(
        await make_game(db),
        [seat("al", alice, 900, 1), seat("gu", None, 0, 2)],
        [answer("al", 0, True), answer("al", 1, False), answer("al", 3, False), answer("gu", 2, False)],
    )
    await ResultsWriter(db).write(game)
    quiz = await source.missed(alice, 5)
    assert quiz is not None and (quiz.quiz_id, quiz.title) == (None, "Revenge")
    assert [q["text"] for q in quiz.questions] == [QUESTIONS[1]["text"], QUESTIONS[2]["text"]]  # not the poll
    assert {o["id"] for o in quiz.questions[0]["options"]}.isdisjoint({"p2", "p3", "p4"})


async def test_a_duel_game_row_is_live_hostless_and_keeps_its_questions(db: Database) -> None:
    game_id = await DatabaseDuelGames(db).record(
        "654321", DuelQuiz(None, "Revenge", QUESTIONS), GameSettings()
    )
    async with db.uow() as uow:
        row = await uow.session.get(Game, game_id)
        assert row is not None
        assert (row.kind, row.pin, row.status, row.host_id, row.quiz_id) == (
            "duel",
            "654321",
            "live",
            None,
            None,
        )
        assert row.quiz_snapshot == {"title": "Revenge", "quiz_id": None, "questions": QUESTIONS}
        assert row.settings == GameSettings().as_dict()
