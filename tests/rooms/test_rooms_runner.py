"""The runner, edge and node in one process: a manual clock, the in-memory store and bus, and fake
sockets that record what they are sent. Nothing sleeps: time moves only when a test says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from rooms.bus.memory import MemoryBus
from rooms.core.clock import ManualClock
from rooms.core.events import RoomError
from rooms.core.lobby import (
    LOBBY_FRAMES_PER_SECOND,
    LOBBY_INTERVAL_MAX_MS,
    LOBBY_INTERVAL_MS,
    lobby_interval_ms,
)
from rooms.core.outcomes import NoRewards
from rooms.core.protocol import parse_frame
from rooms.core.results import MemoryResultsSink
from rooms.core.settings import AUTO_ADVANCE_PAUSE_MS, GameSettings
from rooms.core.state import Phase, RoomState
from rooms.edge.connection import Connection, hash_token
from rooms.edge.door import PING_SLICES, PINGS_PER_SLICE, ping_slices
from rooms.node import NewRoom, RoomNode
from rooms.owner.base import Notice
from rooms.owner.runner import (
    ANSWER_COUNT_INTERVAL_MS,
    DROP_GRACE_MS,
    EMPTY_ROOM_GRACE_MS,
    RoomRunner,
)
from rooms.store.memory import MemoryRoomStore

PIN = "424242"
HOST_TOKEN = "the-host-token"
LIMIT_MS = 10_000
SLACK_MS = 300  # the room waits this long past a player's limit, for round-trip allowances


def single(text: str) -> dict[str, Any]:
    return {
        "kind": "single",
        "text": text,
        "time_limit": LIMIT_MS // 1000,
        "options": [{"id": "R", "text": "right", "correct": True}, {"id": "W", "text": "wrong"}],
    }


QUIZ = [single("First?"), single("Second?"), single("Third?")]


@dataclass
class FakePeer:
    """A socket that keeps the frames it was sent (and when, by the room's clock) and how it was closed."""

    clock: ManualClock
    frames: list[dict[str, Any]] = field(default_factory=list)
    sent_at: list[int] = field(default_factory=list)
    close_code: int | None = None

    async def send(self, text: str) -> None:
        self.frames.append(orjson.loads(text))
        self.sent_at.append(self.clock.now_ms())

    async def close(self, code: int, reason: str = "") -> None:
        self.close_code = code

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [frame for frame in self.frames if frame["type"] == kind]

    def last(self, kind: str) -> dict[str, Any]:
        return self.of(kind)[-1]


@dataclass
class Socket:
    """A connection on the node, as a test drives it."""

    room: Room
    connection: Connection
    peer: FakePeer

    @property
    def player_id(self) -> str:
        return self.peer.of("welcome")[0]["player"]["id"]

    @property
    def resume_token(self) -> str:
        return self.peer.of("welcome")[0]["resume_token"]

    async def send(self, **frame: Any) -> None:
        await self.room.node.handle(self.connection, orjson.dumps(frame))
        await self.room.settle()

    async def answer(self, question: int, answer: Any) -> dict[str, Any]:
        await self.send(type="answer", question=question, answer=answer)
        return self.peer.last("answer_ack")

    async def drop(self) -> None:
        await self.room.node.disconnected(self.connection)
        await self.room.settle()


class Room:
    """One room on one node, with a host seat and players on fake sockets."""

    def __init__(self, questions: list[dict[str, Any]] = QUIZ, history: int = 512, **settings: Any):
        self.clock = ManualClock()
        self.store = MemoryRoomStore(self.clock.now_ms, history_length=history)
        self.sink = MemoryResultsSink()
        self.node = RoomNode(self.store, MemoryBus(), self.clock, self.sink, NoRewards())
        self.room = NewRoom(
            game_id=7,
            title="Test",
            settings=GameSettings(**settings),
            questions_doc=questions,
            host_token=HOST_TOKEN,
            host_user_id=None,
        )
        self.runner: RoomRunner

    @property
    def state(self) -> RoomState:
        return self.runner.state

    async def open(self) -> Room:
        assert await self.store.reserve_pin(PIN)
        self.runner = await self.node.open_game(PIN, self.room)
        return self

    async def settle(self) -> None:
        await self.runner.idle()

    async def advance(self, ms: int) -> None:
        self.clock.advance(ms)
        await self.settle()

    async def connect(self) -> Socket:
        connection = Connection(FakePeer(self.clock), address="10.0.0.1")
        self.node.connect(connection)
        assert isinstance(connection.peer, FakePeer)
        return Socket(self, connection, connection.peer)

    async def host(self) -> Socket:
        socket = await self.connect()
        await socket.send(type="host", pin=PIN, token=HOST_TOKEN)
        assert socket.peer.last("welcome")["role"] == "host"
        return socket

    async def join(self, nickname: str) -> Socket:
        socket = await self.connect()
        await socket.send(type="join", pin=PIN, nickname=nickname)
        assert socket.peer.of("welcome"), socket.peer.frames
        return socket


async def started(*nicknames: str, **settings: Any) -> tuple[Room, Socket, list[Socket]]:
    """A room with a host and these players, question 0 open."""
    room = await Room(**settings).open()
    host = await room.host()
    players = [await room.join(nickname) for nickname in nicknames]
    await host.send(type="start")
    assert room.state.phase is Phase.QUESTION
    return room, host, players


# --- lobby frames ---------------------------------------------------------------------------------


async def test_joins_within_250_ms_come_out_as_one_lobby_frame() -> None:
    room = await Room().open()
    host = await room.host()
    players = [await room.join(f"P{n}") for n in range(8)]
    await room.advance(LOBBY_INTERVAL_MS - 1)
    assert host.peer.of("lobby") == []
    await room.advance(1)
    (lobby,) = host.peer.of("lobby")
    assert lobby["count"] == 8 and [p["nickname"] for p in lobby["joined"]] == [f"P{n}" for n in range(8)]
    assert lobby["left"] == [] and lobby["locked"] is False and lobby["seq"] == 1
    assert all(p.peer.of("lobby") == [lobby] for p in players)  # the same frame for everyone

    await room.advance(100)
    await room.join("Late")
    await players[0].send(type="leave")
    await room.advance(LOBBY_INTERVAL_MS)
    second = host.peer.last("lobby")
    assert second["seq"] == 2 and second["count"] == 8
    assert [p["nickname"] for p in second["joined"]] == ["Late"] and second["left"] == [players[0].player_id]


async def test_a_stream_of_joins_makes_at_most_4_lobby_frames_a_second() -> None:
    room = await Room().open()
    host = await room.host()
    for n in range(60):  # one join every 50 ms for three seconds
        await room.join(f"P{n}")
        await room.advance(50)
    await room.advance(LOBBY_INTERVAL_MS)
    lobbies = host.peer.of("lobby")
    assert [p["nickname"] for lobby in lobbies for p in lobby["joined"]] == [f"P{n}" for n in range(60)]
    assert lobbies[-1]["count"] == 60
    sent = zip(host.peer.frames, host.peer.sent_at, strict=True)
    times = [at for frame, at in sent if frame["type"] == "lobby"]
    for first in range(len(times)):
        assert sum(1 for at in times[first:] if at < times[first] + 1000) <= 4, times


# --- the host's answer count ----------------------------------------------------------------------


async def test_the_hosts_answer_count_is_throttled() -> None:
    room, host, players = await started("A", "B", "C", "D")
    for player in players[:3]:
        assert (await player.answer(0, "R"))["accepted"] is True
    assert host.peer.of("answers") == []
    await room.advance(ANSWER_COUNT_INTERVAL_MS)
    assert host.peer.of("answers") == [{"type": "answers", "question": 0, "count": 3, "of": 4}]
    await room.advance(ANSWER_COUNT_INTERVAL_MS * 4)  # nothing new: nothing sent
    assert len(host.peer.of("answers")) == 1
    assert all(p.peer.of("answers") == [] for p in players)  # the host's eyes only


# --- timers ---------------------------------------------------------------------------------------


async def test_auto_advance_moves_on_after_the_pause_and_ends_after_the_last_question() -> None:
    room, host, (ann,) = await started("Ann", auto_advance=True)
    for index in range(len(QUIZ)):
        await ann.answer(index, "R")
        assert room.state.phase is Phase.REVEAL
        await room.advance(AUTO_ADVANCE_PAUSE_MS - 1)
        assert room.state.phase is Phase.REVEAL
        await room.advance(1)
    assert room.state.phase is Phase.FINISHED
    assert [q["question"] for q in ann.peer.of("question")] == [0, 1, 2]
    assert ann.peer.last("result")["score"] == 1000 + 1100 + 1200


async def test_a_host_next_during_the_pause_cancels_the_auto_advance() -> None:
    room, host, (ann,) = await started("Ann", auto_advance=True)
    await ann.answer(0, "R")
    await room.advance(1000)
    await host.send(type="next")
    await room.advance(AUTO_ADVANCE_PAUSE_MS)  # the old timer would have skipped question 1
    assert room.state.question_index == 1 and room.state.phase is Phase.QUESTION


async def test_a_question_closes_at_its_deadline_and_not_before() -> None:
    room, host, players = await started("Ann", "Ben")
    await room.advance(LIMIT_MS + SLACK_MS - 1)
    assert host.peer.of("reveal") == []
    await room.advance(1)
    assert host.peer.last("reveal")["question"] == 0
    assert all(p.peer.last("result")["answered"] is False for p in players)


async def test_the_deadline_moves_for_a_player_the_node_sent_the_question_to_late() -> None:
    room, host, players = await started("Ann", "Ben")
    opened = room.state.opened_at_ms
    room.runner.notice(Notice("sent", at_ms=opened + 4000))  # the broadcast reached its last player 4 s later
    assert room.state.deadline_ms == opened + 4000 + LIMIT_MS + SLACK_MS
    await room.advance(LIMIT_MS + SLACK_MS)
    assert room.state.phase is Phase.QUESTION
    room.runner.notice(Notice("sent", at_ms=opened + 1000))  # an earlier send never shortens it
    assert room.state.deadline_ms == opened + 4000 + LIMIT_MS + SLACK_MS
    await room.advance(3999)
    assert room.state.phase is Phase.QUESTION
    await room.advance(1)
    assert room.state.phase is Phase.REVEAL


async def test_an_empty_room_is_cleaned_up_after_its_grace_period() -> None:
    room = await Room().open()
    host = await room.host()
    ann = await room.join("Ann")
    await room.advance(EMPTY_ROOM_GRACE_MS)  # people are connected: nothing happens
    assert PIN in room.node.runners
    await ann.drop()
    await host.drop()
    await room.advance(EMPTY_ROOM_GRACE_MS - 1)
    assert PIN in room.node.runners and not room.runner.disposed
    await room.advance(1)
    assert room.runner.disposed and PIN not in room.node.runners and PIN not in room.node.edges
    assert await room.store.load(PIN) is None
    assert room.sink.games[7].players[0].nickname == "Ann"  # it was ended, and its results handed on
    assert await room.store.resume_grant(hash_token(ann.resume_token), room.clock.now_ms()) is None
    late = await room.connect()
    await late.send(type="join", pin=PIN, nickname="Late")
    assert late.peer.last("error")["code"] == "not_found"


async def test_someone_coming_back_within_the_grace_period_keeps_the_room() -> None:
    room = await Room().open()
    host = await room.host()
    await host.drop()
    await room.advance(EMPTY_ROOM_GRACE_MS - 1)
    await room.host()
    await room.advance(EMPTY_ROOM_GRACE_MS * 2)
    assert not room.runner.disposed and room.state.phase is Phase.LOBBY


async def test_a_finished_room_lingers_then_closes_every_socket_with_4004() -> None:
    room, host, (ann,) = await started("Ann")
    await host.send(type="end")
    assert room.state.phase is Phase.FINISHED
    await room.advance(10 * 60_000)
    assert room.runner.disposed
    assert ann.peer.close_code == 4004 and host.peer.close_code == 4004


# --- refusals -------------------------------------------------------------------------------------


def command(**frame: Any) -> Any:
    return parse_frame(orjson.dumps(frame))


@pytest.mark.parametrize(
    ("phase", "frame"),
    [
        ("lobby", {"type": "next"}),
        ("lobby", {"type": "close_question"}),
        ("lobby", {"type": "void", "question": 0}),
        ("lobby", {"type": "accept", "question": 0, "answer": "W"}),
        ("question", {"type": "start"}),
        ("question", {"type": "next"}),
        ("question", {"type": "void", "question": 0}),
        ("reveal", {"type": "start"}),
        ("reveal", {"type": "close_question"}),
        ("reveal", {"type": "void", "question": 1}),
        ("finished", {"type": "start"}),
        ("finished", {"type": "next"}),
        ("finished", {"type": "close_question"}),
        ("finished", {"type": "end"}),
        ("finished", {"type": "void", "question": 0}),
    ],
)
async def test_a_transition_in_the_wrong_phase_is_refused_with_wrong_state(phase: str, frame: dict) -> None:
    room = await Room().open()
    host = await room.host()
    ann = await room.join("Ann")
    if phase != "lobby":
        await host.send(type="start")
    if phase in ("reveal", "finished"):
        await ann.answer(0, "R")
    if phase == "finished":
        await host.send(type="end")
    assert str(room.state.phase) == phase
    seq = room.state.seq
    with pytest.raises(RoomError) as refused:
        await room.runner.command(command(**frame))
    assert refused.value.code == "wrong_state"
    assert str(room.state.phase) == phase and room.state.seq == seq  # nothing changed
    await host.send(**frame)  # and over the socket: an error frame
    assert host.peer.last("error")["code"] == "wrong_state"


async def test_kicking_nobody_is_not_found() -> None:
    room = await Room().open()
    await room.host()
    with pytest.raises(RoomError) as refused:
        await room.runner.command(command(type="kick", player="nobody"))
    assert refused.value.code == "not_found"


# --- answers and sockets --------------------------------------------------------------------------


async def test_a_question_waits_only_for_connected_players() -> None:
    room, host, (ann, ben, cid) = await started("Ann", "Ben", "Cid")
    await ann.answer(0, "R")
    await cid.drop()
    assert room.state.phase is Phase.QUESTION
    await ben.answer(0, "W")
    assert room.state.phase is Phase.QUESTION  # Cid dropped: a Wi-Fi blip gets a grace
    await room.advance(DROP_GRACE_MS - 1)
    assert room.state.phase is Phase.QUESTION
    await room.advance(1)
    assert room.state.phase is Phase.REVEAL
    assert host.peer.last("reveal")["distribution"] == {"R": 1, "W": 1}


async def test_a_player_back_within_the_grace_keeps_the_question_open_for_them() -> None:
    room, host, (ann, ben) = await started("Ann", "Ben")
    await ben.drop()
    await ann.answer(0, "R")
    await room.advance(DROP_GRACE_MS // 2)
    back = await room.connect()
    await back.send(type="resume", token=ben.resume_token, last_seq=0)
    await room.advance(DROP_GRACE_MS)  # the grace has run out, but Ben is connected again
    assert room.state.phase is Phase.QUESTION
    assert (await back.answer(0, "W"))["accepted"]
    assert room.state.phase is Phase.REVEAL


async def test_a_player_who_leaves_or_is_kicked_gets_no_grace() -> None:
    room, host, (ann, ben, cid) = await started("Ann", "Ben", "Cid")
    await ann.answer(0, "R")
    await ben.send(type="leave")
    await host.send(type="kick", player=cid.player_id)
    assert room.state.phase is Phase.REVEAL


async def test_a_resume_from_before_the_history_gets_a_snapshot() -> None:
    room, host, (ann, ben) = await started("Ann", "Ben", history=4)
    await ann.answer(0, "R")
    await ann.drop()
    for flip in range(6):
        await host.send(type="lock", locked=flip % 2 == 0)
    back = await room.connect()
    await back.send(type="resume", token=ann.resume_token, last_seq=1)
    welcome = back.peer.last("welcome")
    assert welcome["recovered"] is False and welcome["state"]["answered"] is True
    assert [f["type"] for f in back.peer.frames] == ["welcome", "ping"]  # nothing replayed
    again = await room.connect()
    await again.send(type="resume", token=ann.resume_token, last_seq=welcome["seq"] - 2)
    assert again.peer.last("welcome")["recovered"] is True
    assert [f["seq"] for f in again.peer.of("lobby")] == [welcome["seq"] - 1, welcome["seq"]]
    assert back.peer.close_code == 4002


async def test_a_superseded_socket_can_no_longer_answer() -> None:
    room, host, (ann, ben) = await started("Ann", "Ben")
    newer = await room.connect()
    await newer.send(type="resume", token=ann.resume_token, last_seq=room.state.seq)
    assert ann.peer.close_code == 4002
    await ann.send(type="answer", question=0, answer="W")  # a frame the old socket had in flight
    assert not any(ack["accepted"] for ack in ann.peer.of("answer_ack"))
    assert (await newer.answer(0, "R"))["accepted"] is True


async def test_a_superseded_host_socket_can_no_longer_command() -> None:
    room = await Room().open()
    old = await room.host()
    await room.join("Ann")
    await room.host()
    assert old.peer.close_code == 4002
    await old.send(type="start")
    assert room.state.phase is Phase.LOBBY


async def test_a_kicked_players_socket_is_closed_and_its_token_revoked() -> None:
    room, host, (ann, ben) = await started("Ann", "Ben")
    await host.send(type="kick", player=ben.player_id)
    assert ben.peer.last("error")["code"] == "kicked" and ben.peer.close_code == 4001
    assert await room.store.resume_grant(hash_token(ben.resume_token), room.clock.now_ms()) is None
    await ben.send(type="answer", question=0, answer="R")  # a frame still in flight counts for nothing
    assert not any(ack["accepted"] for ack in ben.peer.of("answer_ack"))
    await ann.answer(0, "R")  # Ben is not waited for
    assert room.state.phase is Phase.REVEAL
    assert [entry["nickname"] for entry in host.peer.last("scoreboard")["top"]] == ["Ann"]


async def test_a_rate_limited_socket_recovers_as_the_clock_moves() -> None:
    room, host, (ann,) = await started("Ann")
    for n in range(60):
        await ann.send(type="ping", t=n)
    assert len(ann.peer.of("pong")) + len(ann.peer.of("error")) == 60
    assert {e["code"] for e in ann.peer.of("error")} == {"rate_limited"}
    await ann.send(type="answer", question=0, answer="R")
    assert ann.peer.of("answer_ack") == []
    await room.advance(100)  # 20 frames a second: two more
    assert (await ann.answer(0, "R"))["accepted"] is True


async def test_a_frame_over_64_kib_is_refused_with_too_large_and_closed_1009() -> None:
    room, host, (ann,) = await started("Ann")
    await room.node.handle(ann.connection, '{"type":"ping","t":1,"pad":"' + "x" * 64 * 1024 + '"}')
    assert ann.peer.last("error")["code"] == "too_large" and ann.peer.close_code == 1009


async def test_the_64_kib_limit_counts_bytes_not_characters() -> None:
    room, host, (ann,) = await started("Ann")
    frame = '{"type":"ping","t":1,"pad":"' + "\u20ac" * 40_000 + '"}'
    assert len(frame.encode()) > 64 * 1024 > len(frame)
    await room.node.handle(ann.connection, frame)
    assert ann.peer.close_code == 1009


async def test_a_socket_that_keeps_sending_bad_frames_is_closed_1008() -> None:
    room, host, (ann,) = await started("Ann")
    for _ in range(30):  # a burst of refusals (a page retrying) is answered, and the socket stays
        await ann.send(type="no_such_frame")
    assert len(ann.peer.of("error")) == 30 and ann.peer.close_code is None
    await room.advance(5_000)  # the budget refills, one a second
    for _ in range(5):
        await ann.send(type="no_such_frame")
    assert ann.peer.close_code is None
    for _ in range(30):  # but a client that keeps at it is closed instead of answered forever
        await ann.send(type="no_such_frame")
    assert ann.peer.close_code == 1008


async def test_a_nickname_has_one_limit_in_the_frame_and_in_the_room() -> None:
    room = await Room().open()
    socket = await room.connect()
    await socket.send(type="join", pin=PIN, nickname="x" * 25)
    error = socket.peer.last("error")
    assert error["code"] == "bad_request" and "24" in error["message"]
    await socket.send(type="join", pin=PIN, nickname="y" * 24)
    assert socket.peer.last("welcome")["player"]["nickname"] == "y" * 24


async def test_a_ping_before_the_first_frame_gets_a_pong() -> None:
    room = await Room().open()
    socket = await room.connect()
    await socket.send(type="ping", t=7)
    assert socket.peer.last("pong")["t"] == 7 and socket.peer.of("error") == []


@pytest.mark.parametrize("question", [True, "0", 0.5])
async def test_frames_parse_strictly_a_boolean_is_no_number(question: Any) -> None:
    room, host, (ann,) = await started("Ann")
    await ann.send(type="answer", question=question, answer="R")
    assert ann.peer.last("error")["code"] == "bad_request" and ann.peer.of("answer_ack") == []


async def test_a_join_with_an_account_while_the_database_is_down_is_told_to_come_back() -> None:
    async def database_down(token: str) -> None:
        raise ConnectionRefusedError("the database is not answering")

    room = await Room().open()
    room.node.authenticate = database_down  # type: ignore[assignment]
    socket = await room.connect()
    await socket.send(type="join", pin=PIN, nickname="Ann", token="an-access-token")
    assert socket.peer.last("error")["code"] == "unavailable" and socket.peer.close_code == 1013
    assert room.state.players == {}


async def test_round_trips_are_measured_a_slice_of_sockets_at_a_time() -> None:
    room = await Room().open()
    players = [await room.join(f"P{n}") for n in range(40)]
    seated = {id(p): len(p.peer.of("ping")) for p in players}  # the ping sent on seating
    for _ in range(PING_SLICES):
        before = sum(len(p.peer.of("ping")) for p in players)
        await room.node.door.ping_slice()
        assert sum(len(p.peer.of("ping")) for p in players) - before <= 40 // PING_SLICES
    assert all(len(p.peer.of("ping")) - seated[id(p)] == 1 for p in players)  # each once a round
    first = players[0]
    ping = first.peer.last("ping")
    await room.advance(80)
    await first.send(type="pong", t=ping["t"])
    assert first.connection.rtt_ms == 80


async def test_an_answer_is_parsed_once_at_the_edge_and_scored_as_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    room, host, (ann, ben) = await started("Ann", "Ben")
    assert (await ann.answer(0, "R"))["accepted"]

    def parsed_again(*args: Any) -> None:
        raise AssertionError("the game parsed a stored answer again")

    monkeypatch.setattr("rooms.core.game.parse_answer", parsed_again)
    assert (await ben.answer(0, "W"))["accepted"]  # the edge's own parse is untouched
    assert room.state.phase is Phase.REVEAL
    assert host.peer.last("reveal")["distribution"] == {"R": 1, "W": 1}
    assert ann.peer.last("result")["correct"] and not ben.peer.last("result")["correct"]


async def test_a_join_counts_as_connected_whatever_order_the_edges_notices_arrive_in() -> None:
    """Over the bus the edge's presence notice can arrive after the host's `start`: the owner takes
    the join itself as the player's socket being there, so the question waits for them."""
    room = await Room().open()
    host = await room.host()
    ann = await room.join("Ann")
    await room.runner.join("Zed", None, "zed-resume-hash")  # a remote edge's join; its notice is late
    await host.send(type="start")
    await ann.answer(0, "R")
    assert room.state.phase is Phase.QUESTION  # Zed may still answer


def test_big_lobbies_slow_down_so_their_sockets_get_a_constant_number_of_lobby_frames() -> None:
    assert lobby_interval_ms(30) == lobby_interval_ms(1_000) == LOBBY_INTERVAL_MS
    assert lobby_interval_ms(4_000) == 1_000 and lobby_interval_ms(40_000) == LOBBY_INTERVAL_MAX_MS
    for players in (1_000, 2_000, 4_000, 8_000, 20_000):  # frames a second to the room's players
        assert players * 1000 // lobby_interval_ms(players) == LOBBY_FRAMES_PER_SECOND


def test_a_node_never_sends_more_than_a_slice_of_pings_a_tick_however_many_players_it_serves() -> None:
    assert ping_slices(0) == ping_slices(PING_SLICES * PINGS_PER_SLICE) == PING_SLICES  # 5 s rounds
    for players in (5_001, 10_000, 19_900, 50_000):
        slices = ping_slices(players)
        assert -(-players // slices) <= PINGS_PER_SLICE < -(-players // (slices - 1))
