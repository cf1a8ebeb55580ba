"""A load-generator process of `bench.classrooms`: its share of the rooms, each played on its own.

Each room has a host socket and a `Crowd` of bots (bench/players.py). At its start time the room's
bots join, its host sends `start`, and for every question the host waits until each bot holds its
`scoreboard` (closing the question itself if the bots' answers do not), pauses as a teacher would,
and sends `next`; after the last question `next` brings `finished`. The process is told what to do
over a pipe (seat the hosts, play, stop) and answers with every time its bots recorded.
"""

from __future__ import annotations

import asyncio
import gc
import math
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import orjson

from bench import wsclient
from bench.players import Crowd, frame_type
from bench.worker import (
    CLOSE_GRACE_S,
    AwaitFinish,
    AwaitRound,
    Join,
    JoinReport,
    RoundReport,
    Stop,
    StopReport,
    await_finish,
    await_round,
    join_all,
    raise_fd_limit,
    receive,
)


@dataclass(frozen=True)
class RoomPlan:
    """One room of the run: its number (over every process), PIN and host token."""

    index: int
    pin: str
    host_token: str


@dataclass(frozen=True)
class SeatHosts:
    """Make this process's rooms (`players` bots each) and seat every room's host."""

    uri: str
    rooms: tuple[RoomPlan, ...]
    players: int
    timeout_s: float


@dataclass(frozen=True)
class PlayRooms:
    """Play every seated room: room n of this process begins at `starts[n]` (perf_counter)."""

    uri: str
    starts: tuple[float, ...]
    questions: int
    pause_s: float  # the host's look at the scoreboard before `next`
    join_timeout_s: float
    close_after_s: float  # after the question went out: then the host sends `close_question`
    wait_s: float  # the most any one step (a round's frames, `finished`) may take


@dataclass
class SeatReport:
    seated: int
    failures: Counter[str] = field(default_factory=Counter)


@dataclass
class RoomReport:
    """What one room's bots and host recorded (perf_counter seconds unless said)."""

    index: int
    join: JoinReport
    commands: list[float] = field(default_factory=list)  # when each `start`/`next` left, per question
    rounds: list[RoundReport] = field(default_factory=list)
    closed_by_host: int = 0  # questions the host had to close
    finish_command: float = math.nan
    finished: list[float] = field(default_factory=list)
    question_bytes: float = math.nan
    error: str = ""


class HostSocket:
    """A room's host: takes the seat, answers pings, sends commands, notes the question's size."""

    def __init__(self) -> None:
        self.socket: wsclient.BotSocket | None = None
        self.welcomed: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.question_bytes = math.nan

    async def seat(self, uri: str, plan: RoomPlan, timeout_s: float) -> None:
        async with asyncio.timeout(timeout_s):
            self.socket = await wsclient.connect(uri, self.on_text, timeout_s)
            self.socket.send_text(orjson.dumps({"type": "host", "pin": plan.pin, "token": plan.host_token}))
            await self.welcomed

    def on_text(self, now: float, data: bytes) -> None:
        kind = frame_type(data)
        if kind == b"welcome" and not self.welcomed.done():
            self.welcomed.set_result(now)
        elif kind == b"error" and not self.welcomed.done():
            self.welcomed.set_exception(RuntimeError(str(orjson.loads(data).get("code"))))
        elif kind == b"ping":
            self.send({"type": "pong", "t": orjson.loads(data).get("t")})
        elif kind == b"question":
            self.question_bytes = len(data)

    def send(self, frame: dict[str, object]) -> None:
        if self.socket is not None:
            self.socket.send_text(orjson.dumps(frame))

    def command(self, kind: str) -> float:
        """Send a host command; perf_counter() just before it left."""
        sent = time.perf_counter()
        self.send({"type": kind})
        return sent

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()


@dataclass
class Classroom:
    plan: RoomPlan
    crowd: Crowd
    host: HostSocket


