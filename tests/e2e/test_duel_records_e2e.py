"""Duels end to end through the database: two signed-in players queue over real WebSockets, play a
duel to the end, and find their new ratings, records and histories over REST; a lone player's duel
against a bot is recorded but rated by no one (on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from rooms.core.settings import AUTO_ADVANCE_PAUSE_MS, AUTOSTART_COUNTDOWN_MS
from rooms.duel.service import MATCH_TICK_MS
from tests.e2e.conftest import sign_up
from tests.e2e.harness import Client, Live, option_id, sync

QUESTION_TIME_S = 20
QUIZ: dict[str, Any] = {
    "title": "Yes or no",
    "published": True,
    "questions": [
        {
            "kind": "single",
            "text": f"Question {n}?",
            "time_limit": 20,
            "options": [{"text": "yes", "correct": True}, {"text": "no", "correct": False}],
        }
        for n in range(6)
    ],
}


async def queue(live: Live, auth: dict[str, str], nickname: str) -> Client:
    client = await live.connect()
    await client.send(type="queue", nickname=nickname, token=auth["Authorization"].removeprefix("Bearer "))
    await client.expect("queued")
    return client


async def tick(live: Live, ms: int) -> None:
    """Advance the clock and let the matcher's round and the rooms' work finish."""
    live.clock.advance(ms)
    await live.settle()
    await live.app.state.node.duels.idle()
    await live.settle()


async def play(live: Live, players: list[tuple[Client, str]]) -> list[dict[str, Any]]:
    """Play the duel to its end, each player always giving their answer ("yes" or "no"); returns
    each player's `finished` frame."""
    await tick(live, AUTOSTART_COUNTDOWN_MS)
    while True:
        frames = [await client.expect("question") for client, _ in players]
        for (client, text), question in zip(players, frames, strict=True):
            await client.send(type="answer", question=question["question"], answer=option_id(question, text))
            assert (await client.expect("answer_ack"))["accepted"]
        await closed_question(live, players[0][0])
        await tick(live, AUTO_ADVANCE_PAUSE_MS)
        if question["question"] + 1 == question["total"]:
            return [await client.expect("finished") for client, _ in players]


async def closed_question(live: Live, client: Client) -> None:
    """Advance the clock a second at a time until the open question closes (at once when every
    player answered; a bot answers after its own response time)."""
    for _ in range(QUESTION_TIME_S + 1):
        if any(frame["type"] == "scoreboard" for frame in await sync(client)):
            return
        await tick(live, 1_000)
    raise AssertionError("the question never closed")


async def final_result(client: Client) -> dict[str, Any]:
    """The player's final `result` (the one without a question), whether before or after `finished`."""
    for frame in client.frames:
        if frame["type"] == "result" and "question" not in frame:
            return frame
    while True:
        frame = await client.expect("result")
        if "question" not in frame:
            return frame


async def me(live: Live, auth: dict[str, str]) -> int:
    return int((await live.http.get("/auth/me", headers=auth)).json()["id"])


async def test_two_players_duel_and_their_ratings_move(live: Live) -> None:
    ann_auth, ben_auth = await sign_up(live.http, "ann"), await sign_up(live.http, "ben")
    assert (await live.http.post("/quizzes", json=QUIZ, headers=ann_auth)).status_code == 201
    ann, ben = await queue(live, ann_auth, "Ann"), await queue(live, ben_auth, "Ben")
    await tick(live, MATCH_TICK_MS)
    matched = await ann.expect("matched")
    assert matched["opponent"]["nickname"] == "Ben" and matched["opponent"]["bot"] is False
    welcome = await ann.expect("welcome")
    await ben.expect("welcome")
    [finished, _] = await play(live, [(ann, "yes"), (ben, "no")])
    assert finished["winner"] == welcome["player"]["id"]
    await live.settle()

    ann_id, ben_id = await me(live, ann_auth), await me(live, ben_auth)
    history = (await live.http.get(f"/users/{ann_id}/duels")).json()
    [duel] = history["items"]
    assert (duel["game_id"], duel["outcome"], duel["rated"], duel["rating_change"]) == (
        finished["game_id"],
        "won",
        True,
        16,
    )
    assert duel["opponent"]["user"] == {"id": ben_id, "username": "ben"}
    assert duel["score"] > 0 and duel["opponent"]["score"] == 0
    ann_duels = (await live.http.get(f"/users/{ann_id}/progress")).json()["duels"]
    assert (ann_duels["won"], ann_duels["lost"], ann_duels["rating"], ann_duels["played"]) == (1, 0, 1216, 1)
    board = (await live.http.get("/leaderboards/duels")).json()
    assert [(line["user"]["username"], line["rating"]) for line in board["items"]] == [
        ("ann", 1216),
        ("ben", 1184),
    ]
    badges = {b["code"] for b in (await live.http.get(f"/users/{ann_id}/progress")).json()["badges"]}
    assert "first_duel_win" in badges


async def test_a_lone_player_meets_a_bot_and_keeps_their_rating(live: Live) -> None:
    auth = await sign_up(live.http, "solo")
    assert (await live.http.post("/quizzes", json=QUIZ, headers=auth)).status_code == 201
    solo = await queue(live, auth, "Solo")
    await tick(live, 10_000)  # nobody else came: a bot takes the seat
    matched = await solo.expect("matched")
    assert matched["opponent"]["bot"] is True
    await solo.expect("welcome")
    [finished] = await play(live, [(solo, "yes")])
    final = await final_result(solo)
    await live.settle()

    user_id = await me(live, auth)
    [duel] = (await live.http.get(f"/users/{user_id}/duels")).json()["items"]
    assert (duel["game_id"], duel["rated"], duel["rating_change"]) == (finished["game_id"], False, None)
    assert duel["opponent"]["bot"] is True and duel["opponent"]["nickname"] == matched["opponent"]["nickname"]
    progress = (await live.http.get(f"/users/{user_id}/progress")).json()
    assert progress["duels"] == {
        "won": 0,
        "lost": 0,
        "drawn": 0,
        "rating": 1200,
        "streak": 0,
        "best_streak": 0,
        "played": 1,
    }
    assert progress["xp"] == final["xp_gained"] > 0  # the reduced XP the room promised
    assert (await live.http.get("/leaderboards/duels")).json()["total"] == 0
