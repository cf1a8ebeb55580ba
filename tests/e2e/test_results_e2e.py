"""A real game over sockets, then what it left behind: the persisted results, each account's XP,
level, badges and leaderboard positions, the CSV export, and a second write that changes nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

from persistence.levels import level_for, xp_for_game
from rooms.core.results import FinishedGame
from server.game_export import COLUMNS
from tests.e2e.conftest import create_game, sign_up
from tests.e2e.harness import Client, Live

QUIZ: dict[str, Any] = {
    "title": "Three capitals",
    "description": "",
    "tags": [],
    "published": True,
    "questions": [
        {
            "kind": "single",
            "text": f"Capital of {country}?",
            "time_limit": 20,
            "options": [{"text": right, "correct": True}, {"text": wrong, "correct": False}],
        }
        for country, right, wrong in (
            ("France", "Paris", "Lyon"),
            ("Italy", "Rome", "Milan"),
            ("Spain", "Madrid", "Seville"),
        )
    ],
}
RIGHT = ("Paris", "Rome", "Madrid")
WRONG = ("Lyon", "Milan", "Seville")


class Recording:
    """Passes finished games on to the real sink, keeping a copy (to write one again later)."""

    def __init__(self, inner: Any):
        self.inner, self.games = inner, []

    async def record(self, game: FinishedGame) -> None:
        self.games.append(game)
        await self.inner.record(game)


async def account(live: Live, name: str) -> tuple[dict[str, str], int]:
    auth = await sign_up(live.http, name)
    return auth, (await live.http.get("/auth/me", headers=auth)).json()["id"]


async def join(live: Live, pin: str, nickname: str, auth: dict[str, str] | None = None) -> Client:
    client = await live.connect()
    client.auto_pong = False  # no round-trip allowance: credited time is exactly the clock's
    frame: dict[str, Any] = {"type": "join", "pin": pin, "nickname": nickname}
    if auth is not None:
        frame["token"] = auth["Authorization"].removeprefix("Bearer ")
    await client.send(**frame)
    assert (await client.expect("welcome"))["role"] == "player"
    return client


def option(question: dict[str, Any], text: str) -> str:
    return next(o["id"] for o in question["options"] if o["text"] == text)


async def play(live: Live, game: dict[str, Any], players: dict[str, Client]) -> dict[str, dict[str, Any]]:
    """Alice answers everything right after 1 s, Bob the first two right after 2 s and the last
    wrong, Cleo everything wrong after 3 s; returns each player's per-question results and final."""
    host = await live.connect()
    await host.send(type="host", pin=game["pin"], token=game["host_token"])
    await host.expect("welcome")
    await live.advance(250)
    assert (await host.expect("lobby"))["count"] == 3
    seen: dict[str, dict[str, Any]] = {name: {"results": []} for name in players}
    for index in range(3):
        await host.send(type="start" if index == 0 else "next")
        questions = {name: await client.expect("question") for name, client in players.items()}
        for name, delay, right in (("Alice", 1000, True), ("Bob", 1000, index < 2), ("Cleo", 1000, False)):
            await live.advance(delay)
            text = (RIGHT if right else WRONG)[index]
            await players[name].send(type="answer", question=index, answer=option(questions[name], text))
            assert (await players[name].expect("answer_ack"))["accepted"] is True
        await live.settle()  # everyone answered: the question closes
        for name, client in players.items():
            seen[name]["results"].append(await client.expect("result"))
    await host.send(type="next")
    for name, client in players.items():
        finished = await client.expect("finished")
        seen[name]["final"] = await client.expect("result")
        seen[name]["game_id"] = finished["game_id"]
    await live.settle()  # the results sink runs as the room's background work
    return seen


async def snapshot(live: Live, game_id: int, auth: dict[str, str], users: list[int]) -> list[Any]:
    """Everything REST says about the game and its players."""
    out = [(await live.http.get(f"/games/{game_id}", headers=auth)).json()]
    out += [(await live.http.get(f"/users/{user}/progress")).json() for user in users]
    out += [(await live.http.get("/leaderboards/global")).json()]
    return out