async def seat_hosts(command: SeatHosts, window_s: float, seed: int) -> tuple[list[Classroom], SeatReport]:
    classrooms = [Classroom(plan, Crowd(command.players, plan.index * command.players, window_s,
                                        seed + plan.index), HostSocket())
                  for plan in command.rooms]
    report = SeatReport(seated=0)
    for room in classrooms:
        try:
            await room.host.seat(command.uri, room.plan, command.timeout_s)
            report.seated += 1
        except Exception as exc:  # noqa: BLE001 - counted by kind; the room is then left out
            report.failures[str(exc) or type(exc).__name__] += 1
    return classrooms, report


async def play_question(room: Classroom, question: int, command: PlayRooms, report: RoomReport) -> None:
    """One question: `start`/`next`, then every bot's frames through `scoreboard`."""
    crowd, host = room.crowd, room.host
    sent = host.command("start" if question == 0 else "next")
    report.commands.append(sent)
    await await_round(crowd, AwaitRound(question, sent + command.close_after_s))
    if crowd.round(question).scoreboards < crowd.live():
        report.closed_by_host += 1
        host.command("close_question")
    report.rounds.append(await await_round(crowd, AwaitRound(question, time.perf_counter() + command.wait_s)))


async def play_room(room: Classroom, start: float, command: PlayRooms) -> RoomReport:
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    crowd = room.crowd
    join = Join(command.uri, room.plan.pin, crowd.count, command.join_timeout_s)
    report = RoomReport(room.plan.index, await join_all(crowd, join))
    try:
        if not report.join.latencies:
            raise RuntimeError("no bot could join")
        for question in range(command.questions):
            await play_question(room, question, command, report)
            await asyncio.sleep(command.pause_s)
        report.finish_command = room.host.command("next")
        finished = await await_finish(crowd, AwaitFinish(time.perf_counter() + command.wait_s))
        report.finished = finished.finished
    except Exception as exc:  # noqa: BLE001 - one room's failure is reported, the others play on
        report.error = str(exc) or type(exc).__name__
    report.question_bytes = room.host.question_bytes
    return report


async def play_rooms(classrooms: list[Classroom], command: PlayRooms) -> list[RoomReport]:
    seated = [room for room in classrooms if room.host.welcomed.done() and not room.host.welcomed.exception()]
    starts = [start for room, start in zip(classrooms, command.starts, strict=True) if room in seated]
    return list(await asyncio.gather(*(play_room(room, start, command)
                                       for room, start in zip(seated, starts, strict=True))))


async def stop_rooms(classrooms: list[Classroom]) -> StopReport:
    """Close every socket (hosts' and bots'), then report the frame counts of all rooms."""
    for room in classrooms:
        room.host.close()
        for player in room.crowd.players:
            if player.socket is not None:
                player.socket.close()
    await asyncio.sleep(CLOSE_GRACE_S)
    total = StopReport(Counter(), Counter(), Counter(), Counter())
    for room in classrooms:
        total.refusals.update(room.crowd.refusals)
        total.errors.update(room.crowd.errors)
        total.traffic.update(room.crowd.traffic)
        total.traffic_bytes.update(room.crowd.traffic_bytes)
    return total


async def serve(conn: Connection, window_s: float, seed: int) -> None:
    classrooms: list[Classroom] = []
    while True:
        command = await receive(conn)
        if isinstance(command, SeatHosts):
            classrooms, seat_report = await seat_hosts(command, window_s, seed)
            conn.send(seat_report)
        elif isinstance(command, PlayRooms):
            conn.send(await play_rooms(classrooms, command))
        elif isinstance(command, Stop):
            conn.send(await stop_rooms(classrooms))
            return


def run(conn: Connection, count: int, first_room: int, window_s: float, seed: int) -> None:
    """Process entry point (bench.fleet.Fleet, spawn); its rooms come with `SeatHosts`."""
    import uvloop

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it ends this process
    raise_fd_limit()
    gc.disable()  # a collection in the middle of a fan-out would show up as server latency
    try:
        uvloop.run(serve(conn, window_s, seed))
    finally:
        conn.close()
