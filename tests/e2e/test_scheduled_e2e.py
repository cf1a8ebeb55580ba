"""A scheduled session end to end over real sockets: an invited player listens on a `subscribe`
socket, the session opens at its time (the clock moved, the job run), the player is told its PIN and
joins it, and the host takes the seat with the host token the session gives its owner."""

from __future__ import annotations

from server.moments import moment
from tests.e2e.conftest import sign_up
from tests.e2e.harness import Live, sync

HOUR_MS = 3_600_000
QUIZ = {
    "title": "Capitals",
    "questions": [{"kind": "true_false", "text": "Paris is in France", "correct": True}],
}


async def test_an_invited_player_is_told_and_joins_and_the_host_takes_the_seat(live: Live) -> None:
    http, clock = live.http, live.clock
    host, ines = await sign_up(http, "hana"), await sign_up(http, "ines")
    quiz_id = (await http.post("/quizzes", json=QUIZ, headers=host)).json()["id"]
    starts_at = moment(clock.now_ms() + HOUR_MS).strftime("%Y-%m-%dT%H:%M:%SZ")
    made = await http.post(
        "/games/scheduled",
        json={"quiz_id": quiz_id, "starts_at": starts_at, "invitees": ["ines"]},
        headers=host,
    )
    assert made.status_code == 201, made.text

    listener = await live.connect()
    await listener.send(type="subscribe", token=ines["Authorization"].removeprefix("Bearer "))
    assert (await listener.expect("subscribed"))["user_id"] > 0

    clock.advance(HOUR_MS)
    [opened] = await live.app.state.scheduler.run("open_scheduled_games")
    told = await listener.expect("notification")
    assert told["kind"] == "game_opening" and told["data"]["pin"] == opened.pin
    unread = (await http.get("/notifications", headers=ines)).json()
    assert [n["id"] for n in unread["items"]] == [told["id"]] and unread["unread"] == 1

    session = (await http.get(f"/games/scheduled/{made.json()['id']}", headers=host)).json()
    seat = await live.connect()
    await seat.send(type="host", pin=session["pin"], token=session["host_token"])
    assert (await seat.expect("welcome"))["role"] == "host"
    player = await live.connect()
    await player.send(type="join", pin=told["data"]["pin"], nickname="Ines", token=ines["Authorization"][7:])
    assert (await player.expect("welcome"))["role"] == "player"

    # The listener only listens: a room frame is refused and changes nothing.
    await listener.send(type="answer", question=0, answer=True)
    assert (await listener.expect("error"))["code"] == "bad_request"
    await sync(listener)
