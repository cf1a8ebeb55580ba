"""What duels need from outside the rooms, as small interfaces: players' ratings, a duel's questions
and its game row. `server/` wires the database-backed implementations; the in-memory ones here serve
the tests and a node without a database. Nothing here knows SQL."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rooms.core.settings import GameSettings

GUEST_RATING = 1200  # a guest's rating, and a new account's
DUEL_QUESTIONS = 5  # questions in a duel


@dataclass(frozen=True, slots=True)
class DuelQuiz:
    """The questions a duel plays: a game snapshot's questions (option ids set, correct answers in)."""

    quiz_id: int | None  # None for a revenge duel built from several quizzes
    title: str
    questions: list[dict[str, Any]]


class RatingSource(Protocol):
    """A signed-in player's duel rating (guests play at `GUEST_RATING` and are never rated)."""

    async def rating(self, user_id: int) -> int: ...


class DuelQuestions(Protocol):
    """Where a duel's questions come from."""

    async def pick(self, quiz_id: int | None, limit: int) -> DuelQuiz | None:
        """Up to `limit` questions of the published quiz `quiz_id`, or of any published quiz with
        questions when `quiz_id` is None; None when there is no such quiz."""
        ...

    async def missed(self, user_id: int, limit: int) -> DuelQuiz | None:
        """A revenge duel: up to `limit` questions this user answered wrong (or not at all) in earlier
        games and duels; None when there are none."""
        ...


class DuelGames(Protocol):
    """The duel's game row, committed before its room opens (as `POST /games` does for a live game)."""

    async def record(self, pin: str, quiz: DuelQuiz, settings: GameSettings) -> int:
        """Commit a `duel` game row (status `live`, no host) under `pin`; its id."""
        ...

    async def record_many(self, duels: Sequence[tuple[str, DuelQuiz]], settings: GameSettings) -> list[int]:
        """`record` for several duels (PIN, quiz) at once, in one transaction; their ids in order."""
        ...


class MemoryRatings:
    """Ratings by user id, `GUEST_RATING` for anyone not listed."""

    def __init__(self, ratings: dict[int, int] | None = None):
        self.ratings = dict(ratings or {})

    async def rating(self, user_id: int) -> int:
        return self.ratings.get(user_id, GUEST_RATING)


class MemoryDuelQuestions:
    """Published quizzes held in memory (id -> `DuelQuiz`), and each user's missed questions."""

    def __init__(self, quizzes: dict[int, DuelQuiz], missed: dict[int, list[dict[str, Any]]] | None = None):
        self.quizzes = quizzes
        self.missed_questions = dict(missed or {})

    async def pick(self, quiz_id: int | None, limit: int) -> DuelQuiz | None:
        quiz = self.quizzes.get(quiz_id) if quiz_id is not None else next(iter(self.quizzes.values()), None)
        if quiz is None or not quiz.questions:
            return None
        return DuelQuiz(quiz.quiz_id, quiz.title, quiz.questions[:limit])

    async def missed(self, user_id: int, limit: int) -> DuelQuiz | None:
        questions = self.missed_questions.get(user_id, [])[:limit]
        return DuelQuiz(None, "Revenge", questions) if questions else None


class MemoryDuelGames:
    """Game ids counted up in memory; what was recorded, for tests to look at."""

    def __init__(self, first_id: int = 1):
        self._ids = itertools.count(first_id)
        self.recorded: dict[int, tuple[str, DuelQuiz]] = {}

    async def record(self, pin: str, quiz: DuelQuiz, settings: GameSettings) -> int:
        game_id = next(self._ids)
        self.recorded[game_id] = (pin, quiz)
        return game_id

    async def record_many(self, duels: Sequence[tuple[str, DuelQuiz]], settings: GameSettings) -> list[int]:
        return [await self.record(pin, quiz, settings) for pin, quiz in duels]
