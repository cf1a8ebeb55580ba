"""Leaderboards: ranks by XP (all time and calendar periods) and by best score per quiz, in SQL, on
both databases; over REST; and on 100,000 answers with the migration's indexes."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from migrations.runner import upgrade
from persistence.db import Database
from persistence.models import Answer, Game, GamePlayer, Quiz, User, XpEvent
from persistence.repositories.leaderboards import Ranked, period_window
from tests.gamedata import make_game, make_quiz, make_user

NOW = datetime(2026, 3, 11, 20, 0, tzinfo=UTC)  # a Wednesday


async def grant(db: Database, user_id: int, amount: int, at: datetime) -> None:
    async with db.uow() as uow:
        game = await uow.games.add(
            Game(kind="quiz", pin="000000", settings={}, quiz_snapshot={}, status="finished", ended_at=at)
        )
        assert await uow.progress.grant_xp({user_id: amount}, game.id, "game", at) == {user_id}
        await uow.commit()


def lines(entries: list[Ranked]) -> list[tuple[int, str, int]]:
    return [(entry.rank, entry.username, entry.value) for entry in entries]


async def global_board(db: Database, period: Any, limit: int = 10, offset: int = 0) -> tuple[list[Any], int]:
    async with db.uow() as uow:
        entries, total = await uow.leaderboards.global_xp(period_window(period, NOW), limit, offset)
    return lines(entries), total


async def test_global_ranks_by_total_xp_and_by_xp_earned_in_a_period(db: Database) -> None:
    ann, bea, cid, dan = [await make_user(db, name) for name in ("ann", "bea", "cid", "dan")]
    await make_user(db, "eve")  # no XP: not ranked
    await grant(db, ann, 500, NOW - timedelta(days=40))  # last month
    await grant(db, ann, 50, NOW - timedelta(hours=1))  # today
    await grant(db, bea, 300, NOW - timedelta(days=2))  # this week (Monday)
    await grant(db, cid, 300, NOW - timedelta(days=5))  # this month, last week
    await grant(db, dan, 50, NOW - timedelta(hours=2))  # today
    assert await global_board(db, "all") == (
        [(1, "ann", 550), (2, "bea", 300), (2, "cid", 300), (4, "dan", 50)],
        4,
    )
    assert await global_board(db, "month") == (
        [(1, "bea", 300), (1, "cid", 300), (3, "ann", 50), (3, "dan", 50)],
        4,
    )
    assert await global_board(db, "week") == ([(1, "bea", 300), (2, "ann", 50), (2, "dan", 50)], 3)
    assert await global_board(db, "day") == ([(1, "ann", 50), (1, "dan", 50)], 2)


async def test_a_later_page_knows_its_ranks(db: Database) -> None:
    for name, xp in (("ann", 900), ("bea", 500), ("cid", 500), ("dan", 500), ("eve", 100)):
        await make_user(db, name, xp=xp)
    assert await global_board(db, "all", limit=2) == ([(1, "ann", 900), (2, "bea", 500)], 5)
    assert await global_board(db, "all", limit=2, offset=2) == ([(2, "cid", 500), (2, "dan", 500)], 5)
    assert await global_board(db, "all", limit=2, offset=4) == ([(5, "eve", 100)], 5)
    assert await global_board(db, "all", limit=2, offset=6) == ([], 5)


async def finish(
    db: Database, quiz_id: int | None, ended_at: datetime, seats: list[tuple[int | None, int]]
) -> None:
    """A finished game of `quiz_id` with `(user_id, score)` seats, ranked by score."""
    async with db.uow() as uow:
        game = await uow.games.add(
            Game(
                kind="quiz",
                pin="000000",
                quiz_id=quiz_id,
                settings={},
                quiz_snapshot={},
                status="finished",
                ended_at=ended_at,
            )
        )
        ordered = sorted(seats, key=lambda s: -s[1])
        await uow.games.add_players(
            [
                GamePlayer(
                    game_id=game.id,
                    player_key=f"p{n}",
                    user_id=user,
                    nickname=f"p{n}",
                    score=score,
                    rank=n + 1,
                )
                for n, (user, score) in enumerate(ordered)
            ]
        )
        await uow.commit()


async def test_a_quiz_ranks_players_by_their_best_score_in_its_games(db: Database) -> None:
    ann, bea, cid = [await make_user(db, name) for name in ("ann", "bea", "cid")]
    quiz, other = await make_quiz(db, ann), await make_quiz(db, ann, "Other")
    await finish(db, quiz, NOW - timedelta(days=20), [(ann, 3_000), (bea, 1_000), (None, 5_000)])
    await finish(db, quiz, NOW - timedelta(hours=3), [(bea, 2_500), (cid, 2_000)])
    await finish(db, quiz, NOW - timedelta(hours=2), [(cid, 1_500)])
    await finish(db, other, NOW - timedelta(hours=1), [(cid, 9_000)])
    await make_game(db, quiz_id=quiz)  # live, not finished: not counted
    async with db.uow() as uow:
        alltime, total = await uow.leaderboards.quiz_scores(quiz, None, 10)
        today, _ = await uow.leaderboards.quiz_scores(quiz, period_window("day", NOW), 10)
    assert (lines(alltime), total) == ([(1, "ann", 3_000), (2, "bea", 2_500), (3, "cid", 2_000)], 3)
    assert lines(today) == [(1, "bea", 2_500), (2, "cid", 2_000)]


# ---- REST -----------------------------------------------------------------------------------------


async def test_rest_global_leaderboard(client: httpx.AsyncClient, db: Database) -> None:
    ann, bea = await make_user(db, "ann", xp=2_500), await make_user(db, "bea")
    await grant(db, bea, 40, datetime.now(UTC))
    body = (await client.get("/leaderboards/global")).json()
    assert body["items"] == [
        {"rank": 1, "user": {"id": ann, "username": "ann"}, "xp": 2_500, "level": 6},
        {"rank": 2, "user": {"id": bea, "username": "bea"}, "xp": 40, "level": 1},
    ]
    assert (body["period"], body["since"], body["total"], body["limit"], body["offset"]) == (
        "all",
        None,
        2,
        10,
        0,
    )
    body = (await client.get("/leaderboards/global", params={"period": "week", "limit": 1000})).json()
    assert body["items"] == [{"rank": 1, "user": {"id": bea, "username": "bea"}, "xp": 40, "level": None}]
    assert (
        body["limit"] == 100 and body["since"].endswith("T00:00:00Z") and body["until"].endswith("T00:00:00Z")
    )


async def test_rest_leaderboard_refuses_unknown_periods(client: httpx.AsyncClient) -> None:
    for params in ({"period": "year"}, {"limit": 0}, {"offset": -1}):
        response = await client.get("/leaderboards/global", params=params)
        assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"


async def test_rest_quiz_leaderboard_follows_the_quizs_visibility(
    client: httpx.AsyncClient, db: Database
) -> None:
    ann = await make_user(db, "ann")
    published, draft = await make_quiz(db, ann), await make_quiz(db, ann, "Draft", published=False)
    await finish(db, published, datetime.now(UTC), [(ann, 1_234)])
    body = (await client.get(f"/leaderboards/quizzes/{published}", params={"period": "day"})).json()
    assert body["quiz"] == {"id": published, "title": "Capitals"}
    assert body["items"] == [{"rank": 1, "user": {"id": ann, "username": "ann"}, "score": 1_234}]
    for quiz_id in (draft, 999_999, 2**40):
        response = await client.get(f"/leaderboards/quizzes/{quiz_id}")
        assert response.status_code == 404, response.text


# ---- 100,000 answers ------------------------------------------------------------------------------


@pytest.fixture
async def migrated(tmp_path: Path) -> AsyncIterator[Database]:
    """A SQLite file with the schema from the migrations (so with their indexes)."""
    url = f"sqlite+aiosqlite:///{tmp_path}/big.db"
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        await upgrade(conn)
    await engine.dispose()
    database = Database.from_url(url)
    yield database
    await database.dispose()


async def seed(db: Database, rng: random.Random) -> dict[str, Any]:
    """200 users, 50 quizzes, 500 games of 20 seats (14 with accounts) and 10 questions: 100,000
    answers, 10,000 seats, 7,000 XP events over 60 days. Returns what the boards must say."""
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
    games, seats, answers, events = [], [], [], []
    best: dict[tuple[int, int, datetime], int] = {}  # (quiz, user, ended) -> score
    earned: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for game_id in range(1, 501):
        ended = NOW - timedelta(minutes=rng.randrange(60 * 24 * 60))
        quiz_id = 1 + game_id % 50
        games.append(
            {
                "id": game_id,
                "kind": "quiz",
                "pin": "000000",
                "quiz_id": quiz_id,
                "settings": {},
                "quiz_snapshot": {},
                "status": "finished",
                "created_at": ended,
                "ended_at": ended,
            }
        )
        accounts = rng.sample(range(1, 201), 14)
        scores = rng.sample(range(0, 10_000), 20)
        for position, score in enumerate(sorted(scores, reverse=True)):
            seat_id = len(seats) + 1
            user_id = accounts[position] if position < 14 else None
            seats.append(
                {
                    "id": seat_id,
                    "game_id": game_id,
                    "player_key": f"p{position}",
                    "user_id": user_id,
                    "nickname": f"p{position}",
                    "score": score,
                    "rank": position + 1,
                    "correct_count": 0,
                }
            )
            answers += [
                {
                    "game_id": game_id,
                    "game_player_id": seat_id,
                    "question_index": q,
                    "answer": "x",
                    "correct": q % 2 == 0,
                    "points": 100,
                    "streak": 0,
                    "sent_ms": 0,
                    "received_ms": 1,
                    "rtt_ms": 0,
                    "credited_ms": 1,
                }
                for q in range(10)
            ]
            if user_id is not None:
                amount = 10 + score // 20
                events.append(
                    {
                        "user_id": user_id,
                        "game_id": game_id,
                        "amount": amount,
                        "reason": "game",
                        "created_at": ended,
                    }
                )
                earned[user_id].append((ended, amount))
                users[user_id - 1]["xp"] += amount
                best[quiz_id, user_id, ended] = score
    async with db.engine.begin() as conn:
        await conn.execute(insert(User), users)
        quizzes = [
            {
                "id": n,
                "owner_id": 1,
                "title": f"q{n}",
                "description": "",
                "published": True,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for n in range(1, 51)
        ]
        for model, rows in (
            (Quiz, quizzes),
            (Game, games),
            (GamePlayer, seats),
            (Answer, answers),
            (XpEvent, events),
        ):
            await conn.execute(insert(model), rows)
        await conn.execute(text("ANALYZE"))
    return {"users": users, "best": best, "earned": earned}


def expected_ranks(values: dict[int, int], names: dict[int, str], limit: int) -> list[tuple[int, str, int]]:
    ordered = sorted(((v, u) for u, v in values.items() if v > 0), key=lambda vu: (-vu[0], vu[1]))
    out = []
    for position, (value, user) in enumerate(ordered[:limit]):
        rank = out[-1][0] if out and out[-1][2] == value else position + 1
        out.append((rank, names[user], value))
    return out


class Plans:
    """Captures each SELECT a block runs and asks SQLite how it would run it."""

    def __init__(self, db: Database):
        self.db, self.statements = db, []

    def __enter__(self) -> Plans:
        event.listen(self.db.engine.sync_engine, "before_cursor_execute", self._keep)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.db.engine.sync_engine, "before_cursor_execute", self._keep)

    def _keep(self, conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            self.statements.append((statement, parameters))

    async def explain(self) -> str:
        async with self.db.engine.connect() as conn:
            rows = []
            for statement, parameters in self.statements:
                result = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                rows += [row[-1] for row in result]
        return "\n".join(rows)


async def test_boards_are_right_on_100000_answers_and_use_the_indexes(migrated: Database) -> None:
    truth = await seed(migrated, random.Random(4))
    names = {u["id"]: u["username"] for u in truth["users"]}
    with Plans(migrated) as plans:
        async with migrated.uow() as uow:
            alltime, total = await uow.leaderboards.global_xp(None, 100)
    assert (lines(alltime), total) == (
        expected_ranks({u["id"]: u["xp"] for u in truth["users"]}, names, 100),
        200,
    )
    assert "ix_users_xp" in await plans.explain()

    for period in ("month", "week", "day"):
        window = period_window(period, NOW)
        assert window is not None
        sums = {
            user: sum(a for at, a in got if window.start <= at < window.end)
            for user, got in truth["earned"].items()
        }
        with Plans(migrated) as plans:
            async with migrated.uow() as uow:
                board, total = await uow.leaderboards.global_xp(window, 25)
        assert lines(board) == expected_ranks(sums, names, 25)
        assert total == sum(1 for value in sums.values() if value > 0)
        assert "COVERING INDEX ix_xp_events_created_at_user_amount" in await plans.explain()

    for quiz_id, period in ((1, "all"), (2, "month")):
        window = period_window(period, NOW)
        with Plans(migrated) as plans:
            async with migrated.uow() as uow:
                board, total = await uow.leaderboards.quiz_scores(quiz_id, window, 50)
        scores: dict[int, int] = {}
        for (quiz, user, ended), score in truth["best"].items():
            if quiz == quiz_id and (window is None or window.start <= ended < window.end):
                scores[user] = max(scores.get(user, -1), score)
        assert (lines(board), total) == (expected_ranks(scores, names, 50), len(scores))
        assert "ix_games_quiz_id_ended_at" in await plans.explain()
    async with migrated.uow() as uow:
        assert await uow.session.scalar(text("SELECT count(*) FROM answers")) == 100_000
