"""The bots of one load-generator process: they join, answer pings and questions, and note when
every frame arrived (`time.perf_counter()`, comparable across processes on one machine).

Frames are dispatched on their `type`, read from the frame's first bytes when the server puts it
first (both targets do); only the frames whose fields a bot needs are decoded in full.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from bench import wsclient

TYPE_PREFIX = b'{"type":"'


def frame_type(data: bytes) -> bytes:
    if data.startswith(TYPE_PREFIX):
        return data[len(TYPE_PREFIX) : data.find(b'"', len(TYPE_PREFIX))]
    kind = orjson.loads(data).get("type", "")
    return str(kind).encode()


SERIES = ("arrive", "answered", "ack", "reveal", "result", "scoreboard", "sent_ms")


def slots(count: int) -> list[float]:
    return [math.nan] * count


@dataclass
class RoundTimes:
    """One question's send and receive times, one slot per local player (NaN: never happened)."""

    question: int
    count: int
    arrive: list[float] = field(init=False)
    answered: list[float] = field(init=False)
    ack: list[float] = field(init=False)
    reveal: list[float] = field(init=False)
    result: list[float] = field(init=False)
    scoreboard: list[float] = field(init=False)
    sent_ms: list[float] = field(init=False)  # the server's own stamp of its send (result receipts)
    server_time_ms: float = math.nan  # the question frame's `server_time`: when the server opened it
    scoreboards: int = 0

    def __post_init__(self) -> None:
        for name in SERIES:
            setattr(self, name, slots(self.count))

    def series(self) -> dict[str, list[float]]:
        return {name: getattr(self, name) for name in SERIES}


class Crowd:
    """All bots of this process, and what they saw, question by question."""

    def __init__(self, count: int, first_index: int, window_s: float, seed: int):
        self.count = count
        self.first_index = first_index
        self.window_s = window_s
        self.random = random.Random(seed)
        self.players = [Player(self, slot) for slot in range(count)]
        self.rounds: dict[int, RoundTimes] = {}
        self.finished = slots(count)
        self.finished_count = 0
        self.refusals: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.traffic: Counter[str] = Counter()  # frames received per type
        self.traffic_bytes: Counter[str] = Counter()
        self.watch: tuple[Callable[[], bool], asyncio.Event] | None = None

    def round(self, question: int) -> RoundTimes:
        times = self.rounds.get(question)
        if times is None:
            times = self.rounds[question] = RoundTimes(question, self.count)
        return times

    def notice(self) -> None:
        """A bot made progress: wake whoever waits, once what they wait for holds."""
        watch = self.watch
        if watch is not None and watch[0]():
            watch[1].set()

    def live(self) -> int:
        return sum(1 for player in self.players if player.connected())


class Player:
    """One bot: its socket, the question it is on, and its handlers per frame type."""

    __slots__ = ("crowd", "slot", "socket", "question", "welcomed", "join_error")

    def __init__(self, crowd: Crowd, slot: int):
        self.crowd = crowd
        self.slot = slot
        self.socket: wsclient.BotSocket | None = None
        self.question = -1
        loop = asyncio.get_running_loop()
        self.welcomed: asyncio.Future[float] = loop.create_future()
        self.join_error = ""

    def connected(self) -> bool:
        """Seated and still connected (a refused join is not: its `welcomed` holds an exception)."""
        welcomed = self.welcomed
        return (self.socket is not None and not self.socket.closed.done() and welcomed.done()
                and not welcomed.cancelled() and welcomed.exception() is None)

    def send(self, frame: dict[str, Any]) -> None:
        if self.socket is not None:
            self.socket.send_text(orjson.dumps(frame))

    def on_text(self, now: float, data: bytes) -> None:
        kind = frame_type(data)
        crowd = self.crowd
        name = kind.decode()
        crowd.traffic[name] += 1
        crowd.traffic_bytes[name] += len(data)
        handler = HANDLERS.get(kind)
        if handler is not None:
            handler(self, now, data)

    def on_welcome(self, now: float, data: bytes) -> None:
        if not self.welcomed.done():
            self.welcomed.set_result(now)

    def on_error(self, now: float, data: bytes) -> None:
        code = str(orjson.loads(data).get("code"))
        self.crowd.errors[code] += 1
        if not self.welcomed.done():
            self.welcomed.set_exception(RuntimeError(code))

    def on_ping(self, now: float, data: bytes) -> None:
        self.send({"type": "pong", "t": orjson.loads(data).get("t")})

    def on_question(self, now: float, data: bytes) -> None:
        frame = orjson.loads(data)
        question = self.question = frame["question"]
        times = self.crowd.round(question)
        times.arrive[self.slot] = now
        times.server_time_ms = frame["server_time"]
        option = self.crowd.random.choice(frame["options"])["id"]
        window = self.crowd.window_s
        if window <= 0:
            self.answer(times, option)
        else:
            delay = self.crowd.random.uniform(0, window)
            asyncio.get_running_loop().call_later(delay, self.answer, times, option)

    def answer(self, times: RoundTimes, option: str) -> None:
        times.answered[self.slot] = time.perf_counter()
        self.send({"type": "answer", "question": times.question, "answer": option})

    def on_ack(self, now: float, data: bytes) -> None:
        frame = orjson.loads(data)
        times = self.crowd.rounds.get(frame.get("question", -1))
        if times is not None and math.isnan(times.ack[self.slot]):
            times.ack[self.slot] = now
        if not frame.get("accepted"):
            self.crowd.refusals[str(frame.get("reason"))] += 1

    def on_reveal(self, now: float, data: bytes) -> None:
        self.crowd.round(self.question).reveal[self.slot] = now

    def on_result(self, now: float, data: bytes) -> None:
        frame = orjson.loads(data)
        if "question" not in frame:
            return  # the final result, after `finished`
        times = self.crowd.round(frame["question"])
        times.result[self.slot] = now
        receipt = frame.get("receipt")
        if receipt:
            times.sent_ms[self.slot] = receipt["sent"]

    def on_scoreboard(self, now: float, data: bytes) -> None:
        times = self.crowd.round(self.question)
        if math.isnan(times.scoreboard[self.slot]):
            times.scoreboard[self.slot] = now
            times.scoreboards += 1
            self.crowd.notice()

    def on_finished(self, now: float, data: bytes) -> None:
        if math.isnan(self.crowd.finished[self.slot]):
            self.crowd.finished[self.slot] = now
            self.crowd.finished_count += 1
            self.crowd.notice()


HANDLERS = {
    b"welcome": Player.on_welcome,
    b"error": Player.on_error,
    b"ping": Player.on_ping,
    b"question": Player.on_question,
    b"answer_ack": Player.on_ack,
    b"reveal": Player.on_reveal,
    b"result": Player.on_result,
    b"scoreboard": Player.on_scoreboard,
    b"finished": Player.on_finished,
}
