"""Assignments over REST on SQLite and PostgreSQL: creating one (validation, who may assign what),
opening its link, starting an attempt (one per player, none after the due date), who sees what,
and the progress the host reads once attempts' results are written. The rooms' clock is a manual
one, so "now" and the due date are the test's to move."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from persistence.db import Database
from rooms.core.clock import ManualClock
from server.app import create_app
from server.config import Settings
from server.passwords import Passwords
from tests.gamedata import all_answers, finished, make_game, seat

Signup = Callable[..., Awaitable[dict[str, str]]]
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
QUIZ: dict[str, Any] = {
    "title": "Capitals",
    "description": "",
    "tags": [],
    "published": False,
    "questions": [
        {
            "kind": "single",
            "text": "Capital of France?",
            "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}],
        },
        {"kind": "true_false", "text": "Rome is in Italy", "correct": True},
    ],
}


@pytest.fixture
async def clock() -> ManualClock:
    return ManualClock(start_ms=int(START.timestamp() * 1000))


@pytest.fixture
async def app(settings: Settings, db: Database, clock: ManualClock) -> AsyncIterator[object]:
    application = create_app(settings, database=db, clock=clock)
    application.state.password_hasher = Passwords(4, time_cost=1, memory_cost=1024, parallelism=1)
    async with application.router.lifespan_context(application):
        yield application


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/auth/me", headers=headers)).json()["id"]


async def quiz(client: httpx.AsyncClient, headers: dict[str, str], **changes: Any) -> int:
    response = await client.post("/quizzes", json={**QUIZ, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def assign(
    client: httpx.AsyncClient, headers: dict[str, str], quiz_id: int, **body: Any
) -> httpx.Response:
    return await client.post(
        "/assignments",
        json={"quiz_id": quiz_id, "due_at": iso(START + timedelta(days=2)), **body},
        headers=headers,
    )


@pytest.fixture
async def given(client: httpx.AsyncClient, signup: Signup) -> dict[str, Any]:
    """Hana's assignment of her draft quiz, and two players with accounts."""
    hana, alice, bob = await signup("hana"), await signup("alice"), await signup("bob")
    response = await assign(client, hana, await quiz(client, hana), title="Homework 1")
    assert response.status_code == 201, response.text
    return {"hana": hana, "alice": alice, "bob": bob, "assignment": response.json()}


