"""Bad input on real sockets: every refusal is an `error` frame that changes nothing (the socket, the
player's answer and the room go on, other players see nothing), except a frame over 64 KiB (1009)
and a foreign Origin (1008)."""

from __future__ import annotations

from typing import Any

import orjson

from tests.e2e.conftest import create_game
from tests.e2e.harness import Live, Table, closed, option_id, seat, sync

QUIZ = {"title": "One", "description": "", "tags": [], "published": False, "questions": [
    {"kind": "single", "text": "Capital of France?", "time_limit": 20,
     "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]},
    {"kind": "single", "text": "Again?", "time_limit": 20,
     "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]},
]}


async def question_open(live: Live) -> Table:
    """Ann and Ben in a game whose first question is open."""
    game = await create_game(live, QUIZ)
    table = await seat(live, game, "Ann", "Ben")
    await table.open_question()
    return table


async def room_goes_on(table: Table) -> None:
    """Ann can still answer, Ben saw no error, and the question closes and scores as usual."""
    ann, ben = table["Ann"], table["Ben"]
    assert (await ann.answer(0, option_id(table.questions["Ann"], "Paris")))["accepted"] is True
    assert [frame for frame in await sync(ben.client) if frame["type"] == "error"] == []
    assert (await ben.answer(0, option_id(table.questions["Ben"], "Lyon")))["accepted"] is True
    _, result, board = await ann.closing()
    assert result["correct"] is True and result["points"] == result["score"] > 0 and result["rank"] == 1
    names = [entry["nickname"] for entry in board["top"]]
    assert names[0] == "Ann" and "Ben" in names


def encode(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


UNREADABLE = ["{nope", "", "[1, 2]", '"answer"', "null", "17", encode({"question": 0, "answer": "x"}),
              encode({"type": 7}), encode({"type": None})]
WRONG_FIELDS = [
    {"type": "answer", "question": "0", "answer": "x"},
    {"type": "answer", "question": -1, "answer": "x"},
    {"type": "answer", "question": 1.0, "answer": "x"},
    {"type": "answer", "answer": "x"},
    {"type": "ping", "t": "soon"},
    {"type": "pong"},
    {"type": "pong", "t": [1]},
]
SECOND_FIRST_FRAMES = [
    {"type": "join", "pin": "123456", "nickname": "Eve"},
    {"type": "host", "pin": "123456", "token": "x"},
    {"type": "resume", "token": "x", "last_seq": 0},
]


async def refused(table: Table, frames: list[str], code: str) -> None:
    """Ann sends each frame; each gets an `error` with `code` and a message."""
    ann = table["Ann"]
    for raw in frames:
        await ann.client.send_raw(raw)
        error = await ann.expect("error")
        assert (error["code"], bool(error["message"])) == (code, True), raw


async def test_frames_that_are_not_json_objects_with_a_string_type_are_bad_requests(live: Live) -> None:
    table = await question_open(live)
    await refused(table, UNREADABLE, "bad_request")
    await room_goes_on(table)


async def test_an_unknown_type_is_refused(live: Live) -> None:
    table = await question_open(live)
    unknown = [{"type": "dance"}, {"type": "ANSWER", "question": 0, "answer": "x"}]
    await refused(table, [encode(frame) for frame in unknown], "unknown_type")
    await room_goes_on(table)


async def test_fields_of_the_wrong_type_or_missing_are_bad_requests(live: Live) -> None:
    table = await question_open(live)
    await refused(table, [encode(frame) for frame in WRONG_FIELDS], "bad_request")
    await room_goes_on(table)


async def test_a_seated_socket_cannot_take_another_role(live: Live) -> None:
    table = await question_open(live)
    await refused(table, [encode(frame) for frame in SECOND_FIRST_FRAMES], "bad_request")
    await room_goes_on(table)


async def test_a_binary_frame_is_read_like_a_text_frame(live: Live) -> None:
    table = await question_open(live)
    paris = option_id(table.questions["Ann"], "Paris")
    await table["Ann"].client.send_raw(orjson.dumps({"type": "answer", "question": 0, "answer": paris}))
    assert (await table["Ann"].expect("answer_ack"))["accepted"] is True


async def test_a_player_sending_host_commands_is_forbidden(live: Live) -> None:
    table = await question_open(live)
    commands = [{"type": "start"}, {"type": "next"}, {"type": "close_question"}, {"type": "end"},
                {"type": "kick", "player": table["Ben"].id}, {"type": "lock", "locked": True},
                {"type": "void", "question": 0}, {"type": "accept", "question": 0, "answer": "x"}]
    await refused(table, [encode(frame) for frame in commands], "forbidden")
    await room_goes_on(table)


async def test_the_host_cannot_answer(live: Live) -> None:
    table = await question_open(live)
    await table.host.send(type="answer", question=0, answer=option_id(table.questions["Ann"], "Paris"))
    assert (await table.host.expect("error"))["code"] == "forbidden"
    await room_goes_on(table)


async def test_a_wrong_pin_is_not_found_and_the_socket_can_try_again(live: Live) -> None:
    game = await create_game(live, QUIZ)
    table = await seat(live, game, "Ann")
    other = f"{(int(game['pin']) + 1) % 1_000_000:06d}"
    client = await live.connect()
    await client.send(type="join", pin=other, nickname="Eve")
    assert (await client.expect("error"))["code"] == "not_found"
    await client.send(type="host", pin=other, token=game["host_token"])
    assert (await client.expect("error"))["code"] == "not_found"
    await client.send(type="join", pin="12345", nickname="Eve")  # not six digits
    assert (await client.expect("error"))["code"] == "bad_request"
    await client.send(type="join", pin=game["pin"], nickname="Eve")
    assert (await client.expect("welcome"))["player"]["nickname"] == "Eve"
    await live.advance(250)
    assert [p["nickname"] for p in (await table.host.expect("lobby"))["joined"]] == ["Eve"]


async def test_a_join_with_a_bad_access_token_is_unauthorized_and_can_be_retried_without(live: Live) -> None:
    game = await create_game(live, QUIZ)
    await seat(live, game, "Ann")
    client = await live.connect()
    await client.send(type="join", pin=game["pin"], nickname="Eve", token="not-a-jwt")
    assert (await client.expect("error"))["code"] == "unauthorized"
    await client.send(type="join", pin=game["pin"], nickname="Eve")
    assert (await client.expect("welcome"))["player"]["nickname"] == "Eve"


async def test_a_wrong_host_token_is_unauthorized_and_the_socket_can_try_again(live: Live) -> None:
    game = await create_game(live, QUIZ)
    table = await seat(live, game, "Ann")
    client = await live.connect()
    await client.send(type="host", pin=game["pin"], token=game["host_token"][:-1] + "x")
    assert (await client.expect("error"))["code"] == "unauthorized"
    await client.send(type="start")  # still nobody: no host command from a socket without a role
    assert (await client.expect("error"))["code"] == "bad_request"
    assert [f for f in await sync(table["Ann"].client) if f["type"] == "question"] == []
    await client.send(type="host", pin=game["pin"], token=game["host_token"])
    assert (await client.expect("welcome"))["role"] == "host"
    await client.send(type="start")
    assert (await table["Ann"].expect("question"))["question"] == 0


async def test_a_garbage_resume_token_is_unauthorized(live: Live) -> None:
    table = await question_open(live)
    client = await live.connect()
    for token in ["garbage", "x" * 2048, "\u00e9\u0000", table["Ann"].resume_token + "x"]:
        await client.send(type="resume", token=token, last_seq=0)
        assert (await client.expect("error"))["code"] == "unauthorized", token
    await client.send(type="join", pin=table.game["pin"], nickname="Eve")
    assert (await client.expect("welcome"))["state"]["phase"] == "question"
    await room_goes_on(table)


async def test_flooding_past_the_socket_rate_is_limited_and_the_socket_recovers(live: Live) -> None:
    table = await question_open(live)
    ann, ben = table["Ann"], table["Ben"]
    flood = 60
    for n in range(flood):
        await ann.send(type="ping", t=n)
    replies: list[dict[str, Any]] = []
    while len(replies) < flood:
        frame = await ann.client.recv()
        if frame["type"] != "ping":  # the server's own pings may come in between
            replies.append(frame)
    pongs = [frame["t"] for frame in replies if frame["type"] == "pong"]
    limited = [frame for frame in replies if frame.get("code") == "rate_limited"]
    assert len(pongs) + len(limited) == flood and limited and len(pongs) >= 20
    assert pongs == list(range(len(pongs)))  # the first ones went through, in order
    # An answer over the limit is refused without being looked at: it does not use up the answer.
    paris = option_id(table.questions["Ann"], "Paris")
    await ann.send(type="answer", question=0, answer=paris)
    assert (await ann.expect("error"))["code"] == "rate_limited"
    # Ben has a rate of his own.
    await ben.send(type="ping", t=1)
    assert (await ben.expect("pong"))["t"] == 1
    await live.advance(1000)  # the bucket refills with time
    await room_goes_on(table)


async def test_a_frame_over_64_kib_closes_the_socket_with_1009_and_the_room_goes_on(live: Live) -> None:
    table = await question_open(live)
    ann = table["Ann"]
    await ann.client.send_raw(encode({"type": "ping", "t": 1, "pad": "x" * (64 * 1024)}))
    assert await closed(ann.client) == 1009
    runner = live.app.state.node.runners[table.game["pin"]]
    assert [f for f in await sync(table["Ben"].client) if f["type"] == "error"] == []
    await sync(table.host)
    assert ann.id not in runner.connected
    # Ann comes back on a new socket and the game carries on as if nothing happened.
    back = await live.connect()
    back.auto_pong = False
    await back.send(type="resume", token=ann.resume_token, last_seq=table.questions["Ann"]["seq"])
    assert (await back.expect("welcome"))["recovered"] is True
    table.players[0].client = back
    await room_goes_on(table)


async def test_a_frame_of_exactly_64_kib_is_read(live: Live) -> None:
    table = await question_open(live)
    head, tail = '{"type":"ping","t":5,"pad":"', '"}'
    frame = head + "x" * (64 * 1024 - len(head) - len(tail)) + tail
    assert len(frame.encode()) == 64 * 1024
    await table["Ann"].client.send_raw(frame)
    assert (await table["Ann"].expect("pong"))["t"] == 5
    await room_goes_on(table)


async def test_a_foreign_origin_is_refused_with_1008(live: Live) -> None:
    game = await create_game(live, QUIZ)
    table = await seat(live, game, "Ann")
    stranger = await live.connect(Origin="https://evil.example")
    assert await closed(stranger) == 1008
    same_site = await live.connect(Origin=live.base_url)
    await same_site.send(type="join", pin=game["pin"], nickname="Sam")
    assert (await same_site.expect("welcome"))["player"]["nickname"] == "Sam"
    await live.advance(250)
    assert [p["nickname"] for p in (await table.host.expect("lobby"))["joined"]] == ["Sam"]
