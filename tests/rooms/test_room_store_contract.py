"""One contract for the room store, run over the memory store and over real Redis: what the owner,
the edges and failover rely on, including the fence that keeps a deposed owner from writing."""

from __future__ import annotations

import asyncio

import pytest

from rooms.core.settings import GameSettings
from rooms.core.state import Account, Phase, PlayerState, Receipt, RoomState, StoredAnswer
from rooms.store.base import ResumeGrant, StaleEpoch
from tests.rooms.backends import Backend

PIN = "123456"
TTL_MS = 100


def new_state() -> RoomState:
    state = RoomState(
        pin=PIN,
        game_id=9,
        kind="quiz",
        title="Capitals",
        settings=GameSettings(shuffle=True),
        questions_doc=[{"kind": "single", "text": "?", "options": [{"id": "a", "text": "A"}]}],
        host_token_hash="h",
        host_user_id=3,
        created_at_ms=1_000,
    )
    state.players["p1"] = PlayerState(
        id="p1",
        nickname="Ann",
        nickname_key="ann",
        variant=1,
        joined_at_ms=5,
        first_question=0,
        account=Account(user_id=4, xp=120),
    )
    return state


def stored(answer: object, credited: int = 700) -> StoredAnswer:
    return StoredAnswer(answer, Receipt(sent=10, received=800, rtt_ms=40, credited_ms=credited))


async def lapse(backend: Backend) -> None:
    """Let every lease taken with TTL_MS run out."""
    if backend.clock is not None:
        backend.clock.advance(TTL_MS + 1)
    else:
        await asyncio.sleep(TTL_MS * 2 / 1000)


async def test_a_pin_is_reserved_once_until_released(backend: Backend) -> None:
    store = backend.store
    assert await store.reserve_pin(PIN)
    assert not await store.reserve_pin(PIN)
    await store.release_pin(PIN)
    assert await store.reserve_pin(PIN)


async def test_a_room_round_trips_through_the_codec(backend: Backend) -> None:
    store, state = backend.store, new_state()
    state.voided.add(2)
    state.extra_accepted[1] = ["Paris"]
    await store.create(state)
    loaded = await store.load(PIN)
    assert loaded == state and loaded is not state
    assert (await store.info(PIN)) == state.info()
    assert await store.players(PIN, ["p1", "nobody"]) == {"p1": state.players["p1"]}
    assert PIN not in await store.live_pins()  # not until it is leased: no sweep takes a room being opened
    assert await store.acquire_lease(PIN, "node-a", TTL_MS) is not None
    assert PIN in await store.live_pins()
    assert await store.load("999999") is None and await store.info("999999") is None


async def test_meta_and_player_writes_are_fenced_by_the_lease_epoch(backend: Backend) -> None:
    store, state = backend.store, new_state()
    await store.create(state)
    first = await store.acquire_lease(PIN, "node-a", TTL_MS)
    assert first is not None
    assert await store.acquire_lease(PIN, "node-b", TTL_MS) is None  # held
    assert await store.lease_holder(PIN) == "node-a"
    state.phase, state.seq = Phase.QUESTION, 4
    await store.save_meta(PIN, first, state.meta())
    state.players["p1"].left = True
    await store.save_players(PIN, first, [state.players["p1"]])
    loaded = await store.load(PIN)
    assert (
        loaded is not None
        and loaded.phase is Phase.QUESTION
        and loaded.seq == 4
        and loaded.players["p1"].left
    )

    await lapse(backend)  # node-a froze past its lease; node-b takes the room
    second = await store.acquire_lease(PIN, "node-b", TTL_MS)
    assert second is not None and second > first
    assert await store.renew_leases("node-a", {PIN: first}, TTL_MS) == set()
    state.seq = 99
    with pytest.raises(StaleEpoch):
        await store.save_meta(PIN, first, state.meta())
    with pytest.raises(StaleEpoch):
        await store.save_players(PIN, first, [state.players["p1"]])
    with pytest.raises(StaleEpoch):
        await store.append_event(PIN, first, 5, b"zombie")
    loaded = await store.load(PIN)
    assert loaded is not None and loaded.seq == 4  # the zombie changed nothing
    assert await store.renew_leases("node-b", {PIN: second}, TTL_MS) == {PIN}
    await store.release_lease(PIN, "node-a", first)  # not node-a's to release any more
    assert await store.lease_holder(PIN) == "node-b"
    await store.release_lease(PIN, "node-b", second)
    assert await store.lease_holder(PIN) is None


async def test_leases_of_many_rooms_are_renewed_and_read_together(backend: Backend) -> None:
    """The sweep's two batched calls: ours renewed, a lapsed one taken by another node refused, a
    room nobody holds read as None."""
    store, pins = backend.store, [PIN, "234567", "345678"]
    for pin in pins:
        state = new_state()
        state.pin = pin
        await store.create(state)
    held = await store.acquire_lease(PIN, "node-a", 60_000)
    lapsing = await store.acquire_lease(pins[1], "node-a", TTL_MS)
    assert held is not None and lapsing is not None
    await lapse(backend)
    taken = await store.acquire_lease(pins[1], "node-b", TTL_MS)  # lapsed, so node-b took this one
    assert taken is not None
    assert await store.renew_leases("node-a", {PIN: held, pins[1]: lapsing}, TTL_MS) == {PIN}
    assert await store.lease_holders(pins) == {PIN: "node-a", "234567": "node-b", "345678": None}
    assert await store.renew_leases("node-a", {}, TTL_MS) == set()
    assert await store.lease_holders([]) == {}