async def test_assigning_gives_a_link_and_an_empty_progress(given: dict[str, Any]) -> None:
    created = given["assignment"]
    assert created["title"] == "Homework 1"
    assert created["due_at"] == "2026-03-12T09:00:00Z"
    assert created["link"] == f"http://testserver/play?assignment={created['code']}"
    assert len(created["code"]) >= 16
    assert created["open"] is True and created["role"] == "host"
    assert created["questions"] == 2
    assert created["settings"] == {"scoring": "speed", "streak": True, "read_time_ms": 0, "shuffle": False}
    assert created["progress"] == {"given": 0, "started": 0, "finished": 0, "average_score": None}
    assert created["players"] == [] and created["attempt"] is None


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"due_at": iso(START - timedelta(minutes=1))}, "due_at"),
        ({"due_at": iso(START)}, "due_at"),
        ({"due_at": "2026-03-12T09:00:00"}, "due_at"),  # no time zone
        ({"due_at": "next tuesday"}, "due_at"),
        ({"due_at": 1773306000}, "due_at"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"settings": {"auto_advance": False}}, "settings.auto_advance"),
        ({"settings": {"read_time_ms": -1}}, "settings.read_time_ms"),
        ({"owner": 1}, "owner"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_made(
    client: httpx.AsyncClient, signup: Signup, body: dict[str, Any], path: str
) -> None:
    hana = await signup("hana")
    response = await assign(client, hana, await quiz(client, hana), **body)
    assert response.status_code == 422, response.text
    assert path in [field["path"] for field in response.json()["error"]["fields"]]
    assert (await client.get("/assignments", headers=hana)).json()["total"] == 0


async def test_who_may_assign_which_quiz(client: httpx.AsyncClient, signup: Signup) -> None:
    hana, alice = await signup("hana"), await signup("alice")
    draft, published = await quiz(client, hana), await quiz(client, hana, published=True)
    assert (await assign(client, alice, draft)).status_code == 404  # a draft of someone else's
    assert (await assign(client, alice, 424242)).status_code == 404
    assert (await assign(client, alice, published)).status_code == 201
    anonymous = await client.post(
        "/assignments", json={"quiz_id": draft, "due_at": iso(START + timedelta(days=1))}
    )
    assert anonymous.status_code == 401


async def test_opening_the_link_gives_the_assignment_once(
    client: httpx.AsyncClient, given: dict[str, Any]
) -> None:
    code, assignment_id = given["assignment"]["code"], given["assignment"]["id"]
    guest = (await client.get(f"/assignments/code/{code}")).json()
    assert guest["role"] == "guest" and guest["title"] == "Homework 1"
    assert guest["progress"] is None and guest["players"] is None and guest["attempt"] is None
    for _ in range(2):
        mine = (await client.get(f"/assignments/code/{code}", headers=given["alice"])).json()
    assert mine["role"] == "player" and mine["players"] is None
    assert mine["attempt"]["status"] == "not_started" and mine["attempt"]["user"]["username"] == "alice"
    host = (await client.get(f"/assignments/{assignment_id}", headers=given["hana"])).json()
    assert host["progress"]["given"] == 1
    assert [p["user"]["username"] for p in host["players"]] == ["alice"]
    # Bob has not opened it: to him the id names nothing.
    assert (await client.get(f"/assignments/{assignment_id}", headers=given["bob"])).status_code == 404
    assert (await client.get(f"/assignments/{assignment_id}")).status_code == 401
    assert (await client.get("/assignments/code/not-a-code")).status_code == 404
    assert (await client.get("/assignments/424242", headers=given["hana"])).status_code == 404


async def test_an_attempt_opens_a_private_room_and_comes_back_while_under_way(
    client: httpx.AsyncClient, app: Any, given: dict[str, Any], clock: ManualClock
) -> None:
    soon = await assign(
        client,
        given["hana"],
        given["assignment"]["quiz_id"],
        title="Homework 1",
        due_at=iso(START + timedelta(minutes=5)),
    )
    code, assignment_id = soon.json()["code"], soon.json()["id"]
    started = await client.post(f"/assignments/code/{code}/attempts", headers=given["alice"])
    assert started.status_code == 201, started.text
    attempt = started.json()
    assert attempt["resumed"] is False and len(attempt["pin"]) == 6
    room = app.state.node.runners[attempt["pin"]].state
    assert room.kind == "assignment" and room.game_id == attempt["game_id"]
    assert room.settings.max_players == room.settings.autostart == 1 and room.settings.question_on_devices
    assert room.title == "Homework 1"
    clock.advance(6 * 60_000)  # past the due date: the attempt under way still comes back
    again = (await client.post(f"/assignments/code/{code}/attempts", headers=given["alice"])).json()
    assert (again["pin"], again["game_id"], again["resumed"]) == (attempt["pin"], attempt["game_id"], True)
    late = await client.post(f"/assignments/code/{code}/attempts", headers=given["bob"])
    assert late.status_code == 409 and late.json()["error"]["code"] == "conflict"
    host = (await client.get(f"/assignments/{assignment_id}", headers=given["hana"])).json()
    assert host["open"] is False
    assert {p["user"]["username"]: p["status"] for p in host["players"]} == {
        "alice": "in_progress",
        "bob": "not_started",
    }
    assert host["progress"]["started"] == 1


async def test_the_host_does_not_take_their_own_assignment(
    client: httpx.AsyncClient, given: dict[str, Any]
) -> None:
    code = given["assignment"]["code"]
    response = await client.post(f"/assignments/code/{code}/attempts", headers=given["hana"])
    assert response.status_code == 403
    assert (await client.post("/assignments/code/nope/attempts", headers=given["alice"])).status_code == 404
    assert (await client.post(f"/assignments/code/{code}/attempts")).status_code == 401


async def finish(app: Any, game_id: int, user: int, score: int, credited_ms: int) -> None:
    """The attempt's room finished: its results go through the ordinary results path."""
    outcome = seat("p", user, score, 1, xp=40, correct=2)
    await app.state.node.sink.game_finished(finished(game_id, [outcome], all_answers("p", True, credited_ms)))


async def test_progress_ranks_finished_attempts_and_one_attempt_is_all(
    client: httpx.AsyncClient, app: Any, signup: Signup, given: dict[str, Any]
) -> None:
    code, assignment_id = given["assignment"]["code"], given["assignment"]["id"]
    cleo = await signup("cleo")
    scores = {"alice": (1800, 3000), "bob": (2400, 5000), "cleo": (1800, 2000)}
    for name, auth in (("alice", given["alice"]), ("bob", given["bob"]), ("cleo", cleo)):
        attempt = (await client.post(f"/assignments/code/{code}/attempts", headers=auth)).json()
        await finish(app, attempt["game_id"], await user_id(client, auth), *scores[name])
    again = await client.post(f"/assignments/code/{code}/attempts", headers=given["alice"])
    assert again.status_code == 409
    host = (await client.get(f"/assignments/{assignment_id}", headers=given["hana"])).json()
    lines = {p["user"]["username"]: p for p in host["players"]}
    assert {name: (p["status"], p["score"], p["rank"]) for name, p in lines.items()} == {
        "bob": ("finished", 2400, 1),
        "cleo": ("finished", 1800, 2),
        "alice": ("finished", 1800, 3),
    }
    assert host["progress"] == {"given": 3, "started": 3, "finished": 3, "average_score": 2000.0}
    # The attempt is a game like any other: its report is the player's and the host's to read.
    game_id = lines["alice"]["game_id"]
    assert (await client.get(f"/games/{game_id}", headers=given["alice"])).status_code == 200
    assert (await client.get(f"/games/{game_id}", headers=given["hana"])).json()["kind"] == "assignment"
    mine = (await client.get(f"/assignments/{assignment_id}", headers=given["alice"])).json()
    assert mine["role"] == "player" and mine["players"] is None
    assert (mine["attempt"]["score"], mine["attempt"]["rank"]) == (1800, 3)


async def test_lists_for_the_host_and_for_players(client: httpx.AsyncClient, given: dict[str, Any]) -> None:
    await client.get(f"/assignments/code/{given['assignment']['code']}", headers=given["alice"])
    hosted = (await client.get("/assignments", headers=given["hana"])).json()
    assert hosted["total"] == 1 and hosted["items"][0]["progress"]["given"] == 1
    assert hosted["items"][0]["players"] is None
    assert (await client.get("/assignments?role=player", headers=given["hana"])).json()["total"] == 0
    mine = (await client.get("/assignments?role=player", headers=given["alice"])).json()
    assert [item["title"] for item in mine["items"]] == ["Homework 1"]
    assert mine["items"][0]["attempt"]["status"] == "not_started"
    assert (await client.get("/assignments?role=nobody", headers=given["alice"])).status_code == 422
    assert (await client.get("/assignments")).status_code == 401


async def due_notes(client: httpx.AsyncClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    items = (await client.get("/notifications", headers=auth)).json()["items"]
    return [item for item in items if item["kind"] == "assignment_due"]


async def test_a_day_before_the_due_date_players_who_have_not_finished_are_reminded_once(
    client: httpx.AsyncClient, app: Any, signup: Signup, given: dict[str, Any], clock: ManualClock
) -> None:
    due = START + timedelta(days=1, minutes=2)
    created = await assign(
        client, given["hana"], given["assignment"]["quiz_id"], title="Homework 2", due_at=iso(due)
    )
    code, assignment_id = created.json()["code"], created.json()["id"]
    cleo = await signup("cleo")
    for auth in (given["alice"], given["bob"], cleo):
        await client.get(f"/assignments/code/{code}", headers=auth)
    bob = (await client.post(f"/assignments/code/{code}/attempts", headers=given["bob"])).json()
    await finish(app, bob["game_id"], await user_id(client, given["bob"]), 1500, 2000)
    await client.post(f"/assignments/code/{code}/attempts", headers=cleo)  # started, not finished
    assert await app.state.scheduler.run("remind_assignments") == 0  # more than a day ahead
    clock.advance(3 * 60_000)  # 23 h 59 min before the due date
    assert await app.state.scheduler.run("remind_assignments") == 2
    assert await app.state.scheduler.run("remind_assignments") == 0  # once
    for auth in (given["alice"], cleo):
        (note,) = await due_notes(client, auth)
        assert note["text"] == "“Homework 2” is due 2026-03-11 09:02 UTC and you have not finished it yet."
        assert note["data"] == {
            "assignment_id": assignment_id,
            "title": "Homework 2",
            "code": code,
            "due_at": "2026-03-11T09:02:00Z",
            "url": f"/play?assignment={code}",
        }
    assert await due_notes(client, given["bob"]) == [] and await due_notes(client, given["hana"]) == []


async def test_claiming_an_attempt_is_a_compare_and_set(
    client: httpx.AsyncClient, db: Database, given: dict[str, Any]
) -> None:
    """Two requests starting the same attempt at once both read "no game yet"; only the first claim
    holds, and the route then gives the loser the winner's room."""
    assignment_id = given["assignment"]["id"]
    await client.get(f"/assignments/code/{given['assignment']['code']}", headers=given["alice"])
    alice = await user_id(client, given["alice"])
    first, second = await make_game(db), await make_game(db)
    async with db.uow() as uow:
        assert await uow.assignments.claim(assignment_id, alice, None, first, START) is True
        assert await uow.assignments.claim(assignment_id, alice, None, second, START) is False
        assert await uow.assignments.claim(assignment_id, alice, second, second, START) is False
        assert await uow.assignments.claim(assignment_id, alice, first, second, START) is True  # a new try
        await uow.commit()
    async with db.uow() as uow:
        row = await uow.assignments.player(assignment_id, alice)
        assert row is not None and (row.game_id, row.started_at) == (second, START)
