"""Coming back over real sockets: resume with the missed events or a snapshot, the clock of an open
question that never restarts, one live socket per player, and a host who reloads the page."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import create_game
from tests.e2e.harness import Live, Player, Table, closed, host_seat, option_id, seat, sync, until

LONG = {"title": "Long", "description": "", "tags": [], "published": False, "questions": [
    {"kind": "single", "text": f"Question {n}?", "time_limit": 240,
     "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]}
    for n in range(2)
]}
SHORT = {**LONG, "questions": [{**q, "time_limit": 20} for q in LONG["questions"]]}


async def drop(live: Live, game: dict[str, Any], player: Player) -> None:
    """Close `player`'s socket and wait until the room has seen it go."""
    await player.client.close()
    runner = live.app.state.node.runners[game["pin"]]
    await until(lambda: player.id not in runner.connected)


async def resume(live: Live, player: Player, last_seq: int) -> tuple[Player, list[dict[str, Any]]]:
    """A new socket resuming `player`: the new Player, and the frames after its welcome (pings aside)."""
    client = await live.connect()
    client.auto_pong = False
    await client.send(type="resume", token=player.resume_token, last_seq=last_seq)
    welcome = await client.recv()
    assert welcome["type"] == "welcome", welcome
    after = [frame for frame in await sync(client) if frame["type"] != "ping"]
    return Player(client, {**welcome, "resume_token": player.resume_token}), after


async def two_players_on_question_one(live: Live, document: dict[str, Any]) -> tuple[Table, int]:
    """Ann (right after 1 s: 975 on 20 s questions, streak 1) and Ben (right after 2 s) with
    question 1 just open; returns the table and when question 1 was sent."""
    game = await create_game(live, document)
    table = await seat(live, game, "Ann", "Ben")
    await table.open_question()
    await live.advance(1000)
    await table["Ann"].answer(0, option_id(table.questions["Ann"], "Paris"))
    await live.advance(1000)
    await table["Ben"].answer(0, option_id(table.questions["Ben"], "Paris"))
    for player in table.players:
        await player.closing()
    sent = (await table.open_question("next"))["server_time"]
    return table, sent


async def test_a_dropped_player_resumes_with_missed_events_its_score_and_its_own_clock(live: Live) -> None:
    table, sent = await two_players_on_question_one(live, SHORT)
    ann = table["Ann"]
    last_seq = table.questions["Ann"]["seq"]
    await live.advance(1000)
    await drop(live, table.game, ann)

    # While Ann is away: the host locks and unlocks, and a late joiner arrives.
    await table.host.send(type="lock", locked=True)
    await table.host.send(type="lock", locked=False)
    lou = await live.connect()
    await lou.send(type="join", pin=table.game["pin"], nickname="Lou")
    await lou.expect("welcome")
    await live.advance(250)
    await sync(table.host)

    await live.advance(sent + 5000 - live.clock.now_ms())
    back, missed = await resume(live, ann, last_seq)
    welcome = back.welcome
    assert welcome["recovered"] is True
    assert welcome["player"] == {"id": ann.id, "nickname": "Ann"}
    state = welcome["state"]
    assert (state["phase"], state["score"], state["streak"], state["rank"]) == ("question", 975, 1, 1)
    assert state["answered"] is False and state["question"]["question"] == 1
    assert state["remaining_ms"] == 15_000  # 20 s from when it was first sent, not from now
    assert "correct" not in str(state["question"]["options"])
    # The shared events after last_seq, in order and without a gap, up to welcome.seq.
    assert [frame["seq"] for frame in missed] == list(range(last_seq + 1, welcome["seq"] + 1))
    assert [(frame["type"], frame["locked"]) for frame in missed] == [("lobby", True), ("lobby", False),
                                                                      ("lobby", False)]
    assert missed[-1]["joined"][0]["nickname"] == "Lou"

    await live.advance(1000)
    assert (await back.answer(1, option_id(state["question"], "Paris")))["accepted"] is True
    await table["Ben"].answer(1, option_id(table.questions["Ben"], "Paris"))
    _, result, _ = await back.closing()
    # Credited 6 s from the first send: 1000 * (1 - 6000 / 40000) + the streak bonus for 2 in a row.
    assert result["receipt"]["sent"] == sent and result["receipt"]["credited_ms"] == 6000
    assert (result["points"], result["streak"], result["score"]) == (950, 2, 1925)


async def test_a_player_can_drop_and_resume_twice_in_a_row(live: Live) -> None:
    table, sent = await two_players_on_question_one(live, SHORT)
    ann = table["Ann"]
    last_seq = table.questions["Ann"]["seq"]
    await drop(live, table.game, ann)
    await table.host.send(type="lock", locked=True)
    await live.advance(2000)
    first, missed = await resume(live, ann, last_seq)
    assert first.welcome["recovered"] is True and [f["locked"] for f in missed] == [True]
    assert first.welcome["state"]["remaining_ms"] == 18_000

    await drop(live, table.game, first)
    await table.host.send(type="lock", locked=False)
    await live.advance(2000)
    second, missed = await resume(live, first, first.welcome["seq"])
    assert second.welcome["recovered"] is True and [f["locked"] for f in missed] == [False]
    state = second.welcome["state"]
    assert (state["score"], state["streak"], state["remaining_ms"]) == (975, 1, 16_000)
    assert second.welcome["player"]["nickname"] == "Ann"

    assert (await second.answer(1, option_id(state["question"], "Paris")))["accepted"] is True
    await table["Ben"].answer(1, option_id(table.questions["Ben"], "Lyon"))
    _, result, board = await second.closing()
    assert result["receipt"]["credited_ms"] == 4000 and result["score"] == 975 + 900 + 100
    assert board["top"][0]["nickname"] == "Ann"


