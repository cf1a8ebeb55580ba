"""Analytics query timings on 100,000 answers: seeds a fresh database (SQLite file, or a PostgreSQL
URL) through the migrations, then times each analytics report (its SQL aggregates and the statistics
over them) and prints the median of several runs.

    .venv/bin/python -m bench.analytics [--postgres URL] [--runs 7]

Without `--postgres`, a temporary SQLite file; with it (a server URL such as
`postgresql+asyncpg://postgres@127.0.0.1:5432/test`), a throwaway database made next to the one named
and dropped afterwards. tests/test_analytics_scale.py seeds the same data to check the plans.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from migrations.runner import upgrade
from persistence.db import Database
from persistence.models import Answer, Game, GamePlayer, Quiz, QuizTag, User, XpEvent
from persistence.repositories.analytics import host_scope, quiz_scope
from persistence.repositories.leaderboards import Window
from server.analytics import reports
from server.analytics.service import question_report

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
WINDOW = Window(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
QUIZZES, GAMES, SEATS, QUESTIONS = 50, 500, 20, 10


def snapshot(game_id: int) -> dict[str, Any]:
    """Ten single-choice questions with four options, ids drawn for this game; option 0 is right."""
    return {
        "title": "Quiz",
        "questions": [
            {
                "kind": "single",
                "text": f"Question {q}",
                "points": 1000,
                "time_limit": 20,
                "options": [
                    {"id": f"g{game_id}q{q}o{o}", "text": f"option {o}", "correct": o == 0} for o in range(4)
                ],
            }
            for q in range(QUESTIONS)
        ],
    }


def seed_rows(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """200 users, 50 quizzes, 500 games (60 days back) of 20 seats by 10 questions: 100,000 answers."""
    users = [
        {
            "id": n,
            "username": f"user{n}",
            "username_key": f"user{n}",
            "email": f"u{n}@x",
            "email_key": f"u{n}@x",
            "password_hash": "-",
            "role": "user",
            "xp": 0,
            "created_at": NOW,
        }
        for n in range(1, 201)
    ]
    quizzes = [
        {
            "id": n,
            "owner_id": 1 + n % 5,
            "title": f"q{n}",
            "description": "",
            "published": True,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for n in range(1, QUIZZES + 1)
    ]
    tags = [{"quiz_id": n, "tag": f"tag{n % 7}", "position": 0} for n in range(1, QUIZZES + 1)]
    games: list[dict[str, Any]] = []
    seats: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for game_id in range(1, GAMES + 1):
        ended = NOW - timedelta(minutes=rng.randrange(60 * 24 * 60))
        games.append(
            {
                "id": game_id,
                "kind": "quiz",
                "pin": "000000",
                "quiz_id": quiz_of(game_id),
                "host_id": 1 + game_id % 5,
                "settings": {},
                "quiz_snapshot": snapshot(game_id),
                "status": "finished",
                "created_at": ended,
                "ended_at": ended,
            }
        )
        accounts = rng.sample(range(1, 201), 14)
        ability = [rng.random() for _ in range(SEATS)]
        for position in range(SEATS):
            seat_id = len(seats) + 1
            user_id = accounts[position] if position < 14 else None
            right = [rng.random() < ability[position] for _ in range(QUESTIONS)]
            seats.append(
                {
                    "id": seat_id,
                    "game_id": game_id,
                    "player_key": f"p{position}",
                    "user_id": user_id,
                    "nickname": f"p{position}",
                    "score": 900 * sum(right),
                    "rank": position + 1,
                    "correct_count": sum(right),
                }
            )
            for q in range(QUESTIONS):
                option = 0 if right[q] else rng.randrange(1, 4)
                answers.append(
                    {
                        "game_id": game_id,
                        "game_player_id": seat_id,
                        "question_index": q,
                        "answer": f"g{game_id}q{q}o{option}",
                        "correct": right[q],
                        "points": 900 * right[q],
                        "streak": 0,
                        "sent_ms": 0,
                        "received_ms": 1,
                        "rtt_ms": 0,
                        "credited_ms": rng.randrange(200, 20_000),
                    }
                )
            if user_id is not None:
                events.append(
                    {
                        "user_id": user_id,
                        "game_id": game_id,
                        "amount": 10 + sum(right),
                        "reason": "game",
                        "created_at": ended,
                    }
                )
    return {
        "users": users,
        "quizzes": quizzes,
        "tags": tags,
        "games": games,
        "seats": seats,
        "answers": answers,
        "events": events,
    }


async def seed(db: Database, rows: dict[str, list[dict[str, Any]]]) -> None:
    async with db.engine.begin() as conn:
        for model, key in (
            (User, "users"),
            (Quiz, "quizzes"),
            (QuizTag, "tags"),
            (Game, "games"),
            (GamePlayer, "seats"),
            (Answer, "answers"),
            (XpEvent, "events"),
        ):
            await conn.execute(insert(model), rows[key])
        await conn.execute(text("ANALYZE"))


def quiz_of(game_id: int) -> int:
    """Every fifth game plays quiz 1 (100 games, 20,000 answers); the rest spread over 49 quizzes."""
    return 1 if game_id % 5 == 0 else 2 + game_id % (QUIZZES - 1)


async def quiz_report(db: Database, quiz_id: int, window: Window) -> list[dict[str, Any]]:
    """What GET /analytics/quizzes/{id} computes, without HTTP."""
    async with db.uow() as uow:
        return (await question_report(uow, quiz_scope(quiz_id, window))).stats


async def player_report(db: Database, user_id: int, window: Window) -> dict[str, Any]:
    async with db.uow() as uow:
        seats = await uow.analytics.seats(user_id, window)
        snapshots = await uow.analytics.snapshots({s.game_id for s in seats})
        questions = await uow.analytics.player_questions(user_id, window)
        tags = await uow.analytics.tags({s.quiz_id for s in seats if s.quiz_id is not None})
        xp = await uow.analytics.xp_by_day(user_id, window)
    return reports.player_report(seats, snapshots, questions, tags, xp)


async def host_report(db: Database, host_id: int, window: Window) -> dict[str, Any]:
    async with db.uow() as uow:
        games = await uow.analytics.games(host_scope(host_id, window))
    return reports.host_report(games)


async def timed(runs: int, call: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """Median and worst wall time in ms over `runs` calls (after one warm-up)."""
    await call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


async def main(postgres: str | None, runs: int) -> None:
    if postgres is None:
        await run(f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/analytics.db", runs)
        return
    name = f"quizarena_bench_{secrets.token_hex(4)}"
    await _admin(postgres, f'CREATE DATABASE "{name}"')
    try:
        await run(make_url(postgres).set(database=name).render_as_string(hide_password=False), runs)
    finally:
        await _admin(postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run(url: str, runs: int) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        await upgrade(conn)
    await engine.dispose()
    db = Database.from_url(url)
    rows = seed_rows(random.Random(13))
    start = time.perf_counter()
    await seed(db, rows)
    print(f"{db.dialect}: seeded {len(rows['answers']):,} answers in {time.perf_counter() - start:.1f} s")
    everything = Window(NOW - timedelta(days=61), NOW + timedelta(days=1))
    hot = sum(1 for g in rows["games"] if g["quiz_id"] == 1) * SEATS * QUESTIONS
    cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        (f"quiz 1, 60 days ({hot:,} answers)", lambda: quiz_report(db, 1, everything)),
        ("quiz 1, March", lambda: quiz_report(db, 1, WINDOW)),
        ("quiz 2, 60 days", lambda: quiz_report(db, 2, everything)),
        ("player 17, 60 days", lambda: player_report(db, 17, everything)),
        ("host 3, 60 days", lambda: host_report(db, 3, everything)),
    ]
    for name, call in cases:
        median, worst = await timed(runs, call)
        print(f"{name:<40} median {median:7.1f} ms   worst {worst:7.1f} ms")
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL to make a throwaway database on")
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    asyncio.run(main(options.postgres, options.runs))
