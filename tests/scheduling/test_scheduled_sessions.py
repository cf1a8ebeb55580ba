"""Scheduled sessions over REST and the opener on an injected clock: a session opens at its time
(not before) through the same path as any game, its host takes the seat with the host token it is
given, its invitees see it in `GET /games/upcoming` and are notified; a restart keeps it; cancel,
bad input and a quiz gone by then (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import httpx

from persistence.db import Database
from persistence.models import Game
from rooms.core.settings import GameSettings
from rooms.edge.connection import Connection
from server.config import Settings
from server.scheduling.sessions import DUE_BATCH
from tests.e2e.conftest import sign_up
from tests.scheduling.helpers import HOUR_MS, QUIZ, Peer, client_of, iso, running, today_clock

OPEN_JOB = "open_scheduled_games"


async def schedule(http: httpx.AsyncClient, auth: dict[str, str], starts_ms: int, **extra: Any) -> dict:
    quiz = await http.post("/quizzes", json=QUIZ, headers=auth)
    assert quiz.status_code == 201, quiz.text
    body = {"quiz_id": quiz.json()["id"], "starts_at": iso(starts_ms), **extra}
    response = await http.post("/games/scheduled", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_session_opens_at_its_time_for_its_host_and_invitees(
    settings: Settings, db: Database
) -> None:
    clock = today_clock()
    async with running(settings, db, clock) as app, client_of(app) as http:
        host, ines = await sign_up(http, "hana"), await sign_up(http, "ines")
        await sign_up(http, "omar")
        starts = clock.now_ms() + HOUR_MS
        made = await schedule(
            http, host, starts, invitees=["INES", "ines", "hana"], settings={"late_join": False}
        )
        assert made["state"] == "scheduled" and made["invitees"] == ["ines"] and made["pin"] is None
        assert made["settings"]["late_join"] is False and made["host_token"] is None

        upcoming = (await http.get("/games/upcoming", headers=ines)).json()
        assert [(g["id"], g["state"], g["role"], g["pin"]) for g in upcoming["items"]] == [
            (made["id"], "scheduled", "player", None)
        ]
        assert (await http.get("/games/upcoming", headers=await sign_up(http, "zoe"))).json()["total"] == 0

        clock.advance(HOUR_MS - 1_000)
        assert await app.state.scheduler.run(OPEN_JOB) == []  # a second early: nothing yet
        clock.advance(1_000)
        [opened] = await app.state.scheduler.run(OPEN_JOB)
        assert await app.state.scheduler.run(OPEN_JOB) == []  # once

        mine = (await http.get(f"/games/scheduled/{made['id']}", headers=host)).json()
        assert mine["state"] == "open" and mine["pin"] == opened.pin and mine["game_id"] == opened.game_id
        assert mine["join_url"].endswith(f"/play?pin={opened.pin}")
        async with db.uow() as uow:
            game = await uow.session.get(Game, opened.game_id)
            assert (
                game is not None
                and game.status == "live"
                and game.host_id == mine["game_id"] * 0 + game.host_id
            )
            assert game.settings == GameSettings(late_join=False).as_dict()  # as POST /games stores them
            assert game.quiz_snapshot["title"] == "Capitals"

        # The host takes the seat with the token the session gives its owner.
        peer = Peer()
        edge = await app.state.node.edge(opened.pin)
        await edge.seat_host(Connection(peer), mine["host_token"])
        [welcome] = peer.of_type("welcome")
        assert welcome["role"] == "host" and welcome["game_id"] == opened.game_id

        upcoming = (await http.get("/games/upcoming", headers=ines)).json()["items"]
        assert [(g["state"], g["pin"]) for g in upcoming] == [("open", opened.pin)]
        told = (await http.get("/notifications", headers=ines)).json()
        assert told["unread"] == 1 and told["items"][0]["kind"] == "game_opening"
        assert told["items"][0]["data"]["pin"] == opened.pin and "hana" in told["items"][0]["text"]
        hosts = (await http.get("/notifications", headers=host)).json()["items"]
        assert [(n["kind"], n["data"]["role"]) for n in hosts] == [("game_opening", "host")]


async def test_a_restart_keeps_the_session(settings: Settings, db: Database) -> None:
    clock = today_clock()
    async with running(settings, db, clock) as app, client_of(app) as http:
        host = await sign_up(http, "hana")
        made = await schedule(http, host, clock.now_ms() + HOUR_MS)
    clock.advance(HOUR_MS)
    async with running(settings, db, clock) as again, client_of(again) as http:
        [opened] = await again.state.scheduler.run(OPEN_JOB)
        assert opened.scheduled_id == made["id"]
        assert opened.pin in again.state.node.runners  # the new life of the node owns the room
        listed = (await http.get("/games/scheduled", headers=host)).json()
        assert [(s["id"], s["state"]) for s in listed["items"]] == [(made["id"], "open")]


async def test_a_cancelled_session_never_opens(settings: Settings, db: Database) -> None:
    clock = today_clock()
    async with running(settings, db, clock) as app, client_of(app) as http:
        host, other = await sign_up(http, "hana"), await sign_up(http, "ines")
        made = await schedule(http, host, clock.now_ms() + HOUR_MS)
        assert (await http.delete(f"/games/scheduled/{made['id']}", headers=other)).status_code == 403
        assert (await http.delete(f"/games/scheduled/{made['id']}", headers=host)).status_code == 204
        again = await http.delete(f"/games/scheduled/{made['id']}", headers=host)
        assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
        clock.advance(HOUR_MS)
        assert await app.state.scheduler.run(OPEN_JOB) == []
        assert (await http.get(f"/games/scheduled/{made['id']}", headers=host)).json()["state"] == "cancelled"
        assert (await http.get("/games/scheduled/999", headers=host)).status_code == 404


async def test_a_session_whose_quiz_is_gone_fails_and_one_long_missed_is_not_opened(
    settings: Settings, db: Database
) -> None:
    clock = today_clock()
    async with running(settings, db, clock) as app, client_of(app) as http:
        host = await sign_up(http, "hana")
        gone = await schedule(http, host, clock.now_ms() + HOUR_MS)
        late = await schedule(http, host, clock.now_ms() + 2 * HOUR_MS)
        assert (await http.delete(f"/quizzes/{gone['quiz_id']}", headers=host)).status_code == 204
        clock.advance(HOUR_MS)
        assert await app.state.scheduler.run(OPEN_JOB) == []
        clock.advance(3 * HOUR_MS)  # every node was down at the second one's time, and long after
        assert await app.state.scheduler.run(OPEN_JOB) == []
        listed = (await http.get("/games/scheduled", headers=host)).json()["items"]
        states = {s["id"]: (s["state"], s["failure"]) for s in listed}
        assert states == {
            gone["id"]: ("failed", "the quiz no longer exists"),
            late["id"]: ("failed", "missed: no server was running at its time"),
        }
        assert not app.state.node.runners
        assert (await http.get("/games/upcoming", headers=host)).json()["items"] == []


async def test_scheduling_refuses_bad_input_and_changes_nothing(settings: Settings, db: Database) -> None:
    clock = today_clock()
    async with running(settings, db, clock) as app, client_of(app) as http:
        host, other = await sign_up(http, "hana"), await sign_up(http, "ines")
        quiz_id = (await http.post("/quizzes", json=QUIZ, headers=host)).json()["id"]
        soon = iso(clock.now_ms() + HOUR_MS)
        cases = [
            ({"quiz_id": quiz_id, "starts_at": iso(clock.now_ms() - HOUR_MS)}, 422, "starts_at"),
            ({"quiz_id": quiz_id, "starts_at": iso(clock.now_ms() + 400 * 24 * HOUR_MS)}, 422, "starts_at"),
            ({"quiz_id": quiz_id, "starts_at": "2026-12-24T18:00:00"}, 422, "starts_at"),  # no zone
            ({"quiz_id": quiz_id, "starts_at": 1_900_000_000}, 422, "starts_at"),
            ({"quiz_id": quiz_id, "starts_at": "tomorrow"}, 422, "starts_at"),
            ({"quiz_id": quiz_id, "starts_at": soon, "invitees": ["ines", "nobody"]}, 422, "invitees.1"),
            ({"quiz_id": quiz_id, "starts_at": soon, "role": "admin"}, 422, "role"),
        ]
        for body, status, path in cases:
            response = await http.post("/games/scheduled", json=body, headers=host)
            assert response.status_code == status, (body, response.text)
            assert response.json()["error"]["fields"][0]["path"] == path, body
        # Someone else's draft reads as no quiz at all; no token is a 401.
        assert (
            await http.post("/games/scheduled", json={"quiz_id": quiz_id, "starts_at": soon}, headers=other)
        ).status_code == 404
        assert (
            await http.post("/games/scheduled", json={"quiz_id": quiz_id, "starts_at": soon})
        ).status_code == 401
        assert (await http.get("/games/scheduled", headers=host)).json()["total"] == 0
        assert (await http.get("/games/upcoming")).status_code == 401


async def test_one_run_opens_every_due_session_beyond_a_batch(settings: Settings, db: Database) -> None:
    clock = today_clock()
    async with running(settings, db, clock) as app, client_of(app) as http:
        host = await sign_up(http, "hana")
        quiz_id = (await http.post("/quizzes", json=QUIZ, headers=host)).json()["id"]
        body = {"quiz_id": quiz_id, "starts_at": iso(clock.now_ms() + 60_000)}
        for _ in range(DUE_BATCH + 3):  # a class of sessions all due at nine o'clock
            assert (await http.post("/games/scheduled", json=body, headers=host)).status_code == 201
        clock.advance(60_000)
        opened = await app.state.scheduler.run(OPEN_JOB)
        assert len(opened) == DUE_BATCH + 3 and len({o.pin for o in opened}) == DUE_BATCH + 3
        assert await app.state.scheduler.run(OPEN_JOB) == []