async def test_a_played_game_is_persisted_rewarded_ranked_and_exported(live: Live) -> None:
    recording = Recording(live.app.state.node.sink)
    live.app.state.node.sink = recording
    game = await create_game(live, QUIZ)
    alice_auth, alice = await account(live, "alice")
    bob_auth, bob = await account(live, "bob")
    players = {
        "Alice": await join(live, game["pin"], "Alice", alice_auth),
        "Bob": await join(live, game["pin"], "Bob", bob_auth),
        "Cleo": await join(live, game["pin"], "Cleo"),
    }
    seen = await play(live, game, players)
    finals = {name: seen[name]["final"] for name in players}
    assert [finals[name]["rank"] for name in ("Alice", "Bob", "Cleo")] == [1, 2, 3]
    assert seen["Alice"]["game_id"] == game["id"]

    # The final frames promised XP and levels without the database; the database agrees.
    for name, user_id in (("Alice", alice), ("Bob", bob)):
        final = finals[name]
        assert final["xp_gained"] == xp_for_game(final["score"], final["rank"], 3) > 0
        progress = (await live.http.get(f"/users/{user_id}/progress")).json()
        assert (progress["xp"], progress["level"]) == (final["xp_gained"], final["level"])
        assert final["level"] == level_for(final["xp_gained"])
        assert progress["games_played"] == 1
    alice_progress = (await live.http.get(f"/users/{alice}/progress")).json()
    bob_progress = (await live.http.get(f"/users/{bob}/progress")).json()
    assert {b["code"] for b in alice_progress["badges"]} == {
        "first_game",
        "perfect_game",
        "fastest_answer",
        "winner",
    }
    assert {b["code"] for b in bob_progress["badges"]} == {"first_game"}
    assert (alice_progress["games_won"], bob_progress["games_won"]) == (1, 0)
    assert "level" not in finals["Cleo"] and finals["Cleo"]["xp_gained"] == 0

    # The game's report: every player and every answer with the receipt the player was shown.
    report = (await live.http.get(f"/games/{game['id']}", headers=bob_auth)).json()
    assert report["status"] == "finished"
    assert sorted((p["nickname"], p["score"], p["rank"]) for p in report["players"]) == [
        (name, finals[name]["score"], finals[name]["rank"]) for name in ("Alice", "Bob", "Cleo")
    ]
    nickname = {p["id"]: p["nickname"] for p in report["players"]}
    for answer in report["answers"]:
        shown = seen[nickname[answer["player"]]]["results"][answer["question"]]
        assert (answer["points"], answer["correct"], answer["receipt"]) == (
            shown["points"],
            shown["correct"],
            shown["receipt"],
        )
    assert len(report["answers"]) == 9

    # Leaderboards: XP of all time and of today (the rooms' manual clock starts now), and the quiz's
    # own board by score.
    board = (await live.http.get("/leaderboards/global")).json()
    assert [(e["rank"], e["user"]["username"], e["xp"], e["level"]) for e in board["items"]] == [
        (1, "alice", finals["Alice"]["xp_gained"], finals["Alice"]["level"]),
        (2, "bob", finals["Bob"]["xp_gained"], finals["Bob"]["level"]),
    ]
    today = (await live.http.get("/leaderboards/global", params={"period": "day"})).json()
    assert [(e["rank"], e["user"], e["xp"]) for e in today["items"]] == [
        (e["rank"], e["user"], e["xp"]) for e in board["items"]
    ]
    quiz_id = report["quiz_id"]
    board = (await live.http.get(f"/leaderboards/quizzes/{quiz_id}")).json()
    assert [(e["rank"], e["user"]["id"], e["score"]) for e in board["items"]] == [
        (1, alice, finals["Alice"]["score"]),
        (2, bob, finals["Bob"]["score"]),
    ]

    # The CSV export: a header, then a row per player per question that matches the play.
    response = await live.http.get(
        f"/games/{game['id']}/export", params={"format": "csv"}, headers=game["auth"]
    )
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 9
    for row in rows:
        shown = seen[row["nickname"]]["results"][int(row["question"])]
        assert (int(row["points"]), row["correct"], int(row["credited_ms"])) == (
            shown["points"],
            "true" if shown["correct"] else "false",
            shown["receipt"]["credited_ms"],
        )
        assert (
            int(row["sent"]) == shown["receipt"]["sent"]
            and int(row["received"]) == shown["receipt"]["received"]
        )
        assert row["answer_text"] == (RIGHT if shown["correct"] else WRONG)[int(row["question"])]
    for name in players:
        assert sum(int(r["points"]) for r in rows if r["nickname"] == name) == finals[name]["score"]

    # Writing the same game again changes nothing anyone can see.
    (finished,) = recording.games
    before = await snapshot(live, game["id"], alice_auth, [alice, bob])
    await recording.inner.game_finished(finished)
    assert await snapshot(live, game["id"], alice_auth, [alice, bob]) == before
