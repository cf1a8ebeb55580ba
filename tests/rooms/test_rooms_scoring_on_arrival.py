"""Answers are scored as they arrive, and the reveal goes out before the scores it does not need:
what that must never change, whichever way an answer reaches the owner and whenever it dies."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from rooms.bus.memory import MemoryBus
from rooms.core.outcomes import NoRewards
from rooms.core.results import MemoryResultsSink
from rooms.core.scoring import PlayerTally
from rooms.core.state import Phase, Receipt, StoredAnswer
from rooms.node import Leases, RoomNode
from tests.rooms.test_rooms_runner import PIN, started

TTL_MS = 3_000


async def test_an_answer_whose_notice_never_arrived_still_counts_when_the_question_closes() -> None:
    """An edge on another node recorded it, and its notice is still on the bus at the close: the
    owner reads the store's answers and scores it like the others."""
    room, host, (ann, ben) = await started("Ann", "Ben")
    assert (await ann.answer(0, "R"))["accepted"]
    receipt = Receipt(sent=room.clock.now_ms(), received=room.clock.now_ms(), rtt_ms=None, credited_ms=0)
    assert await room.store.record_answer(PIN, 0, ben.player_id, StoredAnswer("R", receipt)) == "ok"
    await host.send(type="close_question")
    assert host.peer.last("reveal")["distribution"] == {"R": 2, "W": 0}
    assert ben.peer.last("result")["correct"] and ben.peer.last("result")["points"] > 0


async def test_the_reveal_reaches_players_before_their_results_and_the_scoreboard() -> None:
    room, host, (ann,) = await started("Ann")
    await ann.answer(0, "R")
    kinds = [frame["type"] for frame in ann.peer.frames]
    assert kinds[-3:] == ["reveal", "result", "scoreboard"]
    assert ann.peer.last("reveal")["seq"] < ann.peer.last("scoreboard")["seq"]


async def test_a_new_owner_in_the_reveal_recomputes_the_scores_its_predecessor_did_not_save() -> None:
    """The owner died after writing the reveal and before writing the scores: the node that takes
    the room over scores the revealed questions again from the stored answers and sends the
    results and a scoreboard."""
    room, host, (ann, ben) = await started("Ann", "Ben")
    await ann.answer(0, "R")
    await ben.answer(0, "W")
    assert room.state.phase is Phase.REVEAL
    scores = {p.id: p.tally.score for p in room.state.players.values()}
    assert scores[ann.player_id] > 0
    # As the store would be had the owner died between the two writes: the reveal, not the scores.
    stale = [replace(p, tally=PlayerTally()) for p in room.state.players.values()]
    await room.store.save_players(PIN, room.runner.epoch, stale)
    room.runner.stand_down()
    room.clock.advance(room.node.leases.ttl_ms + 1)

    survivor = RoomNode(
        room.store, MemoryBus(), room.clock, MemoryResultsSink(), NoRewards(), leases=Leases(ttl_ms=TTL_MS)
    )
    await survivor.sweep()
    runner = survivor.runners[PIN]
    await runner.idle()
    await runner.flushed()
    assert {p.id: p.tally.score for p in runner.state.players.values()} == scores
    saved = {p.id: p.tally.score for p in (await room.store.load(PIN)).players.values()}  # type: ignore[union-attr]
    assert saved == scores


async def test_sweeps_never_pile_up_behind_a_slow_store() -> None:
    """A store slower than the sweep interval: one sweep at a time, and the next tick's sweep
    runs again once it is done."""
    room, _, _ = await started("Ann")
    store, gate, renewals = room.store, asyncio.Event(), []
    renew = store.renew_leases

    async def slow_renew(node: str, epochs: dict[str, int], ttl_ms: int) -> set[str]:
        renewals.extend(epochs)
        await gate.wait()
        return await renew(node, epochs, ttl_ms)

    store.renew_leases = slow_renew  # type: ignore[method-assign]
    first = asyncio.ensure_future(room.node._sweep_safely())
    await asyncio.sleep(0)
    async with asyncio.timeout(5):  # the next tick, while the first still waits: it must not wait too
        await room.node._sweep_safely()
    assert renewals == [PIN]
    gate.set()
    await first
    await room.node._sweep_safely()
    assert renewals == [PIN, PIN]