async def test_no_lease_for_a_room_that_does_not_exist(backend: Backend) -> None:
    assert await backend.store.acquire_lease("654321", "node-a", TTL_MS) is None


async def test_the_first_answer_wins_and_none_counts_after_the_close(backend: Backend) -> None:
    store = backend.store
    await store.create(new_state())
    assert await store.record_answer(PIN, 0, "p1", stored("a")) == "ok"
    assert await store.record_answer(PIN, 0, "p1", stored("b")) == "duplicate"
    assert await store.has_answered(PIN, 0, "p1") and not await store.has_answered(PIN, 0, "p2")
    assert await store.close_answers(PIN, 0) == 1  # how many were recorded when it closed
    assert await store.record_answer(PIN, 0, "p2", stored("a")) == "closed"
    assert await store.close_answers(PIN, 0) == 1
    assert await store.answers(PIN, 0) == {"p1": stored("a")}
    assert await store.record_answer(PIN, 1, "p2", stored(["x", "y"], 0)) == "ok"  # another question
    assert await store.answers(PIN, 1) == {"p2": stored(["x", "y"], 0)}


async def test_a_burst_of_answers_each_get_their_own_outcome(backend: Backend) -> None:
    store = backend.store
    await store.create(new_state())
    outcomes = await asyncio.gather(
        *(store.record_answer(PIN, 0, f"p{n % 50}", stored(n)) for n in range(100))
    )
    assert outcomes.count("ok") == 50 and outcomes.count("duplicate") == 50
    assert len(await store.answers(PIN, 0)) == 50


async def test_the_first_sent_stamp_is_kept(backend: Backend) -> None:
    store = backend.store
    await store.create(new_state())
    await store.stamp_sent(PIN, 0, {"p1": 100, "p2": 150})
    await store.stamp_sent(PIN, 0, {"p1": 900})  # a resend after a resume
    assert await store.sent_at(PIN, 0, "p1") == 100
    assert await store.sent_at(PIN, 0, "p2") == 150
    assert await store.sent_at(PIN, 1, "p1") is None


async def test_history_replays_in_order_until_it_no_longer_reaches_back(backend: Backend) -> None:
    store = backend.store
    await store.create(new_state())
    epoch = await store.acquire_lease(PIN, "node-a", 60_000)
    assert epoch is not None
    for seq in range(1, 6):
        await store.append_event(PIN, epoch, seq, f"event {seq}".encode())
    assert await store.events_after(PIN, 2) == [b"event 3", b"event 4", b"event 5"]
    assert await store.events_after(PIN, 5) == []
    for seq in range(6, 13):  # the history keeps 8
        await store.append_event(PIN, epoch, seq, f"event {seq}".encode())
    assert await store.events_after(PIN, 2) is None
    assert await store.events_after(PIN, 4) == [f"event {seq}".encode() for seq in range(5, 13)]


async def test_resume_grants_expire_and_can_be_revoked(backend: Backend) -> None:
    store = backend.store
    await store.grant_resume("t1", ResumeGrant(PIN, "p1", expires_at_ms=2_000))
    assert await store.resume_grant("t1", now_ms=1_999) == ResumeGrant(PIN, "p1", 2_000)
    assert await store.resume_grant("t1", now_ms=2_001) is None
    await store.grant_resume("t2", ResumeGrant(PIN, "p2", expires_at_ms=5_000))
    await store.revoke_resume("t2")
    assert await store.resume_grant("t2", now_ms=0) is None


async def test_a_deleted_room_is_gone_and_its_pin_free(backend: Backend) -> None:
    store = backend.store
    assert await store.reserve_pin(PIN)
    await store.create(new_state())
    await store.record_answer(PIN, 0, "p1", stored("a"))
    await store.delete(PIN)
    assert await store.load(PIN) is None
    assert PIN not in await store.live_pins()
    assert await store.answers(PIN, 0) == {}
    assert await store.reserve_pin(PIN)


async def test_a_restarted_node_reclaims_its_leases_and_fences_its_previous_life(backend: Backend) -> None:
    store, state = backend.store, new_state()
    await store.create(state)
    old = await store.acquire_lease(PIN, "node-a", 60_000)
    assert old is not None
    assert await store.reclaim_lease(PIN, "node-b", 60_000) is None  # not node-b's to take back
    new = await store.reclaim_lease(PIN, "node-a", 60_000)  # node-a restarted: no wait for the lapse
    assert new is not None and new > old
    with pytest.raises(StaleEpoch):
        await store.save_meta(PIN, old, state.meta())
    assert await store.renew_leases("node-a", {PIN: new}, 60_000) == {PIN}
    await store.release_lease(PIN, "node-a", new)
    assert await store.reclaim_lease(PIN, "node-a", 60_000) is None  # nothing held any more
