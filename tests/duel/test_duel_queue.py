"""The duel queue on the node: `queue` -> `queued` -> `matched` -> `welcome`, a duel played to its
outcome, a bot for a lone player, refusals, rematch and revenge, and two nodes sharing one queue."""

from __future__ import annotations

import asyncio

import pytest

from rooms.core.settings import AUTO_ADVANCE_PAUSE_MS, AUTOSTART_COUNTDOWN_MS
from rooms.core.state import Phase
from rooms.duel.matchmaking import MatchRules
from rooms.duel.service import MATCH_TICK_MS
from rooms.owner.runner import DROP_GRACE_MS
from tests.duel.harness import MISSED, QUIZ_ID, Duels, Socket
from tests.rooms.test_rooms_runner import LIMIT_MS, QUIZ, SLACK_MS


async def matched_pair(duels: Duels, **fields: object) -> tuple[Socket, Socket]:
    ann = await duels.queue("Ann", **fields)  # type: ignore[arg-type]
    ben = await duels.queue("Ben", **fields)  # type: ignore[arg-type]
    await duels.advance(MATCH_TICK_MS)
    return ann, ben


async def play_out(duels: Duels, ann: Socket, ben: Socket, ben_right_from: int = 0) -> None:
    """Ann answers every question right; Ben only from `ben_right_from` on."""
    await duels.advance(AUTOSTART_COUNTDOWN_MS)
    for index in range(len(QUIZ)):
        await duels.advance(1000)
        await ann.send(type="answer", question=index, answer="R")
        await ben.send(type="answer", question=index, answer="R" if index >= ben_right_from else "W")
        await duels.advance(AUTO_ADVANCE_PAUSE_MS)


async def test_two_players_queue_match_play_and_see_the_outcome() -> None:
    duels = await Duels().start()
    ann, ben = await matched_pair(duels)
    assert ann.types[:3] == ["queued", "matched", "welcome"] and ann.last("queued")["rating"] == 1200
    pin = ann.last("matched")["pin"]
    assert ben.last("matched") == {
        "type": "matched",
        "pin": pin,
        "opponent": {"nickname": "Ann", "bot": False},
    }
    assert ann.last("welcome")["pin"] == pin and ann.last("welcome")["resume_token"]
    assert ann.last("welcome")["state"]["settings"]["autostart"] == 2
    await play_out(duels, ann, ben, ben_right_from=1)
    finished = ann.last("finished")
    assert finished["winner"] == ann.player_id and ben.last("finished") == finished
    assert ann.last("result")["outcome"] == "won" and ben.last("result")["outcome"] == "lost"
    game = duels.sink.games[finished["game_id"]]
    assert game.kind == "duel" and game.winner == ann.player_id and len(game.players) == 2
    assert duels.games.recorded[game.game_id][0] == pin  # the game row was written under the room's PIN


async def test_a_lone_player_gets_a_bot_after_the_wait_and_plays_it_to_the_end() -> None:
    duels = await Duels().start()
    ann = await duels.queue("Ann")
    await duels.advance(MatchRules().bot_after_ms - MATCH_TICK_MS)
    assert ann.of("matched") == []
    await duels.advance(MATCH_TICK_MS)
    opponent = ann.last("matched")["opponent"]
    assert opponent["bot"] is True and opponent["rating"] == 1200 and opponent["nickname"].endswith("(bot)")
    await duels.advance(AUTOSTART_COUNTDOWN_MS)
    for _ in QUIZ:
        await duels.advance(LIMIT_MS + SLACK_MS)
        await duels.advance(AUTO_ADVANCE_PAUSE_MS)
    game = duels.sink.games[ann.last("finished")["game_id"]]
    assert [p.bot for p in game.players].count(True) == 1
    assert {a.player_id for a in game.answers} == {p.player_id for p in game.players if p.bot}


async def test_ratings_come_from_the_rating_source_and_signed_in_opponents_show_theirs() -> None:
    duels = await Duels(ratings={1: 1500, 2: 1550}).start()
    ann, ben = await matched_pair(duels, token="ann-token")
    assert ann.last("queued")["rating"] == 1500
    assert ann.of("matched") == []  # ben's token is ann's too: one account queues once
    assert ben.last("error")["code"] == "wrong_state"
    ben = await duels.queue("Ben", token="ben-token")
    await duels.advance(MATCH_TICK_MS)
    assert ann.last("matched")["opponent"] == {"nickname": "Ben", "bot": False, "rating": 1550}


