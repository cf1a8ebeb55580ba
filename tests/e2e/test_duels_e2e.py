"""Duels end to end: the real app under uvicorn, real WebSocket clients, the database behind the duel's
sources and results. Two players queue, are matched, play and see the outcome (and their records);
a lone player gets a bot; refusals leave everything as it was."""

from __future__ import annotations

import asyncio
from typing import Any

from rooms.core.settings import AUTO_ADVANCE_PAUSE_MS, AUTOSTART_COUNTDOWN_MS
from rooms.duel.service import MATCH_TICK_MS
from server.config import Settings
from tests.e2e.conftest import sign_up
from tests.e2e.harness import WAIT_S, Client, Live, closed, sync

QUESTIONS = 5


def yes_or_no(n: int) -> dict[str, Any]:
    return {
        "kind": "single",
        "text": f"Question {n}?",
        "time_limit": 10,
        "options": [{"text": "yes", "correct": True}, {"text": "no", "correct": False}],
    }


DUEL_QUIZ = {
    "title": "Yes",
    "description": "",
    "tags": [],
    "published": True,
    "questions": [yes_or_no(n) for n in range(QUESTIONS)],
}


async def published_quiz(live: Live) -> int:
    auth = await sign_up(live.http, "author")
    response = await live.http.post("/quizzes", json=DUEL_QUIZ, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def tick(live: Live, ms: int = MATCH_TICK_MS) -> None:
    """Move the clock in matcher ticks and let each round (and the duels it opens) finish."""
    while ms > 0:
        await live.advance(min(ms, MATCH_TICK_MS))
        await asyncio.wait_for(live.app.state.node.duels.idle(), WAIT_S)
        await live.settle()
        ms -= MATCH_TICK_MS


async def queue(live: Live, nickname: str, **fields: Any) -> Client:
    client = await live.connect()
    await client.send(type="queue", nickname=nickname, **fields)
    queued = await client.expect("queued")
    assert queued["rating"] >= 0
    return client


def option(question: dict[str, Any], text: str) -> str:
    return next(o["id"] for o in question["options"] if o["text"] == text)


async def test_two_players_queue_match_play_and_see_the_outcome_and_their_records(live: Live) -> None:
    quiz_id = await published_quiz(live)
    ann_auth, ben_auth = await sign_up(live.http, "ann"), await sign_up(live.http, "ben")
    ann_token, ben_token = (a["Authorization"].removeprefix("Bearer ") for a in (ann_auth, ben_auth))
    ann = await queue(live, "Ann", token=ann_token, quiz=quiz_id)
    ben = await queue(live, "Ben", token=ben_token, quiz=quiz_id)
    await tick(live)
    ann_matched, ben_matched = await ann.expect("matched"), await ben.expect("matched")
    assert ann_matched["pin"] == ben_matched["pin"]
    assert ann_matched["opponent"] == {"nickname": "Ben", "bot": False, "rating": 1200}
    ann_welcome = await ann.expect("welcome")
    await ben.expect("welcome")
    assert ann_welcome["pin"] == ann_matched["pin"] and ann_welcome["state"]["starts_at"]
    await tick(live, AUTOSTART_COUNTDOWN_MS)
    for index in range(QUESTIONS):
        question = await ann.expect("question")
        await ben.expect("question")
        assert question["question"] == index
        await live.advance(800)
        await ann.send(type="answer", question=index, answer=option(question, "yes"))
        await ben.send(type="answer", question=index, answer=option(question, "no" if index == 2 else "yes"))
        assert (await ann.expect("answer_ack"))["accepted"] and (await ben.expect("answer_ack"))["accepted"]
        await live.settle()
        await ann.expect("reveal")
        await tick(live, AUTO_ADVANCE_PAUSE_MS)
    finished = await ann.expect("finished")
    assert finished["winner"] == ann_welcome["player"]["id"] and finished["forfeited"] == []
    assert (await ben.expect("finished"))["winner"] == finished["winner"]
    assert (await ann.expect("result"))["outcome"] == "won"
    assert (await ben.expect("result"))["outcome"] == "lost"
    await live.settle()
    me = (await live.http.get("/auth/me", headers=ann_auth)).json()
    progress = (await live.http.get(f"/users/{me['id']}/progress")).json()
    assert progress["duels"]["won"] == 1 and progress["duels"]["rating"] > 1200


async def test_a_lone_player_gets_a_bot_and_plays_it_to_the_end(live: Live) -> None:
    await published_quiz(live)
    ann = await queue(live, "Ann")
    await tick(live, round(Settings().duel_bot_after_s * 1000))
    matched = await ann.expect("matched")
    assert matched["opponent"]["bot"] is True and matched["opponent"]["rating"] == 1200
    welcome = await ann.expect("welcome")
    await tick(live, AUTOSTART_COUNTDOWN_MS)
    for _ in range(QUESTIONS):
        await ann.expect("question")
        await tick(live, 10_000 + 300)  # Ann leaves it to the bot, who answers within the limit
        reveal = await ann.expect("reveal")
        assert sum(reveal["distribution"].values()) == 1  # the bot's answer
        await tick(live, AUTO_ADVANCE_PAUSE_MS)
    finished = await ann.expect("finished")
    assert finished["winner"] in (None, *(p["id"] for p in finished["podium"]))
    assert finished["winner"] != welcome["player"]["id"]  # answering nothing never wins
    result = await ann.expect("result")
    assert result["outcome"] in ("lost", "draw") and result["xp_gained"] == 0  # a guest


async def test_refusals_in_the_queue_change_nothing(live: Live) -> None:
    quiz_id = await published_quiz(live)
    ann = await queue(live, "Ann", quiz=quiz_id)
    await ann.send(type="queue", nickname="Ann")
    assert (await ann.expect("error"))["code"] == "wrong_state"
    await ann.send(type="answer", question=0, answer="x")
    assert (await ann.expect("error"))["code"] == "wrong_state"
    nowhere = await live.connect()
    await nowhere.send(type="queue", nickname="Nowhere", quiz=quiz_id + 1000)
    assert (await nowhere.expect("error"))["code"] == "not_found"
    guest = await live.connect()
    await guest.send(type="queue", nickname="Guest", revenge=True)
    assert (await guest.expect("error"))["code"] == "unauthorized"
    ben = await queue(live, "Ben", quiz=quiz_id)
    await tick(live)
    assert (await ann.expect("matched"))["opponent"]["nickname"] == "Ben"  # Ann's place was kept
    await ben.expect("welcome")


async def test_leaving_the_queue_and_leaving_mid_duel(live: Live) -> None:
    quiz_id = await published_quiz(live)
    gone = await queue(live, "Gone", quiz=quiz_id)
    await gone.send(type="leave")
    assert await closed(gone) == 1000
    ann = await queue(live, "Ann", quiz=quiz_id)
    await tick(live, MATCH_TICK_MS * 2)
    assert not any(f["type"] == "matched" for f in await sync(ann))  # nobody left to meet
    ben = await queue(live, "Ben", quiz=quiz_id)
    await tick(live)
    ann_welcome = await ann.expect("welcome")
    await ben.expect("welcome")
    await tick(live, AUTOSTART_COUNTDOWN_MS)
    await ben.expect("question")
    await ben.send(type="leave")
    assert await closed(ben) == 1000
    await live.settle()
    finished = await ann.expect("finished")
    assert finished["winner"] == ann_welcome["player"]["id"] and len(finished["forfeited"]) == 1
    assert (await ann.expect("result"))["outcome"] == "won"


async def test_a_player_who_drops_resumes_the_duel_within_the_grace(live: Live) -> None:
    quiz_id = await published_quiz(live)
    ann = await queue(live, "Ann", quiz=quiz_id)
    ben = await queue(live, "Ben", quiz=quiz_id)
    await tick(live)
    welcome = await ann.expect("welcome")
    await ben.expect("welcome")
    await tick(live, AUTOSTART_COUNTDOWN_MS)
    question = await ann.expect("question")
    await ann.close()
    await live.advance(2_000)  # within the drop grace
    back = await live.connect()
    await back.send(type="resume", token=welcome["resume_token"], last_seq=question["seq"])
    resumed = await back.expect("welcome")
    assert resumed["recovered"] is True and resumed["state"]["phase"] == "question"
    await back.send(type="answer", question=0, answer=option(question, "yes"))
    assert (await back.expect("answer_ack"))["accepted"]
    await tick(live, 10_000)  # past the grace: nobody forfeited
    assert not any(f["type"] == "finished" for f in await sync(back))
