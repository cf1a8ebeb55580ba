"""Inputs and conditions that must never produce a 500: ids past what a column holds, lax JSON types,
a database that is down, and a game report read while its results are being written."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.util import await_only

from persistence.db import Database
from persistence.models import Base
from server.app import create_app
from server.config import Settings
from server.paging import MAX_ID
from server.tokens import issue_access_token
from tests.conftest import run_blocking
from tests.gamedata import make_game, make_user

Signup = Callable[..., Awaitable[dict[str, str]]]
HUGE_IDS = (MAX_ID + 1, 2**53 + 1, 2**63 - 1, 2**63)
QUIZ = {
    "title": "Tiny",
    "published": True,
    "questions": [
        {"kind": "single", "text": "1+1?", "options": [{"text": "2", "correct": True}, {"text": "3"}]}
    ],
}


async def test_ids_past_any_column_are_refused_with_422_in_bodies(
    client: httpx.AsyncClient, signup: Signup
) -> None:
    headers = await signup()
    for quiz_id in (*HUGE_IDS, 0, -1):
        response = await client.post("/games", json={"quiz_id": quiz_id}, headers=headers)
        assert response.status_code == 422, (quiz_id, response.text)
        assert response.json()["error"]["fields"][0]["path"] == "quiz_id"
    # Past 64 bits JSON itself cannot be read as an integer by the server: a 400, never a 500.
    response = await client.post("/games", content=b'{"quiz_id": 18446744073709551616}', headers=headers)
    assert response.status_code in (400, 422)


async def test_ids_past_any_column_are_404_in_paths(client: httpx.AsyncClient, signup: Signup) -> None:
    headers = await signup()
    for missing in (*HUGE_IDS, 0, 2**80):
        for path in (
            f"/quizzes/{missing}",
            f"/quizzes/{missing}/export",
            f"/games/{missing}",
            f"/games/{missing}/export",
            f"/users/{missing}/progress",
            f"/leaderboards/quizzes/{missing}",
        ):
            response = await client.get(path, headers=headers)
            assert response.status_code == 404, (path, response.text)
            assert response.json()["error"]["code"] == "not_found"
        for method in ("PUT", "DELETE"):
            response = await client.request(method, f"/quizzes/{missing}", json=QUIZ, headers=headers)
            assert response.status_code == 404, (method, missing, response.text)


@pytest.mark.parametrize(
    "body",
    [
        {"quiz_id": True},
        {"quiz_id": "{id}"},
        {"quiz_id": "id+0.5"},
        {"quiz_id": None},
        {"quiz_id": "id", "settings": {"top_n": "5"}},
        {"quiz_id": "id", "settings": {"streak": 1}},
        {"quiz_id": "id", "settings": {"read_time_ms": 1.5}},
        {"quiz_id": "id", "settings": {"max_players": False}},
        {"quiz_id": "id", "settings": []},
    ],
)
async def test_bodies_parse_strictly(client: httpx.AsyncClient, signup: Signup, body: dict[str, Any]) -> None:
    """A boolean is not an id, a string is not a number, 1 is not `true`."""
    headers = await signup()
    created = await client.post("/quizzes", json=QUIZ, headers=headers)
    assert created.status_code == 201
    quiz_id = created.json()["id"]  # 1 on SQLite, where `true` used to mean this quiz
    spelled = {"id": quiz_id, "{id}": str(quiz_id), "id+0.5": quiz_id + 0.5}
    body = {**body, "quiz_id": spelled.get(body["quiz_id"], body["quiz_id"])}
    response = await client.post("/games", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


async def test_strict_bodies_still_take_the_right_types(client: httpx.AsyncClient, signup: Signup) -> None:
    headers = await signup()
    quiz_id = (await client.post("/quizzes", json=QUIZ, headers=headers)).json()["id"]
    settings = {"scoring": "accuracy", "streak": False, "top_n": 3, "read_time_ms": 500}
    response = await client.post("/games", json={"quiz_id": quiz_id, "settings": settings}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["settings"]["top_n"] == 3
    # JSON has one number type: 3.0 is the integer 3 (as JSON Schema says), 3.5 is not.
    whole = {"quiz_id": float(quiz_id), "settings": {"top_n": 3.0}}
    assert (await client.post("/games", json=whole, headers=headers)).status_code == 201
    # A login form sends only strings; that stays fine.
    form = await client.post("/auth/login", data={"username": "alice", "password": "correct horse battery"})
    assert form.status_code == 200, form.text
    for bad in ({"username": 1, "password": "x" * 10}, {"username": "alice", "password": True}):
        assert (await client.post("/auth/login", json=bad)).status_code == 422


# ---- the database is down ------------------------------------------------------------------------


@pytest.fixture
async def no_database(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app in front of a PostgreSQL address where nothing listens."""
    database = Database.from_url("postgresql+asyncpg://quizarena@127.0.0.1:9/none")
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app):
        # The transport re-raises whatever escapes the app: a reset connection, in a real server.
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    await database.dispose()