async def test_refusals_are_clear_and_change_nothing() -> None:
    duels = await Duels().start()
    ann = await duels.queue("Ann")
    await ann.send(type="queue", nickname="Ann")
    assert ann.last("error")["code"] == "wrong_state"  # queueing twice
    await ann.send(type="answer", question=0, answer="R")
    assert ann.last("error")["code"] == "wrong_state"  # no duel to answer in yet
    guest = await duels.queue("Guest", revenge=True)
    assert guest.last("error")["code"] == "unauthorized"
    nowhere = await duels.queue("Nowhere", quiz=999)
    assert nowhere.last("error")["code"] == "not_found"
    blank = await duels.queue("\u202e")
    assert blank.last("error")["code"] == "bad_request"
    assert [s.of("queued") for s in (guest, nowhere, blank)] == [[], [], []]


async def test_a_player_who_leaves_the_queue_is_not_matched() -> None:
    duels = await Duels().start()
    ann = await duels.queue("Ann")
    await ann.send(type="leave")
    assert ann.peer.close_code == 1000
    ben = await duels.queue("Ben")
    await duels.advance(MATCH_TICK_MS * 4)
    assert ben.of("matched") == []


async def test_a_closed_socket_leaves_the_queue() -> None:
    duels = await Duels().start()
    ann = await duels.queue("Ann")
    await ann.close()
    ben = await duels.queue("Ben")
    await duels.advance(MATCH_TICK_MS * 4)
    assert ben.of("matched") == []


async def test_a_player_who_leaves_mid_duel_forfeits() -> None:
    duels = await Duels().start()
    ann, ben = await matched_pair(duels)
    await duels.advance(AUTOSTART_COUNTDOWN_MS)
    await ann.send(type="leave")
    assert ben.last("finished")["winner"] == ben.player_id
    assert ben.last("finished")["forfeited"] == [ann.player_id]


async def test_a_matched_player_whose_socket_is_gone_forfeits_after_the_grace() -> None:
    duels = await Duels().start()
    ann = await duels.queue("Ann")
    ben = await duels.queue("Ben")
    ben.connection.closed = True  # gone, and its node has not heard yet: the match is made without it
    await duels.advance(MATCH_TICK_MS)
    pin = ann.last("matched")["pin"]
    assert ben.of("matched") == []
    await duels.advance(DROP_GRACE_MS)
    assert duels.runner(pin).state.phase is Phase.FINISHED
    assert ann.last("finished")["winner"] == ann.player_id


async def test_a_same_nickname_opponent_is_told_apart() -> None:
    duels = await Duels().start()
    first = await duels.queue("Sam")
    second = await duels.queue("sam")
    await duels.advance(MATCH_TICK_MS)
    names = sorted(s.last("welcome")["player"]["nickname"] for s in (first, second))
    assert names in (["Sam", "sam 2"], ["Sam 2", "sam"])  # whoever sat down second


async def test_both_offering_a_rematch_are_matched_into_a_new_duel() -> None:
    duels = await Duels().start()
    ann, ben = await matched_pair(duels, quiz=QUIZ_ID)
    await play_out(duels, ann, ben)
    first_pin = ann.last("matched")["pin"]
    await ann.send(type="rematch")
    assert ben.last("rematch") == {"type": "rematch", "from": "Ann"}
    await duels.advance(MATCH_TICK_MS)
    assert len(ann.of("matched")) == 1  # waiting for ben
    await ben.send(type="rematch")
    await duels.advance(MATCH_TICK_MS)
    second_pin = ann.last("matched")["pin"]
    assert second_pin != first_pin and ben.last("matched")["pin"] == second_pin
    assert ann.last("welcome")["pin"] == second_pin and ann.last("welcome")["state"]["phase"] == "lobby"
    await play_out(duels, ann, ben)
    assert ann.last("finished")["game_id"] != ann.of("finished")[0]["game_id"]


