"""An assignment played end to end over real sockets: the host assigns a quiz, two players open the
link and play it alone, at different times, each in a room of their own that starts by itself and moves
on by the server's (manual) clock; results, XP and the host's progress come from the ordinary
results path. A due date passing mid-attempt lets the attempt play to its end, and no new one
start."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rooms.core.settings import AUTO_ADVANCE_PAUSE_MS, AUTOSTART_COUNTDOWN_MS
from tests.e2e.conftest import sign_up
from tests.e2e.harness import Live, Player, join, option_id
from tests.e2e.test_results_e2e import QUIZ as CAPITALS

QUIZ: dict[str, Any] = {**CAPITALS, "published": False}  # a draft: its owner may still assign it
RIGHT, WRONG = ("Paris", "Rome", "Madrid"), ("Lyon", "Milan", "Seville")
MINUTE_MS = 60_000


def moment(live: Live, ms_from_now: int) -> str:
    when = datetime.fromtimestamp((live.clock.now_ms() + ms_from_now) / 1000, UTC)
    return when.isoformat().replace("+00:00", "Z")


async def assignment(live: Live, due_in_ms: int) -> tuple[dict[str, str], dict[str, Any]]:
    host = await sign_up(live.http, "teacher")
    quiz = await live.http.post("/quizzes", json=QUIZ, headers=host)
    response = await live.http.post(
        "/assignments", json={"quiz_id": quiz.json()["id"], "due_at": moment(live, due_in_ms)}, headers=host
    )
    assert response.status_code == 201, response.text
    return host, response.json()


async def start(live: Live, code: str, auth: dict[str, str], nickname: str) -> tuple[Player, dict[str, Any]]:
    """Open the link, start an attempt, and sit down in its room: the countdown begins at once."""
    assert (await live.http.get(f"/assignments/code/{code}", headers=auth)).json()["role"] == "player"
    response = await live.http.post(f"/assignments/code/{code}/attempts", headers=auth)
    assert response.status_code == 201, response.text
    attempt = response.json()
    player = await join(live, attempt["pin"], nickname, token=auth["Authorization"].removeprefix("Bearer "))
    # The seat that completes the room starts its countdown: the welcome says when it ends.
    assert player.welcome["state"]["starts_at"] == live.clock.now_ms() + AUTOSTART_COUNTDOWN_MS
    return player, attempt


async def play(live: Live, player: Player, right: tuple[bool, ...], think_ms: int) -> dict[str, Any]:
    """Nobody hosts: the room starts after its countdown, each question closes when the player has
    answered, and the next one opens after the reveal's pause. Returns the final `result`."""
    await live.advance(AUTOSTART_COUNTDOWN_MS)
    for index, correct in enumerate(right):
        question = await player.expect("question")
        assert question["question"] == index
        await live.advance(think_ms)
        text = (RIGHT if correct else WRONG)[index]
        assert (await player.answer(index, option_id(question, text)))["accepted"] is True
        await live.settle()
        await player.closing()
        await live.advance(AUTO_ADVANCE_PAUSE_MS)
    await player.expect("finished")
    final = await player.expect("result")
    await live.settle()  # the results reach the database
    return final


async def test_two_players_play_one_assignment_at_different_times_and_the_host_sees_both(live: Live) -> None:
    host, created = await assignment(live, due_in_ms=2 * 24 * 60 * MINUTE_MS)
    code = created["code"]
    ada, bob = await sign_up(live.http, "ada"), await sign_up(live.http, "bob")

    player, ada_attempt = await start(live, code, ada, "Ada")
    ada_final = await play(live, player, (True, True, True), think_ms=1_000)
    progress = (await live.http.get(f"/assignments/{created['id']}", headers=host)).json()
    assert progress["progress"] == {
        "given": 1,
        "started": 1,
        "finished": 1,
        "average_score": ada_final["score"],
    }

    await player.client.close()  # Ada closes the page
    await live.advance(30 * MINUTE_MS)  # Bob plays half an hour later
    player, bob_attempt = await start(live, code, bob, "Bob")
    assert bob_attempt["pin"] != ada_attempt["pin"]
    bob_final = await play(live, player, (True, False, True), think_ms=4_000)

    view = (await live.http.get(f"/assignments/{created['id']}", headers=host)).json()
    lines = {line["user"]["username"]: line for line in view["players"]}
    assert {name: (line["status"], line["score"], line["rank"]) for name, line in lines.items()} == {
        "ada": ("finished", ada_final["score"], 1),
        "bob": ("finished", bob_final["score"], 2),
    }
    assert view["progress"]["average_score"] == (ada_final["score"] + bob_final["score"]) / 2
    assert (lines["ada"]["correct_count"], lines["bob"]["correct_count"]) == (3, 2)
    # Scored as live: 1 s of 20 keeps 975 of 1000 points, and the streak adds 100 and 200.
    assert ada_final["score"] == 3 * 975 + 100 + 200
    # Each attempt is an ordinary game: its report, the player's XP and level.
    for auth, final, line in ((ada, ada_final, lines["ada"]), (bob, bob_final, lines["bob"])):
        report = (await live.http.get(f"/games/{line['game_id']}", headers=host)).json()
        assert report["kind"] == "assignment" and report["status"] == "finished"
        assert [p["score"] for p in report["players"]] == [final["score"]]
        assert sum(a["points"] for a in report["answers"]) == final["score"]
        me = (await live.http.get("/auth/me", headers=auth)).json()
        assert me["xp"] == final["xp_gained"] > 0 and me["level"] == final["level"]
    again = await live.http.post(f"/assignments/code/{code}/attempts", headers=ada)
    assert again.status_code == 409


async def test_an_attempt_under_way_at_the_due_date_plays_to_its_end(live: Live) -> None:
    host, created = await assignment(live, due_in_ms=AUTOSTART_COUNTDOWN_MS + 10_000)
    ada, bob = await sign_up(live.http, "ada"), await sign_up(live.http, "bob")
    await live.http.get(f"/assignments/code/{created['code']}", headers=bob)  # bob opened it, never played
    player, _ = await start(live, created["code"], ada, "Ada")
    final = await play(live, player, (True, True, False), think_ms=6_000)  # due midway through
    late = await live.http.post(f"/assignments/code/{created['code']}/attempts", headers=bob)
    assert late.status_code == 409 and "due" in late.json()["error"]["message"]
    view = (await live.http.get(f"/assignments/{created['id']}", headers=host)).json()
    assert view["open"] is False
    assert {line["user"]["username"]: (line["status"], line["score"]) for line in view["players"]} == {
        "ada": ("finished", final["score"]),
        "bob": ("not_started", None),
    }
