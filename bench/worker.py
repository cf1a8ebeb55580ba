"""A load-generator process: runs a `Crowd` of bots on its own event loop, told what to do over a
pipe by `bench.loadgen` (join, wait out a round, wait for the end, stop) and answering with the
times its bots recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import os
import resource
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from bench import wsclient
from bench.players import Crowd, Player

CLOSE_GRACE_S = 0.05


@dataclass(frozen=True)
class Join:
    """Connect every bot of the process to `uri` and join room `pin`, `concurrency` at a time."""

    uri: str
    pin: str
    concurrency: int
    timeout_s: float
    uris: tuple[str, ...] = ()  # several nodes: bot i (over all processes) goes to uris[i % len]


@dataclass(frozen=True)
class AwaitRound:
    """Report question `question` once every bot holds its scoreboard, or at `deadline`."""

    question: int
    deadline: float


@dataclass(frozen=True)
class AwaitFinish:
    """Report once every bot got `finished`, or at `deadline`."""

    deadline: float


@dataclass(frozen=True)
class Stop:
    """Close every socket and report the frame counts."""


@dataclass
class JoinReport:
    started: float
    latencies: list[float]  # connect start -> welcome, seconds, for each bot that got in
    last_welcome: float
    failures: Counter[str] = field(default_factory=Counter)


@dataclass
class RoundReport:
    question: int
    series: dict[str, list[float]]
    server_time_ms: float


@dataclass
class FinishReport:
    finished: list[float]


@dataclass
class StopReport:
    refusals: Counter[str]
    errors: Counter[str]
    traffic: Counter[str]
    traffic_bytes: Counter[str]


def raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def receive(conn: Connection) -> Any:
    """The next object from the pipe without blocking the loop (callers bound the wait)."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(conn.fileno(), readable)
    try:
        await ready
    finally:
        loop.remove_reader(conn.fileno())
        os.set_blocking(conn.fileno(), True)  # the loop made it non-blocking; a reply may be large
    return conn.recv()


async def join_one(player: Player, command: Join, nickname: str, uri: str) -> tuple[float, float]:
    started = time.perf_counter()
    async with asyncio.timeout(command.timeout_s):
        player.socket = await wsclient.connect(uri, player.on_text, command.timeout_s)
        player.send({"type": "join", "pin": command.pin, "nickname": nickname})
        welcomed = await player.welcomed
    return started, welcomed


async def join_all(crowd: Crowd, command: Join) -> JoinReport:
    pending = iter(crowd.players)
    report = JoinReport(started=math.inf, latencies=[], last_welcome=-math.inf)
    uris = command.uris or (command.uri,)

    async def lane() -> None:
        for player in pending:
            try:
                index = crowd.first_index + player.slot
                started, welcomed = await join_one(player, command, f"bot{index}", uris[index % len(uris)])
            except Exception as exc:  # noqa: BLE001 - every failure is counted by its kind
                report.failures[str(exc) or type(exc).__name__] += 1
                if player.socket is not None:
                    player.socket.close()  # refused: it takes no part in the rounds
                continue
            report.started = min(report.started, started)
            report.last_welcome = max(report.last_welcome, welcomed)
            report.latencies.append(welcomed - started)

    await asyncio.gather(*(lane() for _ in range(min(command.concurrency, crowd.count) or 1)))
    return report


async def wait_until(crowd: Crowd, done: Callable[[], bool], deadline: float) -> None:
    """Until `done()` holds (checked by the bots as frames arrive) or the deadline passes."""
    event = asyncio.Event()
    crowd.watch = (done, event)
    crowd.notice()
    try:
        with contextlib.suppress(TimeoutError):  # the deadline passing is an answer too
            async with asyncio.timeout(max(0.0, deadline - time.perf_counter())):
                await event.wait()
    finally:
        crowd.watch = None


async def await_round(crowd: Crowd, command: AwaitRound) -> RoundReport:
    times = crowd.round(command.question)
    expected = crowd.live()
    await wait_until(crowd, lambda: times.scoreboards >= expected, command.deadline)
    return RoundReport(command.question, times.series(), times.server_time_ms)


async def await_finish(crowd: Crowd, command: AwaitFinish) -> FinishReport:
    expected = crowd.live()
    await wait_until(crowd, lambda: crowd.finished_count >= expected, command.deadline)
    return FinishReport(crowd.finished)


async def stop(crowd: Crowd) -> StopReport:
    for player in crowd.players:
        if player.socket is not None:
            player.socket.close()
    await asyncio.sleep(CLOSE_GRACE_S)
    return StopReport(crowd.refusals, crowd.errors, crowd.traffic, crowd.traffic_bytes)


async def serve(conn: Connection, count: int, first_index: int, window_s: float, seed: int) -> None:
    crowd = Crowd(count, first_index, window_s, seed)
    while True:
        command = await receive(conn)
        if isinstance(command, Join):
            conn.send(await join_all(crowd, command))
            gc.freeze()  # the bots' sockets are long-lived: keep them out of every later collection
        elif isinstance(command, AwaitRound):
            conn.send(await await_round(crowd, command))
        elif isinstance(command, AwaitFinish):
            conn.send(await await_finish(crowd, command))
        elif isinstance(command, Stop):
            conn.send(await stop(crowd))
            return


def run(conn: Connection, count: int, first_index: int, window_s: float, seed: int) -> None:
    """Process entry point (multiprocessing, spawn)."""
    import uvloop

    raise_fd_limit()
    gc.disable()  # a collection in the middle of a fan-out would show up as server latency
    try:
        uvloop.run(serve(conn, count, first_index, window_s, seed))
    finally:
        conn.close()
