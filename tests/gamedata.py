"""Builders for the results tests: users, quizzes and game rows in the database, and finished games
as the room hands them to the results sink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from persistence.db import Database
from persistence.models import Game, Quiz, User
from rooms.core.results import AnswerOutcome, FinishedGame, PlayerOutcome
from rooms.core.state import Receipt

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a Tuesday

QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": "single",
        "text": "Capital of France?",
        "points": 1000,
        "time_limit": 20,
        "options": [
            {"id": "fr-p", "text": "Paris", "correct": True},
            {"id": "fr-l", "text": "Lyon", "correct": False},
        ],
    },
    {
        "kind": "multiple",
        "text": "Primes?",
        "points": 1000,
        "time_limit": 20,
        "options": [
            {"id": "p2", "text": "2", "correct": True},
            {"id": "p3", "text": "3", "correct": True},
            {"id": "p4", "text": "=4", "correct": False},
        ],
    },
    {"kind": "true_false", "text": "The sky is green", "points": 1000, "time_limit": 20, "correct": False},
    {
        "kind": "poll",
        "text": "Favourite?",
        "points": 0,
        "time_limit": 20,
        "options": [{"id": "cat", "text": "cats"}, {"id": "dog", "text": "dogs"}],
    },
]
RIGHT: list[Any] = ["fr-p", ["p2", "p3"], False, "cat"]  # the poll has no right answer
WRONG: list[Any] = ["fr-l", ["p4"], True, "dog"]


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def make_user(db: Database, name: str, xp: int = 0) -> int:
    async with db.uow() as uow:
        user = await uow.users.add(
            User(
                username=name,
                username_key=name.lower(),
                email=f"{name}@example.com",
                email_key=f"{name.lower()}@example.com",
                password_hash="-",
                xp=xp,
            )
        )
        await uow.commit()
        return user.id


async def make_quiz(db: Database, owner_id: int, title: str = "Capitals", published: bool = True) -> int:
    async with db.uow() as uow:
        quiz = await uow.quizzes.add(Quiz(owner_id=owner_id, title=title, published=published))
        await uow.commit()
        return quiz.id


async def make_game(
    db: Database,
    host_id: int | None = None,
    quiz_id: int | None = None,
    created_at: datetime = T0,
    kind: str = "quiz",
) -> int:
    async with db.uow() as uow:
        game = await uow.games.add(
            Game(
                kind=kind,
                pin="123456",
                quiz_id=quiz_id,
                host_id=host_id,
                settings={},
                quiz_snapshot={"title": "Capitals", "questions": QUESTIONS},
                status="live",
                created_at=created_at,
            )
        )
        await uow.commit()
        return game.id


def seat(
    player_id: str,
    user_id: int | None,
    score: int,
    rank: int | None,
    xp: int = 0,
    correct: int = 0,
    kicked: bool = False,
) -> PlayerOutcome:
    return PlayerOutcome(player_id, player_id.title(), user_id, score, rank, correct, xp, kicked)


def answer(
    player_id: str,
    question: int,
    correct: bool,
    credited_ms: int = 2_000,
    points: int | None = None,
    streak: int = 0,
    start: datetime = T0,
) -> AnswerOutcome:
    sent = ms(start) + question * 30_000
    return AnswerOutcome(
        player_id,
        question,
        (RIGHT if correct else WRONG)[question],
        correct and question != 3,
        (900 if correct and question != 3 else 0) if points is None else points,
        streak,
        Receipt(sent=sent, received=sent + credited_ms + 40, rtt_ms=80, credited_ms=credited_ms),
    )


def all_answers(
    player_id: str, correct: bool, credited_ms: int = 2_000, start: datetime = T0
) -> list[AnswerOutcome]:
    return [
        answer(player_id, q, correct, credited_ms, streak=q + 1 if correct else 0, start=start)
        for q in range(len(QUESTIONS))
    ]


def finished(
    game_id: int,
    players: list[PlayerOutcome],
    answers: list[AnswerOutcome],
    ended_at: datetime = T0 + timedelta(minutes=5),
    voided: tuple[int, ...] = (),
) -> FinishedGame:
    return FinishedGame(
        game_id=game_id,
        pin="123456",
        kind="quiz",
        title="Capitals",
        host_user_id=None,
        settings={"scoring": "speed"},
        questions=QUESTIONS,
        started_at_ms=ms(ended_at - timedelta(minutes=5)),
        ended_at_ms=ms(ended_at),
        players=tuple(players),
        answers=tuple(answers),
        voided=voided,
    )


async def count(db: Database, model: type) -> int:
    async with db.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def xp_of(db: Database, user_id: int) -> int:
    async with db.uow() as uow:
        return (await uow.progress.xp_of([user_id]))[user_id]


async def badges_of(db: Database, user_id: int) -> dict[str, datetime]:
    async with db.uow() as uow:
        return {award.badge.code: award.awarded_at for award in await uow.progress.awards(user_id)}