async def test_a_database_outage_is_503_unavailable_with_retry_after(
    no_database: httpx.AsyncClient, settings: Settings
) -> None:
    token = issue_access_token(settings, 1, "user")
    for method, path, body in (
        ("GET", "/quizzes", None),
        ("GET", "/quizzes/1", None),
        ("GET", "/leaderboards/global", None),
        ("GET", "/users/1/progress", None),
        ("GET", "/badges", None),
        ("POST", "/auth/register", {"username": "alice", "email": "a@example.com", "password": "x" * 12}),
        ("POST", "/auth/login", {"username": "alice", "password": "x" * 12}),
        ("GET", "/auth/me", None),
        ("GET", "/games", None),
        ("POST", "/games", {"quiz_id": 1}),
    ):
        response = await no_database.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 503, (path, response.text)
        assert response.json()["error"]["code"] == "unavailable"
        assert int(response.headers["Retry-After"]) > 0
    health = await no_database.get("/health")
    assert health.status_code == 503 and health.json()["database"] == "down"


# ---- a report read while its results are being written -------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: Callable[[], str]
) -> Iterator[str]:
    """A database of its own with real, separate connections (so two transactions can interleave)."""
    url = f"sqlite+aiosqlite:///{tmp_path}/race.db" if request.param == "sqlite" else throwaway_postgres()

    async def create_schema() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        await engine.dispose()

    run_blocking(create_schema())
    yield url


async def _write_results(database: Database, game_id: int, user_id: int) -> None:
    """What the results writer does in one transaction: the status, the players and their answers."""
    async with database.uow() as uow:
        game = await uow.games.get(game_id)
        assert game is not None
        game.status = "finished"
        seats = await uow.games.insert_players(
            [
                {"game_id": game_id, "player_key": key, "user_id": uid, "nickname": key, "score": score,
                 "rank": rank, "correct_count": 1}
                for key, uid, score, rank in (("p1", user_id, 900, 1), ("p2", None, 0, 2))
            ]
        )
        await uow.games.insert_answers(
            [
                {"game_id": game_id, "game_player_id": seat, "question_index": 0, "answer": "fr-p",
                 "correct": True, "points": 900, "streak": 1, "sent_ms": 1, "received_ms": 2, "rtt_ms": 1,
                 "credited_ms": 1}
                for seat in seats.values()
            ]
        )
        await uow.commit()


async def test_a_report_read_while_results_are_written_is_consistent(
    database_url: str, settings: Settings
) -> None:
    reader = Database.from_url(database_url)
    writer = Database.from_url(database_url)
    host = await make_user(reader, "hana")
    game_id = await make_game(reader, host_id=host)
    wrote: list[bool] = []

    @event.listens_for(reader.engine.sync_engine, "after_cursor_execute")
    def results_land_now(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The moment the report has read the players, the results writer commits.
        if not wrote and statement.lstrip().upper().startswith("SELECT") and "game_players" in statement:
            wrote.append(True)
            await_only(_write_results(writer, game_id, host))

    app = create_app(settings, database=reader)
    headers = {"Authorization": f"Bearer {issue_access_token(settings, host, 'user')}"}
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                during = await http.get(f"/games/{game_id}", headers=headers)
                after = await http.get(f"/games/{game_id}", headers=headers)
    finally:
        await reader.dispose()
        await writer.dispose()
    assert wrote == [True]
    assert during.status_code == 200, during.text
    report = during.json()
    players = {p["id"] for p in report["players"]}
    assert {a["player"] for a in report["answers"]} <= players
    # Read just before the write committed: it says so, and shows nothing half-written.
    assert report["complete"] is False
    assert report["status"] == "live" and report["players"] == [] and report["answers"] == []
    assert after.status_code == 200
    assert after.json()["complete"] is True and after.json()["status"] == "finished"
    assert [p["id"] for p in after.json()["players"]] == ["p1", "p2"]
    assert len(after.json()["answers"]) == 2