async def test_a_rematch_mid_duel_or_offered_twice_is_refused() -> None:
    duels = await Duels().start()
    ann, ben = await matched_pair(duels)
    await ann.send(type="rematch")
    assert ann.last("error")["code"] == "wrong_state"
    await play_out(duels, ann, ben)
    await ann.send(type="rematch")
    await ann.send(type="rematch")
    assert ann.last("error")["code"] == "wrong_state"


async def test_an_unreturned_rematch_offer_lapses() -> None:
    duels = await Duels().start()
    ann, ben = await matched_pair(duels)
    await play_out(duels, ann, ben)
    await ann.send(type="rematch")
    await duels.advance(MatchRules().rematch_wait_ms)
    assert ann.last("error")["code"] == "not_found" and len(ann.of("matched")) == 1


async def test_the_bot_accepts_a_rematch_at_once() -> None:
    duels = await Duels(rules=MatchRules(bot_after_ms=1000)).start()
    ann = await duels.queue("Ann")
    await duels.advance(1000)
    await duels.advance(AUTOSTART_COUNTDOWN_MS)
    for _ in QUIZ:
        await duels.advance(LIMIT_MS + SLACK_MS)
        await duels.advance(AUTO_ADVANCE_PAUSE_MS)
    assert ann.of("finished")
    await ann.send(type="rematch")
    await duels.advance(MATCH_TICK_MS)
    assert len(ann.of("matched")) == 2 and ann.last("matched")["opponent"]["bot"] is True


async def test_revenge_plays_the_questions_the_player_missed() -> None:
    duels = await Duels(rules=MatchRules(bot_after_ms=1000)).start()
    ann = await duels.queue("Ann", token="ann-token", revenge=True)
    await duels.advance(1000)
    await duels.advance(AUTOSTART_COUNTDOWN_MS)
    assert ann.last("question")["text"] == MISSED[0]["text"] and ann.last("question")["total"] == 1


async def test_two_players_on_different_nodes_are_matched() -> None:
    duels = await Duels(nodes=2).start()
    ann = await duels.queue("Ann", node=0)
    ben = await duels.queue("Ben", node=1)
    await duels.advance(MATCH_TICK_MS)
    assert ann.last("matched")["pin"] == ben.last("matched")["pin"]
    await play_out(duels, ann, ben, ben_right_from=0)
    assert ann.last("finished")["winner"] in (ann.player_id, ben.player_id, None)
    assert ann.last("finished") == ben.last("finished")


async def test_a_burst_of_queue_frames_for_one_quiz_looks_it_up_once() -> None:
    duels = await Duels().start()
    questions = duels.services[0]._setup.questions
    calls: list[int | None] = []
    pick = questions.pick

    async def counting_pick(quiz_id: int | None, limit: int):  # noqa: ANN202
        calls.append(quiz_id)
        return await pick(quiz_id, limit)

    questions.pick = counting_pick  # type: ignore[method-assign]
    sockets = [duels.socket() for _ in range(5)]
    node = duels.nodes[0]
    frames = [
        node.handle(s.connection, f'{{"type":"queue","nickname":"p{n}","quiz":{QUIZ_ID}}}')
        for n, s in enumerate(sockets)
    ]
    await asyncio.gather(*frames)
    assert calls == [QUIZ_ID] and all(s.of("queued") for s in sockets)


async def test_a_queue_store_that_fails_delays_matching_and_nothing_else(
    caplog: pytest.LogCaptureFixture,
) -> None:
    duels = await Duels().start()
    pool = duels.services[0]._setup.pool
    seekers = pool.seekers

    async def away() -> list[object]:
        raise ConnectionError("the queue's store is away")

    pool.seekers = away  # type: ignore[method-assign]
    ann, ben = await duels.queue("Ann"), await duels.queue("Ben")
    await duels.advance(MATCH_TICK_MS * 4)
    assert ann.of("matched") == [] and len([r for r in caplog.records if "fail" in r.message]) == 1
    pool.seekers = seekers  # type: ignore[method-assign]
    await duels.advance(MATCH_TICK_MS)
    assert ann.last("matched")["pin"] == ben.last("matched")["pin"]
