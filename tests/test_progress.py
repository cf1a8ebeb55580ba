"""`GET /users/{id}/progress` and `GET /badges` over REST, once results are written (on SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from persistence.db import Database
from persistence.models import DuelRating
from server.results import DatabaseResultsSink
from tests.gamedata import all_answers, answer, finished, make_game, make_user, seat

Signup = Callable[..., Awaitable[dict[str, str]]]


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    return (await client.get("/auth/me", headers=headers)).json()


def sink_of(app: Any) -> DatabaseResultsSink:
    return app.state.node.sink


async def test_progress_of_a_new_user(client: httpx.AsyncClient, signup: Signup) -> None:
    user = await me(client, await signup("alice"))
    body = (await client.get(f"/users/{user['id']}/progress")).json()  # public: no token
    assert body == {
        "user": {"id": user["id"], "username": "alice"},
        "xp": 0,
        "level": 1,
        "level_xp": 0,
        "next_level_xp": 100,
        "badges": [],
        "streak_days": 0,
        "games_played": 0,
        "games_won": 0,
        "duels": {
            "won": 0, "lost": 0, "drawn": 0, "rating": 1200, "streak": 0, "best_streak": 0, "played": 0
        },
    }


async def test_progress_after_games(
    client: httpx.AsyncClient, signup: Signup, app: Any, db: Database
) -> None:
    alice = (await me(client, await signup("alice")))["id"]
    bob = await make_user(db, "bob")
    today = datetime.now(UTC).replace(microsecond=0)
    for days_ago, xp in ((1, 245), (0, 200)):
        ended = today - timedelta(days=days_ago)
        game_id = await make_game(db, created_at=ended - timedelta(minutes=10))
        await sink_of(app).game_finished(
            finished(
                game_id,
                [seat("al", alice, 2_700, 1, xp=xp), seat("bo", bob, 900, 2, xp=60)],
                all_answers("al", True, 1_000, start=ended) + [answer("bo", 0, False, start=ended)],
                ended_at=ended,
            )
        )
    async with db.uow() as uow:
        await uow.session.merge(DuelRating(user_id=alice, rating=1234, wins=3, losses=1))
        await uow.commit()
    body = (await client.get(f"/users/{alice}/progress")).json()
    assert (body["xp"], body["level"], body["level_xp"], body["next_level_xp"]) == (445, 3, 400, 900)
    assert (body["streak_days"], body["games_played"], body["games_won"]) == (2, 2, 2)
    assert body["duels"] == {
        "won": 3, "lost": 1, "drawn": 0, "rating": 1234, "streak": 0, "best_streak": 0, "played": 0
    }
    codes = [badge["code"] for badge in body["badges"]]
    assert codes == ["first_game", "perfect_game", "fastest_answer", "winner"]  # once each, oldest first
    first = body["badges"][0]
    assert first["name"] == "First game" and first["game_id"] is not None
    assert datetime.fromisoformat(first["awarded_at"]) == today - timedelta(days=1)
    bob_body = (await client.get(f"/users/{bob}/progress")).json()
    assert (bob_body["xp"], bob_body["games_played"], bob_body["games_won"]) == (120, 2, 0)


async def test_progress_of_an_unknown_user_is_404(client: httpx.AsyncClient) -> None:
    for user_id in (424242, 2**40):
        response = await client.get(f"/users/{user_id}/progress")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


async def test_badge_catalogue_anonymous_and_signed_in(
    client: httpx.AsyncClient, signup: Signup, app: Any, db: Database
) -> None:
    body = (await client.get("/badges")).json()
    assert body["total"] == len(body["items"]) == 14 and (body["limit"], body["offset"]) == (100, 0)
    assert body["items"][0] == {
        "code": "first_game",
        "name": "First game",
        "description": "Finish your first game.",
        "rule": {"kind": "games_played", "at_least": 1},
    }
    headers = await signup("alice")
    alice = (await me(client, headers))["id"]
    game_id = await make_game(db)
    await sink_of(app).game_finished(finished(game_id, [seat("al", alice, 100, 1, xp=15)], []))
    items = {b["code"]: b for b in (await client.get("/badges", headers=headers)).json()["items"]}
    assert items["first_game"]["earned"] is True and items["first_game"]["awarded_at"].endswith("Z")
    assert items["winner"]["earned"] is False and "awarded_at" not in items["winner"]
    page = (await client.get("/badges", params={"limit": 2, "offset": 12})).json()
    assert [b["code"] for b in page["items"]] == ["duel_upset", "anniversary"] and page["total"] == 14


async def test_badges_with_a_bad_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/badges", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


async def test_openapi_documents_the_new_routes(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/games",
        "/games/{id}/export",
        "/users/{id}/progress",
        "/badges",
        "/leaderboards/global",
        "/leaderboards/quizzes/{id}",
    ):
        assert "get" in paths[path], path