async def test_a_resume_from_before_the_history_gets_a_snapshot_instead(live: Live) -> None:
    table, sent = await two_players_on_question_one(live, LONG)
    ann = table["Ann"]
    await live.advance(1000)
    assert (await ann.answer(1, option_id(table.questions["Ann"], "Paris")))["accepted"] is True
    last_seq = table.questions["Ann"]["seq"]
    await drop(live, table.game, ann)
    # More shared events than the room keeps (512): the host flips the lock over and over, and the
    # clock moves on so that its socket's rate limit lets it.
    for flip in range(520):
        live.clock.advance(100)
        await table.host.send(type="lock", locked=flip % 2 == 0)
        await table.host.expect("lobby")
    await live.settle()
    elapsed = live.clock.now_ms() - sent

    back, missed = await resume(live, ann, last_seq)
    assert back.welcome["recovered"] is False
    assert missed == []  # the snapshot replaces the events: nothing is replayed
    state = back.welcome["state"]
    assert state["phase"] == "question" and state["question"]["question"] == 1
    assert state["answered"] is True and state["remaining_ms"] == 240_000 - elapsed
    # 240 s questions: 1 s earns 1000 * (1 - 1000 / 480000).
    assert (state["score"], state["streak"], state["rank"]) == (998, 1, 1)
    assert [entry["nickname"] for entry in state["standings"]] == ["Ann", "Ben"]
    assert state["locked"] is False  # the room as of welcome.seq
    assert "correct" not in str(state["question"]["options"])
    assert state["result"]["question"] == 0 and state["result"]["points"] == 998
    ack = await back.answer(1, option_id(state["question"], "Lyon"))
    assert ack["reason"] == "duplicate"
    await sync(table["Ben"].client)  # read the backlog, so the socket closes promptly at teardown


async def test_a_second_socket_for_a_player_supersedes_the_first(live: Live) -> None:
    table, sent = await two_players_on_question_one(live, SHORT)
    ann = table["Ann"]
    newer, _ = await resume(live, ann, table.questions["Ann"]["seq"])
    assert newer.welcome["recovered"] is True
    assert await closed(ann.client) == 4002
    await live.advance(3000)
    assert (await newer.answer(1, option_id(table.questions["Ann"], "Paris")))["accepted"] is True
    await table["Ben"].answer(1, option_id(table.questions["Ben"], "Paris"))
    _, result, _ = await newer.closing()
    assert result["receipt"]["credited_ms"] == 3000 and result["score"] == 975 + 925 + 100


async def test_the_host_reloads_and_carries_on(live: Live) -> None:
    table, _ = await two_players_on_question_one(live, SHORT)
    reloaded = await host_seat(live, table.game)
    assert await closed(table.host) == 4002
    welcome = next(f for f in reloaded.frames if f["type"] == "welcome")
    assert welcome["state"]["phase"] == "question" and welcome["game_id"] == table.game["id"]
    assert sorted(entry["nickname"] for entry in welcome["state"]["roster"]) == ["Ann", "Ben"]
    await table["Ann"].answer(1, option_id(table.questions["Ann"], "Paris"))
    await reloaded.send(type="close_question")
    assert (await reloaded.expect("reveal"))["question"] == 1
    await table["Ben"].closing()
    await reloaded.send(type="next")
    finished = await reloaded.expect("finished")
    assert [entry["nickname"] for entry in finished["podium"]] == ["Ann", "Ben"]


# --- bugs -----------------------------------------------------------------------------------------------


async def test_a_resume_is_refused_once_120_seconds_have_passed_since_the_drop(live: Live) -> None:
    game = await create_game(live, SHORT)
    table = await seat(live, game, "Ann", "Ben")
    await drop(live, game, table["Ann"])
    await live.advance(120_001)
    await sync(table["Ben"].client)  # read the pings of two minutes
    client = await live.connect()
    await client.send(type="resume", token=table["Ann"].resume_token, last_seq=0)
    assert (await client.recv())["type"] == "error"


async def test_a_resume_within_120_seconds_of_the_drop_is_honoured(live: Live) -> None:
    game = await create_game(live, SHORT)
    table = await seat(live, game, "Ann", "Ben")
    await live.advance(60_000)
    await sync(table["Ben"].client)
    await drop(live, game, table["Ann"])
    await live.advance(119_000)
    await sync(table["Ben"].client)  # read the pings of two minutes
    back, _ = await resume(live, table["Ann"], 0)
    assert back.welcome["recovered"] is True and back.welcome["player"]["id"] == table["Ann"].id


async def test_a_player_first_sent_the_question_on_resume_gets_the_time_its_welcome_promises(
    live: Live,
) -> None:
    game = await create_game(live, SHORT)
    table = await seat(live, game, "Ann", "Ben")
    ann = table["Ann"]
    await drop(live, game, ann)
    await table.host.send(type="start")
    question = await table["Ben"].expect("question")
    await live.advance(10_000)
    back, missed = await resume(live, ann, ann.welcome["seq"])
    remaining = back.welcome["state"]["remaining_ms"]
    assert remaining == 20_000  # its own node sends it the question only now
    assert question["seq"] in [frame["seq"] for frame in missed]
    await live.advance(remaining - 1000)  # within the time the welcome promised
    ack = await back.answer(0, option_id(back.welcome["state"]["question"], "Paris"))
    assert ack["accepted"] is True
