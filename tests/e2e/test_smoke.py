"""A first whole game over real sockets."""

from __future__ import annotations

from tests.e2e.conftest import create_game
from tests.e2e.harness import Live


async def test_join_start_answer_reveal(live: Live) -> None:
    game = await create_game(live)
    host = await live.connect()
    await host.send(type="host", pin=game["pin"], token=game["host_token"])
    welcome = await host.expect("welcome")
    assert welcome["role"] == "host"
    alice = await live.connect()
    await alice.send(type="join", pin=game["pin"], nickname="Alice")
    welcome = await alice.expect("welcome")
    assert welcome["player"]["nickname"] == "Alice" and welcome["resume_token"]
    await live.advance(300)
    lobby = await host.expect("lobby")
    assert lobby["count"] == 1
    await host.send(type="start")
    question = await alice.expect("question")
    assert question["question"] == 0 and "correct" not in str(question["options"])
    await live.advance(1000)
    option = question["options"][0]["id"]
    await alice.send(type="answer", question=0, answer=option)
    ack = await alice.expect("answer_ack")
    assert ack["accepted"] is True
    reveal = await alice.expect("reveal")
    result = await alice.expect("result")
    board = await alice.expect("scoreboard")
    assert reveal["correct"] == [option] and reveal["distribution"][option] == 1
    receipt = result["receipt"]
    allowance = min(receipt["rtt_ms"] / 2, 300)
    assert receipt["received"] - receipt["sent"] == 1000
    assert receipt["credited_ms"] == round(1000 - allowance)
    assert result["correct"] is True and result["rank"] == 1 and result["score"] == result["points"] > 500
    assert board["top"][0]["nickname"] == "Alice"
