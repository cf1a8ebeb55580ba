"""The database side of what duels need (rooms/duel/ports.py): players' ratings, a duel's questions
(of one published quiz, of any, or for a revenge the questions a player missed before) and the
duel's game row.

A revenge duel looks at the player's most recent finished games and duels only (`REVENGE_GAMES`):
three small indexed queries whatever the length of their history, and the questions they missed
lately are the ones worth another try.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from persistence.db import Database
from persistence.models import Game
from persistence.repositories.duels import PlayedGame
from rooms.core.settings import GameSettings
from rooms.duel.ports import DuelQuiz
from server.duels.results import DUEL
from server.game_opening import playable_snapshot
from server.quiz_views import load_quiz_document

REVENGE_GAMES = 20  # how many of a player's latest games a revenge duel draws its questions from
REVENGE_TITLE = "Revenge"


def sample_in_order(
    questions: Sequence[dict[str, Any]], limit: int, rng: random.Random
) -> list[dict[str, Any]]:
    """Up to `limit` of `questions`, picked at random and kept in the quiz's order."""
    if len(questions) <= limit:
        return list(questions)
    return [questions[index] for index in sorted(rng.sample(range(len(questions)), limit))]


def duel_quiz(quiz_id: int | None, title: str, questions: Iterable[Mapping[str, Any]]) -> DuelQuiz:
    """The questions as a new game plays them: copies with fresh option ids (a game's ids are its
    own, PROTOCOL.md), made the way `POST /games` makes its snapshot."""
    snapshot = playable_snapshot({"title": title, "id": quiz_id, "questions": list(questions)})
    return DuelQuiz(quiz_id, title, snapshot["questions"])


def missed_questions(games: Iterable[PlayedGame], limit: int) -> list[Mapping[str, Any]]:
    """Up to `limit` questions the player missed, from the first game given (the newest) on: answered
    wrong, or left unanswered while they answered a later one (so it was put to them). Polls have no
    right answer and voided questions counted for no one. A question (by kind and text) is taken
    once, and not at all when the player got it right in a newer game: that revenge is had."""
    picked: list[Mapping[str, Any]] = []
    seen: set[tuple[Any, Any]] = set()
    if limit < 1:
        return picked
    for game in games:
        if not game.answers:
            continue
        last_answered = max(game.answers)
        for index, question in enumerate(game.questions[: last_answered + 1]):
            if question.get("kind") == "poll" or index in game.voided:
                continue
            key = (question.get("kind"), question.get("text"))
            if key in seen:
                continue
            seen.add(key)
            if not game.answers.get(index):
                picked.append(question)
            if len(picked) == limit:
                return picked
    return picked


class DatabaseRatings:
    """`RatingSource`: the rating in `duel_ratings`, the starting one before a first rated duel."""

    def __init__(self, database: Database):
        self.database = database

    async def rating(self, user_id: int) -> int:
        async with self.database.uow() as uow:
            return await uow.duels.rating_of(user_id)


class DatabaseDuelQuestions:
    """`DuelQuestions` over the quizzes and the answers tables. `rng` picks the quiz and the questions
    (tests pass a seeded one)."""

    def __init__(self, database: Database, rng: random.Random | None = None):
        self.database = database
        self.rng = rng or random.SystemRandom()

    async def pick(self, quiz_id: int | None, limit: int) -> DuelQuiz | None:
        async with self.database.uow() as uow:
            if quiz_id is None:
                quiz_id = await uow.duels.any_playable_quiz(self.rng)
                if quiz_id is None:
                    return None
            document = await load_quiz_document(uow, quiz_id)
        if document is None or not document.get("published") or not document["questions"]:
            return None
        return duel_quiz(quiz_id, document["title"], sample_in_order(document["questions"], limit, self.rng))

    async def missed(self, user_id: int, limit: int) -> DuelQuiz | None:
        async with self.database.uow() as uow:
            games = await uow.duels.recent_games(user_id, REVENGE_GAMES)
        questions = missed_questions(games, limit)
        return duel_quiz(None, REVENGE_TITLE, questions) if questions else None


class DatabaseDuelGames:
    """`DuelGames`: the duel's game row, committed before its room opens."""

    def __init__(self, database: Database):
        self.database = database

    async def record(self, pin: str, quiz: DuelQuiz, settings: GameSettings) -> int:
        (game_id,) = await self.record_many([(pin, quiz)], settings)
        return game_id

    async def record_many(self, duels: Sequence[tuple[str, DuelQuiz]], settings: GameSettings) -> list[int]:
        """Several duels' rows in one transaction: a matcher round opening 1,000 duels commits a
        handful of times instead of 1,000."""
        async with self.database.uow() as uow:
            games = [await uow.games.add(_duel_row(pin, quiz, settings)) for pin, quiz in duels]
            await uow.commit()
            return [game.id for game in games]


def _duel_row(pin: str, quiz: DuelQuiz, settings: GameSettings) -> Game:
    return Game(
        kind=DUEL,
        pin=pin,
        quiz_id=quiz.quiz_id,
        host_id=None,
        settings=settings.as_dict(),
        quiz_snapshot={"title": quiz.title, "quiz_id": quiz.quiz_id, "questions": quiz.questions},
        status="live",
    )
