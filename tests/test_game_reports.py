"""A game's report over REST: `GET /games/{id}`, its CSV and JSON export, and `GET /games` (the
caller's games), with who may see what (on SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from persistence.db import Database
from server.game_export import COLUMNS
from tests.gamedata import T0, all_answers, answer, finished, make_game, make_user, seat

Signup = Callable[..., Awaitable[dict[str, str]]]


async def user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/auth/me", headers=headers)).json()["id"]


@pytest.fixture
async def played(client: httpx.AsyncClient, signup: Signup, app: Any, db: Database) -> dict[str, Any]:
    """A finished game hosted by Hana, played by Alice (signed in) and an anonymous `=cmd` nickname."""
    host, alice, outsider = await signup("hana"), await signup("alice"), await signup("mallory")
    alice_id = await user_id(client, alice)
    game_id = await make_game(db, host_id=await user_id(client, host))
    answers = all_answers("al", True, 1_000) + [answer("x", 1, False, 3_000)]
    await app.state.node.sink.game_finished(
        finished(game_id, [seat("al", alice_id, 2_700, 1, xp=245, correct=3), seat("x", None, 0, 2)], answers)
    )
    return {"id": game_id, "host": host, "alice": alice, "alice_id": alice_id, "outsider": outsider}


async def test_the_report_is_for_the_host_and_players_only(
    client: httpx.AsyncClient, played: dict[str, Any]
) -> None:
    for who in ("host", "alice"):
        for path in (
            f"/games/{played['id']}",
            f"/games/{played['id']}/export",
            f"/games/{played['id']}/export?format=csv",
        ):
            response = await client.get(path, headers=played[who])
            assert response.status_code == 200, (who, path, response.text)
    for path in (f"/games/{played['id']}", f"/games/{played['id']}/export"):
        assert (await client.get(path, headers=played["outsider"])).status_code == 403
        assert (await client.get(path)).status_code == 401
    for missing in (424242, 2**40):
        for path in (f"/games/{missing}", f"/games/{missing}/export"):
            assert (await client.get(path, headers=played["host"])).status_code == 404
    bad = await client.get(f"/games/{played['id']}/export?format=xml", headers=played["host"])
    assert bad.status_code == 422


async def test_get_game_serves_the_written_results(client: httpx.AsyncClient, played: dict[str, Any]) -> None:
    report = (await client.get(f"/games/{played['id']}", headers=played["alice"])).json()
    assert report["status"] == "finished" and report["title"] == "Capitals"
    assert [(p["id"], p["score"], p["rank"], p["user_id"]) for p in report["players"]] == [
        ("al", 2_700, 1, played["alice_id"]),
        ("x", 0, 2, None),
    ]
    assert len(report["answers"]) == 5
    first = report["answers"][0]
    assert first["receipt"] == {
        "sent": first["receipt"]["sent"],
        "received": first["receipt"]["sent"] + 1_040,
        "rtt_ms": 80,
        "credited_ms": 1_000,
    }


async def test_csv_export_has_a_row_per_player_per_question(
    client: httpx.AsyncClient, played: dict[str, Any]
) -> None:
    response = await client.get(
        f"/games/{played['id']}/export", params={"format": "csv"}, headers=played["host"]
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == f'attachment; filename="game-{played["id"]}.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0]) == COLUMNS
    table = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    assert len(table) == 2 * 4  # 2 players x 4 questions, answered or not
    alice_q1 = table[1]
    assert (alice_q1["player"], alice_q1["question"], alice_q1["kind"], alice_q1["answer"]) == (
        "al",
        "1",
        "multiple",
        '["p2","p3"]',
    )
    assert (alice_q1["answer_text"], alice_q1["correct"], alice_q1["points"], alice_q1["streak"]) == (
        "2; 3",
        "true",
        "900",
        "2",
    )
    assert (alice_q1["rtt_ms"], alice_q1["credited_ms"]) == ("80", "1000")
    assert int(alice_q1["received"]) - int(alice_q1["sent"]) == 1_040
    anonymous = [row for row in table if row["player"] == "x"]
    assert [row["answered"] for row in anonymous] == ["false", "true", "false", "false"]
    assert (
        anonymous[1]["answer_text"] == "'=4" and anonymous[1]["correct"] == "false"
    )  # shielded from formulas
    assert anonymous[0]["sent"] == "" and anonymous[0]["points"] == "0" and anonymous[0]["user_id"] == ""


async def test_json_export_has_the_same_rows(client: httpx.AsyncClient, played: dict[str, Any]) -> None:
    response = await client.get(
        f"/games/{played['id']}/export", params={"format": "json"}, headers=played["alice"]
    )
    assert response.headers["content-disposition"] == f'attachment; filename="game-{played["id"]}.json"'
    body = response.json()
    assert body["game"]["id"] == played["id"] and body["game"]["columns"] == list(COLUMNS)
    assert body["game"]["ended_at"] == (T0 + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    assert len(body["rows"]) == 8 and all(list(row) == list(COLUMNS) for row in body["rows"])
    assert body["rows"][2]["answer"] is False and body["rows"][2]["answer_text"] == "false"
    assert body["rows"][3] | {"sent": 0, "received": 0} == {
        "game_id": played["id"],
        "player": "al",
        "nickname": "Al",
        "user_id": played["alice_id"],
        "rank": 1,
        "score": 2_700,
        "question": 3,
        "kind": "poll",
        "question_text": "Favourite?",
        "answered": True,
        "answer": "cat",
        "answer_text": "cats",
        "correct": False,
        "points": 0,
        "streak": 4,
        "sent": 0,
        "received": 0,
        "rtt_ms": 80,
        "credited_ms": 1_000,
    }


async def test_my_games_as_host_and_player_newest_first(
    client: httpx.AsyncClient, signup: Signup, app: Any, db: Database
) -> None:
    headers = await signup("alice")
    alice = await user_id(client, headers)
    other = await make_user(db, "olga")
    hosted = await make_game(db, host_id=alice, created_at=T0)
    played = await make_game(db, host_id=other, created_at=T0 + timedelta(hours=1))
    await make_game(db, host_id=other, created_at=T0 + timedelta(hours=2))  # not hers
    await app.state.node.sink.game_finished(
        finished(played, [seat("a", alice, 900, 2, xp=55), seat("o", other, 1_800, 1, xp=100)], [])
    )
    body = (await client.get("/games", headers=headers)).json()
    assert (body["total"], body["limit"], body["offset"]) == (2, 20, 0)
    assert [(g["id"], g["role"], g["status"], g["players"]) for g in body["items"]] == [
        (played, "player", "finished", 2),
        (hosted, "host", "live", 0),
    ]
    assert body["items"][0]["result"] == {
        "player": "a",
        "nickname": "A",
        "score": 900,
        "rank": 2,
        "correct_count": 0,
    }
    assert body["items"][0]["title"] == "Capitals" and body["items"][1]["result"] is None
    page = (await client.get("/games", params={"limit": 1, "offset": 1}, headers=headers)).json()
    assert [g["id"] for g in page["items"]] == [hosted] and page["total"] == 2
    assert (await client.get("/games", params={"limit": 500}, headers=headers)).json()["limit"] == 100
    assert (await client.get("/games")).status_code == 401
