"""Whole live games over real sockets on a manual clock: every question kind scored to the point,
answers racing, refused and late, questions closing by time, by answers and by the host, kicks,
late joins, locks, full rooms, nicknames, void and accept, and two rooms side by side.

Players never answer the server's pings unless a test says so, so no round-trip allowance applies
and an answer's credited time is exactly the manual time between the question and the answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rooms.owner.runner import DROP_GRACE_MS
from tests.e2e.conftest import create_game, sign_up
from tests.e2e.harness import Live, Player, Table, closed, host_seat, join, option_id, seat, sync, until

DEADLINE_SLACK_MS = 300  # the room waits this long past the time limit for round-trip allowances


def part(frame: dict[str, Any], **expected: Any) -> None:
    """Assert that `frame` has these fields with these values (and maybe others)."""
    assert {key: frame.get(key, "<absent>") for key in expected} == expected, frame


def standings(board: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(entry["nickname"], entry["score"], entry["rank"]) for entry in board["top"]]


def quiz(*questions: dict[str, Any]) -> dict[str, Any]:
    return {"title": "Small", "description": "", "tags": [], "published": False, "questions": list(questions)}


def single(text: str = "Capital of France?", time_limit: int = 20) -> dict[str, Any]:
    return {"kind": "single", "text": text, "time_limit": time_limit,
            "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]}


TWO_SINGLES = quiz(single("First?"), single("Second?"))


async def game_as(live: Live, username: str, document: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """Like `create_game`, for a host account of another name (so two games can run at once)."""
    auth = await sign_up(live.http, username)
    response = await live.http.post("/quizzes", json=document, headers=auth)
    assert response.status_code == 201, response.text
    response = await live.http.post("/games", json={"quiz_id": response.json()["id"], "settings": settings},
                                    headers=auth)
    assert response.status_code == 201, response.text
    return {**response.json(), "auth": auth}


async def answer_at(
    live: Live, at_ms: int, since_ms: int, player: Player, question: int, answer: Any
) -> None:
    """Move the clock to `since_ms + at_ms`, then `player` answers and must be accepted."""
    await live.advance(since_ms + at_ms - live.clock.now_ms())
    ack = await player.answer(question, answer)
    assert ack == {"type": "answer_ack", "question": question, "accepted": True}, ack


def receipt(sent: int, after_ms: int) -> dict[str, Any]:
    return {"sent": sent, "received": sent + after_ms, "rtt_ms": None, "credited_ms": after_ms}


# --- a whole game ---------------------------------------------------------------------------------


async def play_every_kind(live: Live) -> dict[str, Any]:
    """A host and three players through EVERY_KIND, checking every frame on the way (see the plan in
    each step); returns what the results checks need."""
    game = await create_game(live)
    alice_auth = await sign_up(live.http, "alice")
    alice_id = (await live.http.get("/auth/me", headers=alice_auth)).json()["id"]
    host = await host_seat(live, game)
    token = alice_auth["Authorization"].removeprefix("Bearer ")
    players = [await join(live, game["pin"], "Alice", token=token),
               await join(live, game["pin"], "Bob"), await join(live, game["pin"], "Cleo")]
    await live.advance(250)
    assert (await host.expect("lobby"))["count"] == 3
    table = Table(live, game, host, players)
    alice, bob, cleo = players
    ids = {p.nickname: p.id for p in players}

    async def closing(expected_board: list[tuple[str, int, int]]) -> tuple[dict, dict[str, dict]]:
        reveals, results = [], {}
        for player in players:
            reveal, result, board = await player.closing()
            reveals.append(reveal)
            results[player.nickname] = result
            assert board["players"] == 3
            assert standings(board) == expected_board
        assert all(r == reveals[0] for r in reveals[1:])  # the same bytes for everyone
        return reveals[0], results

    # Q0 single: Alice right after 1 s, Bob wrong after 2 s, Cleo silent: it closes at the deadline.
    sent = (await table.open_question())["server_time"]
    q = table.questions["Alice"]
    paris, lyon = option_id(q, "Paris"), option_id(q, "Lyon")
    await answer_at(live, 1000, sent, alice, 0, paris)
    await answer_at(live, 2000, sent, bob, 0, lyon)
    await live.advance(sent + 20_000 + DEADLINE_SLACK_MS - 1 - live.clock.now_ms())
    assert not [f for f in await sync(alice.client) if f["type"] == "reveal"]
    await live.advance(1)
    reveal, results = await closing([("Alice", 975, 1), ("Cleo", 0, 2), ("Bob", 0, 3)])
    part(reveal, question=0, correct=[paris], distribution={paris: 1, lyon: 1})
    part(results["Alice"], question=0, correct=True, points=975, streak=1, score=975, rank=1,
         receipt=receipt(sent, 1000))
    # Equal scores: ranked by total credited time, and Bob spent 2 s being wrong.
    part(results["Bob"], correct=False, points=0, streak=0, score=0, rank=3, receipt=receipt(sent, 2000))
    part(results["Cleo"], correct=False, points=0, streak=0, score=0, rank=2, receipt="<absent>")

    # Q1 multiple (2 and 3 are primes): Alice both under 0.5 s (all points, +100 streak bonus),
    # Cleo one right and one wrong (nothing), Bob one of two (half, by speed).
    sent = (await table.open_question("next"))["server_time"]
    q = table.questions["Alice"]
    two, three, four = (option_id(q, text) for text in ("2", "3", "4"))
    await answer_at(live, 400, sent, alice, 1, [three, two])
    await answer_at(live, 1000, sent, cleo, 1, [two, four])
    await answer_at(live, 2000, sent, bob, 1, [two])
    reveal, results = await closing([("Alice", 2075, 1), ("Bob", 475, 2), ("Cleo", 0, 3)])
    part(reveal, question=1, correct=[two, three], distribution={two: 3, three: 1, four: 1})
    part(results["Alice"], correct=True, points=1100, streak=2, score=2075, receipt=receipt(sent, 400))
    part(results["Bob"], correct=False, points=475, streak=0, score=475)
    part(results["Cleo"], correct=False, points=0, streak=0, score=0)

    # Q2 true/false, 10 s: the sky is not green.
    sent = (await table.open_question("next"))["server_time"]
    assert "options" not in table.questions["Bob"]
    await answer_at(live, 1000, sent, alice, 2, False)
    await answer_at(live, 2000, sent, bob, 2, True)
    await answer_at(live, 5000, sent, cleo, 2, False)
    reveal, results = await closing([("Alice", 3225, 1), ("Cleo", 750, 2), ("Bob", 475, 3)])
    part(reveal, question=2, correct=False, distribution={"true": 1, "false": 2})
    part(results["Alice"], correct=True, points=950 + 200, streak=3, score=3225, rank=1)
    part(results["Cleo"], correct=True, points=750, streak=1, score=750, rank=2)
    part(results["Bob"], correct=False, points=0, streak=0, rank=3)

    # Q3 typed, 30 s: spelling and case do not matter, surrounding punctuation neither.
    sent = (await table.open_question("next"))["server_time"]
    await answer_at(live, 1000, sent, bob, 3, "Atlantic")
    await answer_at(live, 3000, sent, alice, 3, "pacific ocean")
    await answer_at(live, 6000, sent, cleo, 3, "  PACIFIC! ")
    reveal, results = await closing([("Alice", 4475, 1), ("Cleo", 1750, 2), ("Bob", 475, 3)])
    part(reveal, question=3, correct=["Pacific", "Pacific Ocean"],
         distribution={"atlantic": 1, "pacific ocean": 1, "pacific": 1})
    part(results["Alice"], correct=True, points=950 + 300, streak=4)
    part(results["Cleo"], correct=True, points=900 + 100, streak=2)

    # Q4 slider 0..200, 100 +/- 5: 107 earns 60 %, 120 nothing.
    sent = (await table.open_question("next"))["server_time"]
    await answer_at(live, 500, sent, cleo, 4, 120)
    await answer_at(live, 1000, sent, bob, 4, 107)
    await answer_at(live, 2000, sent, alice, 4, 100)
    reveal, results = await closing([("Alice", 5825, 1), ("Cleo", 1750, 2), ("Bob", 1060, 3)])
    part(reveal, question=4, correct={"value": 100, "tolerance": 5, "also": []},
         distribution={"100": 2, "120": 1})
    part(results["Alice"], correct=True, points=950 + 400, streak=5)
    part(results["Bob"], correct=False, points=585, streak=0, score=1060)
    part(results["Cleo"], correct=False, points=0, streak=0)

    # Q5 ordering: Bob has one item of three in place; Cleo does not answer.
    sent = (await table.open_question("next"))["server_time"]
    q = table.questions["Alice"]
    one, two_, three_ = (option_id(q, text) for text in ("1", "2", "3"))
    await answer_at(live, 1000, sent, alice, 5, [one, two_, three_])
    await answer_at(live, 2000, sent, bob, 5, [one, three_, two_])
    await live.advance(sent + 20_000 + DEADLINE_SLACK_MS - live.clock.now_ms())
    reveal, results = await closing([("Alice", 7300, 1), ("Cleo", 1750, 2), ("Bob", 1377, 3)])
    part(reveal, question=5, correct=[one, two_, three_],
         distribution={"correct": 1, "partial": 1, "wrong": 0})
    part(results["Alice"], correct=True, points=975 + 500, streak=6)
    part(results["Bob"], correct=False, points=317, score=1377)
    part(results["Cleo"], points=0, streak=0, receipt="<absent>")

    # Q6 poll: no points, no solution, streaks untouched; the host closes it.
    sent = (await table.open_question("next"))["server_time"]
    q = table.questions["Alice"]
    cats, dogs = option_id(q, "cats"), option_id(q, "dogs")
    await answer_at(live, 1000, sent, alice, 6, cats)
    await answer_at(live, 1000, sent, bob, 6, dogs)
    await host.send(type="close_question")
    reveal, results = await closing([("Alice", 7300, 1), ("Cleo", 1750, 2), ("Bob", 1377, 3)])
    assert "correct" not in reveal and reveal["distribution"] == {cats: 1, dogs: 1}
    part(results["Alice"], points=0, streak=6, score=7300)

    # The end: podium, then each player's final result (XP only for an account: 10 + 7300 // 20 + 50).
    await host.send(type="next")
    finished = await host.expect("finished")
    assert finished["game_id"] == game["id"]
    assert [(e["nickname"], e["score"], e["rank"]) for e in finished["podium"]] == [
        ("Alice", 7300, 1), ("Cleo", 1750, 2), ("Bob", 1377, 3)]
    finals = {}
    for player in players:
        assert (await player.expect("finished")) == finished
        finals[player.nickname] = await player.expect("result")
        assert "question" not in finals[player.nickname]
    part(finals["Alice"], score=7300, rank=1, xp_gained=425, level=3, correct_count=6)
    part(finals["Bob"], score=1377, rank=3, xp_gained=0, level="<absent>")
    part(finals["Cleo"], score=1750, rank=2, xp_gained=0, correct_count=2)

    await live.settle()  # the results sink runs in the background
    return {"game": game, "alice_auth": alice_auth, "alice_id": alice_id, "ids": ids, "paris": paris}


async def test_a_full_game_of_every_kind_scores_and_ranks_every_answer(live: Live) -> None:
    played = await play_every_kind(live)
    game = played["game"]
    outsider = await sign_up(live.http, "mallory")
    assert (await live.http.get(f"/games/{game['id']}", headers=outsider)).status_code == 403
    assert (await live.http.get(f"/games/{game['id']}")).status_code == 401
    assert (await live.http.get("/games/999999", headers=game["auth"])).status_code == 404


async def test_a_finished_game_serves_players_scores_and_answers_with_receipts(live: Live) -> None:
    played = await play_every_kind(live)
    game, alice_auth, alice_id, ids = played["game"], played["alice_auth"], played["alice_id"], played["ids"]
    response = await live.http.get(f"/games/{game['id']}", headers=game["auth"])
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["status"] == "finished"
    assert sorted((p["nickname"], p["score"], p["rank"], p["correct_count"], p["user_id"])
                  for p in report["players"]) == [("Alice", 7300, 1, 6, alice_id), ("Bob", 1377, 3, 0, None),
                                                   ("Cleo", 1750, 2, 2, None)]
    answers = report["answers"]
    assert [sum(1 for a in answers if a["question"] == i) for i in range(7)] == [2, 3, 3, 3, 3, 2, 2]
    for player_id in ids.values():  # each score is the sum of that player's stored points
        score = next(p["score"] for p in report["players"] if p["id"] == player_id)
        assert sum(a["points"] for a in answers if a["player"] == player_id) == score
    first = next(a for a in answers if a["player"] == ids["Alice"] and a["question"] == 0)
    assert first["answer"] == played["paris"] and first["correct"] is True and first["points"] == 975
    assert first["streak"] == 1 and first["receipt"]["credited_ms"] == 1000
    assert first["receipt"]["received"] - first["receipt"]["sent"] == 1000
    partial = next(a for a in answers if a["player"] == ids["Bob"] and a["question"] == 5)
    assert partial["points"] == 317 and partial["correct"] is False

    assert (await live.http.get(f"/games/{game['id']}", headers=alice_auth)).status_code == 200


async def test_a_round_trip_allowance_comes_off_the_credited_time(live: Live) -> None:
    game = await create_game(live, quiz(single()))
    table = await seat(live, game)
    ann = await join(live, game["pin"], "Ann", pong=True)
    table.players.append(ann)
    await live.advance(400)  # the welcome ping is answered 400 ms after it was sent
    await sync(ann.client)
    await sync(ann.client)  # the pong has been handled before the clock moves again
    sent = (await table.open_question())["server_time"]
    await live.advance(3000)
    await ann.answer(0, option_id(table.questions["Ann"], "Paris"))
    _, result, _ = await ann.closing()
    # Half the 400 ms round trip is taken off: 3000 - 200.
    assert result["receipt"] == {"sent": sent, "received": sent + 3000, "rtt_ms": 400, "credited_ms": 2800}
    assert result["points"] == 930


# --- rooms side by side ---------------------------------------------------------------------------


def not_pings(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [frame for frame in frames if frame["type"] != "ping"]


async def test_two_live_rooms_never_see_each_others_events(live: Live) -> None:
    first = await create_game(live, TWO_SINGLES)
    second = await game_as(live, "otherhost", TWO_SINGLES)
    one = await seat(live, first, "Ann", "Ben")
    two = await seat(live, second, "Cat")
    room_one = [one.host, one["Ann"].client, one["Ben"].client]
    room_two = [two.host, two["Cat"].client]
    for client in room_two:
        await sync(client)  # read what room two sent so far

    await one.open_question()
    await one["Ann"].answer(0, option_id(one.questions["Ann"], "Paris"))
    await one["Ben"].answer(0, option_id(one.questions["Ben"], "Lyon"))
    await one["Ann"].closing()
    await live.advance(250)
    for client in room_two:
        assert not_pings(await sync(client)) == []
    for client in room_one:
        await sync(client)

    await two.open_question()
    question = two.questions["Cat"]
    assert question["seq"] == 2 and question["text"] == "First?"  # room two numbers its own events
    await two["Cat"].answer(0, option_id(question, "Paris"))
    _, result, board = await two["Cat"].closing()
    assert result["score"] == 1000 and [e["nickname"] for e in board["top"]] == ["Cat"]
    for client in room_one:
        assert not_pings(await sync(client)) == []


# --- answers --------------------------------------------------------------------------------------


async def test_answers_in_the_same_instant_each_count_once(live: Live) -> None:
    game = await create_game(live, quiz(single()))
    names = [f"P{i}" for i in range(12)]
    table = await seat(live, game, *names)
    await table.open_question()
    await live.advance(1000)
    right = {p.nickname: p.nickname in names[:8] for p in table.players}

    async def answer(player: Player) -> None:
        choice = "Paris" if right[player.nickname] else "Lyon"
        option = option_id(table.questions[player.nickname], choice)
        await player.send(type="answer", question=0, answer=option)

    await asyncio.gather(*(answer(p) for p in table.players))
    for player in table.players:
        assert (await player.expect("answer_ack"))["accepted"] is True
    paris = option_id(table.questions["P0"], "Paris")
    lyon = option_id(table.questions["P0"], "Lyon")
    for player in table.players:  # every connected player answered: it closes without the clock
        reveal, result, board = await player.closing()
        assert reveal["distribution"] == {paris: 8, lyon: 4}
        assert result["points"] == (975 if right[player.nickname] else 0) == result["score"]
        assert board["players"] == 12
    assert [(e["score"], e["rank"]) for e in board["top"]] == [(975, 1)] * 8 + [(0, 9)] * 2


async def test_a_second_answer_is_a_duplicate_and_changes_nothing(live: Live) -> None:
    game = await create_game(live, quiz(single()))
    table = await seat(live, game, "Ann", "Ben")
    await table.open_question()
    ann, question = table["Ann"], table.questions["Ann"]
    await live.advance(1000)
    assert (await ann.answer(0, option_id(question, "Lyon")))["accepted"] is True
    await live.advance(1000)
    ack = await ann.answer(0, option_id(question, "Paris"))
    assert ack == {"type": "answer_ack", "question": 0, "accepted": False, "reason": "duplicate"}
    # Two at once from one socket: the first is already there, both are duplicates.
    await ann.send(type="answer", question=0, answer=option_id(question, "Paris"))
    await ann.send(type="answer", question=0, answer=option_id(question, "Paris"))
    assert [(await ann.expect("answer_ack"))["reason"] for _ in range(2)] == ["duplicate", "duplicate"]
    await table.host.send(type="close_question")
    reveal, result, _ = await ann.closing()
    assert sum(reveal["distribution"].values()) == 1
    assert result["correct"] is False and result["points"] == 0 and result["receipt"]["credited_ms"] == 1000


async def test_an_answer_past_the_players_own_deadline_is_too_late_and_never_scores(live: Live) -> None:
    game = await create_game(live, quiz(single()))
    table = await seat(live, game, "Ann", "Ben")
    sent = (await table.open_question())["server_time"]
    await live.advance(20_001)  # past Ann's 20 s (no round-trip allowance), before the room closes
    ack = await table["Ann"].answer(0, option_id(table.questions["Ann"], "Paris"))
    assert ack == {"type": "answer_ack", "question": 0, "accepted": False, "reason": "too_late"}
    await live.advance(sent + 20_000 + DEADLINE_SLACK_MS - live.clock.now_ms())
    reveal, result, _ = await table["Ann"].closing()
    assert sum(reveal["distribution"].values()) == 0
    part(result, points=0, score=0, correct=False, receipt="<absent>")


async def test_an_answer_during_the_read_time_is_too_early_and_does_not_use_it_up(live: Live) -> None:
    game = await create_game(live, quiz(single()), read_time_ms=3000)
    table = await seat(live, game, "Ann")
    sent = (await table.open_question())["server_time"]
    ann, paris = table["Ann"], option_id(table.questions["Ann"], "Paris")
    assert table.questions["Ann"]["read_time_ms"] == 3000
    await live.advance(2999)
    assert (await ann.answer(0, paris)) == {"type": "answer_ack", "question": 0, "accepted": False,
                                            "reason": "too_early"}
    await live.advance(1001)
    assert (await ann.answer(0, paris))["accepted"] is True
    _, result, _ = await ann.closing()
    # The time limit counts from the end of the read time.
    assert result["receipt"] == {"sent": sent, "received": sent + 4000, "rtt_ms": None, "credited_ms": 1000}
    assert result["points"] == 975


async def test_the_read_time_delays_the_deadline(live: Live) -> None:
    game = await create_game(live, quiz(single()), read_time_ms=3000)
    table = await seat(live, game, "Ann")
    await table.open_question()
    await live.advance(3000 + 20_000 + DEADLINE_SLACK_MS - 1)
    assert (await table.live.app.state.node.store.load(game["pin"])).phase == "question"
    await live.advance(1)
    await table["Ann"].closing()


async def test_answers_to_another_or_a_closed_question_are_closed_and_misfits_are_invalid(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES)
    table = await seat(live, game, "Ann", "Ben")
    await table.open_question()
    ann, paris = table["Ann"], option_id(table.questions["Ann"], "Paris")
    for question, answer in ((1, paris), (7, paris)):
        assert (await ann.answer(question, answer))["reason"] == "closed"
    for misfit in ("no-such-option", ["list"], True, 3, None, {"id": paris}):
        ack = await ann.answer(0, misfit)
        assert ack == {"type": "answer_ack", "question": 0, "accepted": False, "reason": "invalid"}, misfit
    assert (await ann.answer(0, paris))["accepted"] is True  # none of that used up the answer
    await table.host.send(type="close_question")
    await ann.closing()
    assert (await ann.answer(0, paris))["reason"] == "closed"
    await table.open_question("next")
    assert (await ann.answer(0, paris))["reason"] == "closed"


# --- how a question closes ------------------------------------------------------------------------


async def test_a_question_nobody_answers_closes_on_time(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES)
    table = await seat(live, game, "Ann", "Ben")
    await table.open_question()
    await live.advance(20_000 + DEADLINE_SLACK_MS - 1)
    assert [f for f in await sync(table.host) if f["type"] == "reveal"] == []
    await live.advance(1)
    for player in table.players:
        reveal, result, board = await player.closing()
        assert reveal["question"] == 0 and sum(reveal["distribution"].values()) == 0
        part(result, question=0, points=0, score=0, correct=False, rank=1)
        assert [e["rank"] for e in board["top"]] == [1, 1]
    assert (await table.host.expect("reveal"))["question"] == 0
    await table.open_question("next")  # and the game goes on
    assert table.questions["Ann"]["question"] == 1


async def test_a_question_closes_as_soon_as_every_connected_player_has_answered(live: Live) -> None:
    game = await create_game(live, quiz(single()))
    table = await seat(live, game, "Ann", "Ben", "Cid")
    await table.open_question()
    await table["Cid"].client.close()  # gone: the room waits for Cid only for the drop grace
    runner = live.app.state.node.runners[game["pin"]]
    await until(lambda: table["Cid"].id not in runner.connected)
    await table["Ann"].answer(0, option_id(table.questions["Ann"], "Paris"))
    assert [f for f in await sync(table["Ann"].client) if f["type"] == "reveal"] == []
    await table["Ben"].answer(0, option_id(table.questions["Ben"], "Paris"))
    assert [f for f in await sync(table["Ann"].client) if f["type"] == "reveal"] == []
    await live.advance(DROP_GRACE_MS)
    reveal, result, _ = await table["Ann"].closing()
    assert reveal["distribution"][option_id(table.questions["Ann"], "Paris")] == 2
    assert result["points"] == 1000


async def test_the_host_closes_a_question_at_once(live: Live) -> None:
    game = await create_game(live, quiz(single()))
    table = await seat(live, game, "Ann", "Ben")
    await table.open_question()
    await table["Ann"].answer(0, option_id(table.questions["Ann"], "Paris"))
    await table.host.send(type="close_question")
    for player in table.players:
        _, result, _ = await player.closing()
        assert result["points"] == (1000 if player.nickname == "Ann" else 0)
    await table.host.send(type="close_question")  # nothing open any more
    assert (await table.host.expect("error"))["code"] == "wrong_state"


# --- kick -----------------------------------------------------------------------------------------


async def test_a_kicked_player_is_closed_4001_cannot_resume_and_leaves_the_scoreboard(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES)
    table = await seat(live, game, "Ann", "Ben")
    ann, ben = table["Ann"], table["Ben"]
    await table.open_question()
    await ann.answer(0, option_id(table.questions["Ann"], "Paris"))
    await ben.answer(0, option_id(table.questions["Ben"], "Paris"))
    _, _, board = await ann.closing()
    assert {e["nickname"] for e in board["top"]} == {"Ann", "Ben"}

    await table.host.send(type="kick", player=ben.id)
    error = await ben.expect("error")
    assert error["code"] == "kicked"
    assert await closed(ben.client) == 4001
    await live.advance(250)
    lobby = await table.host.expect("lobby")
    assert lobby["left"] == [ben.id] and lobby["count"] == 1

    again = await live.connect()
    await again.send(type="resume", token=ben.resume_token, last_seq=0)
    assert (await again.expect("error"))["code"] in ("unauthorized", "kicked")
    await again.send(type="join", pin=game["pin"], nickname="Ben")  # the nickname is free again
    assert (await again.expect("welcome"))["player"]["id"] != ben.id

    await table.host.send(type="next")
    question = await ann.expect("question")
    await ann.answer(1, option_id(question, "Paris"))
    await table.host.send(type="close_question")
    _, result, board = await ann.closing()
    assert ben.id not in [e["id"] for e in board["top"]]
    assert result["rank"] == 1 and board["players"] == 2  # Ann and the new Ben
    await table.host.send(type="kick", player=ben.id)  # a second kick: no such player any more
    assert (await table.host.expect("error"))["code"] == "not_found"


# --- joining --------------------------------------------------------------------------------------


async def test_a_late_joiner_cannot_answer_the_open_question_but_answers_the_next(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES)
    table = await seat(live, game, "Ann")
    await table.open_question()
    late = await join(live, game["pin"], "Lou")
    state = late.welcome["state"]
    assert state["phase"] == "question" and state["question"]["question"] == 0
    ack = await late.answer(0, option_id(state["question"], "Paris"))
    assert ack["accepted"] is False and ack["reason"] == "closed"
    await table["Ann"].answer(0, option_id(table.questions["Ann"], "Lyon"))  # Ann was the only one due
    await table["Ann"].closing()
    reveal = await late.expect("reveal")
    assert sum(reveal["distribution"].values()) == 1
    table.players.append(late)
    await table.open_question("next")
    assert (await late.answer(1, option_id(table.questions["Lou"], "Paris")))["accepted"] is True
    await table["Ann"].answer(1, option_id(table.questions["Ann"], "Lyon"))
    _, result, board = await late.closing()
    assert result["points"] == 1000 and result["rank"] == 1 and board["top"][0]["nickname"] == "Lou"


async def test_without_late_join_a_started_game_refuses_joins(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES, late_join=False)
    table = await seat(live, game, "Ann")
    await table.open_question()
    client = await live.connect()
    await client.send(type="join", pin=game["pin"], nickname="Lou")
    assert (await client.expect("error"))["code"] == "wrong_state"
    await client.send(type="join", pin=game["pin"], nickname="Lou")  # the socket is still open
    assert (await client.expect("error"))["code"] == "wrong_state"
    await table["Ann"].answer(0, option_id(table.questions["Ann"], "Paris"))
    _, result, board = await table["Ann"].closing()
    assert result["points"] == 1000 and board["players"] == 1


async def test_a_locked_room_refuses_joins_until_unlocked(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES)
    table = await seat(live, game, "Ann")
    await table.host.send(type="lock", locked=True)
    assert (await table.host.expect("lobby"))["locked"] is True
    client = await live.connect()
    await client.send(type="join", pin=game["pin"], nickname="Lou")
    assert (await client.expect("error"))["code"] == "room_locked"
    await table.host.send(type="lock", locked=False)
    assert (await table.host.expect("lobby"))["locked"] is False
    await client.send(type="join", pin=game["pin"], nickname="Lou")
    assert (await client.expect("welcome"))["player"]["nickname"] == "Lou"


async def test_a_full_room_refuses_joins(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES, max_players=2)
    table = await seat(live, game, "Ann", "Ben")
    client = await live.connect()
    await client.send(type="join", pin=game["pin"], nickname="Cid")
    assert (await client.expect("error"))["code"] == "room_full"
    await table["Ben"].send(type="leave")
    assert await closed(table["Ben"].client) == 1000
    await live.settle()
    await client.send(type="join", pin=game["pin"], nickname="Cid")  # a seat came free
    assert (await client.expect("welcome"))["player"]["nickname"] == "Cid"


BAD_NICKNAMES = [("ann", "nickname_taken"), ("ANN", "nickname_taken"), ("\uff21nn", "nickname_taken"),
                 (" Ann ", "nickname_taken"), ("", "bad_request"), ("   ", "bad_request"),
                 ("\u202e\u200b", "bad_request"), ("x" * 25, "bad_request"), ("x" * 201, "bad_request"),
                 (7, "bad_request")]


async def test_nicknames_are_unique_after_folding_and_must_be_visible_and_short(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES)
    await seat(live, game, "Ann")
    client = await live.connect()
    for nickname, code in BAD_NICKNAMES:
        await client.send(type="join", pin=game["pin"], nickname=nickname)
        assert (await client.expect("error"))["code"] == code, nickname
    await client.send(type="join", pin=game["pin"], nickname="x" * 24)  # the socket can still join
    assert (await client.expect("welcome"))["player"]["nickname"] == "x" * 24


async def test_control_and_bidi_characters_are_stripped_from_nicknames(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES)
    table = await seat(live, game)
    player = await join(live, game["pin"], "\u202eB\u200bo\u0007b\u202c  \t Marley\n")
    assert player.nickname == "Bob Marley"
    await live.advance(250)
    assert (await table.host.expect("lobby"))["joined"] == [{"id": player.id, "nickname": "Bob Marley"}]


# --- void and accept ------------------------------------------------------------------------------


async def test_void_and_accept_after_a_reveal_recompute_scores_streaks_and_ranks(live: Live) -> None:
    document = quiz(single("First?"),
                    {"kind": "type", "text": "Largest ocean?", "time_limit": 20, "accepted": ["Pacific"]},
                    single("Third?"))
    game = await create_game(live, document)
    table = await seat(live, game, "Ann", "Ben")
    ann, ben = table["Ann"], table["Ben"]

    sent = (await table.open_question())["server_time"]
    await answer_at(live, 1000, sent, ann, 0, option_id(table.questions["Ann"], "Paris"))
    await answer_at(live, 1000, sent, ben, 0, option_id(table.questions["Ben"], "Lyon"))
    await ann.closing()
    await ben.closing()

    sent = (await table.open_question("next"))["server_time"]
    await answer_at(live, 1000, sent, ben, 1, "Pacifc")
    await answer_at(live, 2000, sent, ann, 1, "Pacific")
    _, result, _ = await ann.closing()
    part(result, points=950 + 100, streak=2, score=975 + 1050, rank=1)
    _, result, _ = await ben.closing()
    part(result, correct=False, points=0, streak=0, score=0, rank=2)

    # Accept Ben's spelling: his answer now counts, by its own time; Ann is unchanged.
    await table.host.send(type="accept", question=1, answer="pacifc")
    result, board = await ben.expect("result"), await ben.expect("scoreboard")
    part(result, question=1, correct=True, points=975, streak=1, score=975, rank=2)
    assert standings(board) == [("Ann", 2025, 1), ("Ben", 975, 2)]
    part(await ann.expect("result"), question=1, points=1050, streak=2, score=2025)
    await sync(table.host)

    # Void question 0: nobody scores it and it leaves streaks alone, so Ann loses her bonus.
    await table.host.send(type="void", question=0)
    board = await table.host.expect("scoreboard")
    assert standings(board) == [("Ben", 975, 1), ("Ann", 950, 2)]
    part(await ann.expect("result"), question=1, correct=True, points=950, streak=1, score=950, rank=2)
    part(await ben.expect("result"), question=1, points=975, streak=1, score=975, rank=1)

    # Both right on question 2 and equal in score and in credited time (Ann 2 + 1 s, Ben 1 + 2 s):
    # they share rank 1.
    sent = (await table.open_question("next"))["server_time"]
    await answer_at(live, 1000, sent, ann, 2, option_id(table.questions["Ann"], "Paris"))
    await answer_at(live, 2000, sent, ben, 2, option_id(table.questions["Ben"], "Paris"))
    _, result, board = await ann.closing()
    part(result, points=975 + 100, streak=2, score=2025, rank=1)
    assert [(e["score"], e["rank"]) for e in board["top"]] == [(2025, 1), (2025, 1)]
    _, result, _ = await ben.closing()
    part(result, points=950 + 100, streak=2, score=2025, rank=1)

    await table.host.send(type="next")
    finished = await table.host.expect("finished")
    assert [(e["score"], e["rank"]) for e in finished["podium"]] == [(2025, 1), (2025, 1)]
    for player in (ann, ben):
        part(await player.expect("result"), score=2025, rank=1, correct_count=2, xp_gained=0)


async def test_void_and_accept_are_refused_before_the_reveal(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES)
    table = await seat(live, game, "Ann")
    await table.host.send(type="void", question=0)
    assert (await table.host.expect("error"))["code"] == "wrong_state"
    await table.open_question()
    await table.host.send(type="accept", question=0, answer="Lyon")
    assert (await table.host.expect("error"))["code"] == "wrong_state"
    await table.host.send(type="void", question=1)
    assert (await table.host.expect("error"))["code"] == "wrong_state"
    await table["Ann"].answer(0, option_id(table.questions["Ann"], "Paris"))
    _, result, _ = await table["Ann"].closing()
    assert result["score"] == 1000


# --- the end --------------------------------------------------------------------------------------


async def test_end_during_a_question_finishes_the_game_at_once(live: Live) -> None:
    game = await create_game(live, TWO_SINGLES)
    table = await seat(live, game, "Ann", "Ben")
    await table.open_question()
    await table["Ann"].answer(0, option_id(table.questions["Ann"], "Paris"))
    await table["Ben"].answer(0, option_id(table.questions["Ben"], "Paris"))
    await table["Ann"].closing()
    await table.open_question("next")
    await table["Ann"].answer(1, option_id(table.questions["Ann"], "Paris"))
    await table.host.send(type="end")
    finished = await table.host.expect("finished")
    assert [e["score"] for e in finished["podium"]] == [1000, 1000]  # the open question never counted
    final = await table["Ann"].expect("result")
    part(final, score=1000, xp_gained=0)
    assert (await table["Ben"].answer(1, option_id(table.questions["Ben"], "Paris")))["accepted"] is False
    await table.host.send(type="end")
    assert (await table.host.expect("error"))["code"] == "wrong_state"
