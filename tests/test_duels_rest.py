"""`GET /users/{id}/duels`, `GET /leaderboards/duels` and the `duels` of a user's progress over REST,
once duels are written (on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import httpx

from persistence.db import Database
from server.results import ResultsWriter
from tests.gamedata import make_user
from tests.test_duel_records import bot, duel, new_duel, person


async def played(db: Database, alice: int, bob: int, carol: int) -> None:
    """alice beats bob, then carol beats alice, then alice beats a bot."""
    writer = ResultsWriter(db)
    await writer.write(
        duel(await new_duel(db), person("al", alice, 3_000, 1), person("bo", bob, 900, 2), "al")
    )
    await writer.write(
        duel(await new_duel(db), person("ca", carol, 2_000, 1), person("al", alice, 1_000, 2), "ca", 5)
    )
    await writer.write(duel(await new_duel(db), person("al", alice, 1_500, 1), bot(700, 2), "al", 10))


async def users(db: Database) -> tuple[int, int, int]:
    return await make_user(db, "alice"), await make_user(db, "bob"), await make_user(db, "carol")


async def test_history_lists_every_duel_newest_first(client: httpx.AsyncClient, db: Database) -> None:
    alice, bob, carol = await users(db)
    await played(db, alice, bob, carol)
    body = (await client.get(f"/users/{alice}/duels")).json()
    assert (body["user"], body["total"], body["limit"], body["offset"]) == (
        {"id": alice, "username": "alice"},
        3,
        20,
        0,
    )
    against_bot, lost, won = body["items"]
    assert against_bot["opponent"] == {
        "nickname": "Bot",
        "bot": True,
        "user": None,
        "score": 700,
        "forfeited": False,
    }
    assert (against_bot["outcome"], against_bot["rated"], against_bot["rating_change"]) == (
        "won",
        False,
        None,
    )
    assert lost["opponent"]["user"] == {"id": carol, "username": "carol"}
    assert (lost["outcome"], lost["score"], lost["rating_before"], lost["rating_after"]) == (
        "lost",
        1_000,
        1216,
        1199,
    )
    assert (lost["rating_change"], lost["rated"]) == (-17, True)
    assert (won["outcome"], won["rating_change"], won["played_at"]) == ("won", 16, "2026-03-10T12:00:00Z")
    assert isinstance(won["game_id"], int)
    page = (await client.get(f"/users/{alice}/duels", params={"limit": 1, "offset": 1})).json()
    assert [item["outcome"] for item in page["items"]] == ["lost"] and page["total"] == 3


async def test_progress_has_the_duel_record(client: httpx.AsyncClient, db: Database) -> None:
    alice, bob, carol = await users(db)
    await played(db, alice, bob, carol)
    duels: dict[str, Any] = (await client.get(f"/users/{alice}/progress")).json()["duels"]
    assert duels == {
        "won": 1,
        "lost": 1,
        "drawn": 0,
        "rating": 1199,
        "streak": 0,
        "best_streak": 1,
        "played": 3,
    }


async def test_leaderboard_ranks_rated_players_by_rating(client: httpx.AsyncClient, db: Database) -> None:
    alice, bob, carol = await users(db)
    await make_user(db, "dave")  # never dueled: not listed
    await played(db, alice, bob, carol)
    body = (await client.get("/leaderboards/duels")).json()
    assert [(line["rank"], line["user"]["username"], line["rating"]) for line in body["items"]] == [
        (1, "carol", 1217),
        (2, "alice", 1199),
        (3, "bob", 1184),
    ]
    assert body["items"][1] | {"user": None} == {
        "rank": 2,
        "user": None,
        "rating": 1199,
        "won": 1,
        "lost": 1,
        "drawn": 0,
    }
    assert (body["total"], body["limit"], body["offset"]) == (3, 20, 0)
    page = (await client.get("/leaderboards/duels", params={"limit": 500, "offset": 2})).json()
    assert [line["rank"] for line in page["items"]] == [3] and page["limit"] == 100  # capped


async def test_bad_requests_are_clear_errors(client: httpx.AsyncClient) -> None:
    for user_id in (424242, 2**40):
        response = await client.get(f"/users/{user_id}/duels")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    for params in ({"limit": 0}, {"offset": -1}, {"limit": "many"}, {"page": 2}):
        response = await client.get("/leaderboards/duels", params=params)
        assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"


async def test_openapi_documents_the_duel_routes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    for path in ("/users/{id}/duels", "/leaderboards/duels"):
        assert "get" in document["paths"][path], path
    assert document["components"]["schemas"]["DuelHistory"]["examples"]
