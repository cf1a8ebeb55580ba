"""`python -m bench.roomprofile`: one room's server-side work, in process, without sockets.

A node on the memory store and bus, N players whose sockets are counters, the host, and a game of
single-choice questions played to the end. Each phase (joins, the answer burst, closing a question up
to the reveal, the rest of the close, `next`, the end) is timed on the loop and can run under
cProfile, so a change to the room code is judged by its own cost, not by the noise of a load
generator on the same two cores. Every figure is this thread's CPU time (`time.thread_time`), so
other work on the machine does not move it. The whole-system figures stay with `bench.loadgen`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from rooms import collector
from rooms.bus.memory import MemoryBus
from rooms.core.clock import SystemClock
from rooms.core.results import MemoryResultsSink
from rooms.core.settings import GameSettings
from rooms.edge.connection import Connection
from rooms.node import NewRoom, RoomNode
from rooms.store.memory import MemoryRoomStore
from server.live import XpRewards

HOST_TOKEN = "bench-host-token"
ANSWERS_PER_TICK = 100


@dataclass
class CountingPeer:
    """A socket that keeps what the bench needs: how much it was sent, and when the latest
    frame of a type arrived."""

    sent_bytes: int = 0
    frames: int = 0
    last: dict[str, float] = field(default_factory=dict)
    first: dict[str, float] = field(default_factory=dict)
    question: dict[str, Any] | None = None

    async def send(self, text: str) -> None:
        self.sent_bytes += len(text)
        self.frames += 1
        kind = text[9 : text.index('"', 9)] if text.startswith('{"type":"') else "?"
        now = time.thread_time()
        self.first.setdefault(kind, now)
        self.last[kind] = now
        if kind == "question":
            self.question = orjson.loads(text)

    async def close(self, code: int, reason: str = "") -> None:
        return None


def quiz(questions: int) -> list[dict[str, Any]]:
    return [
        {
            "kind": "single",
            "text": f"Question {i + 1}?",
            "time_limit_ms": 60_000,
            "points": 1000,
            "options": [
                {"id": f"q{i}o{j}", "text": f"Option {j}", "correct": j == 0} for j in range(4)
            ],
        }
        for i in range(questions)
    ]


class Bench:
    def __init__(self, players: int, questions: int, profile: str | None):
        self.clock = SystemClock()
        self.node = RoomNode(
            MemoryRoomStore(self.clock.now_ms), MemoryBus(), self.clock, MemoryResultsSink(), XpRewards()
        )
        self.players, self.questions = players, questions
        self.peers: list[CountingPeer] = []
        self.connections: list[Connection] = []
        self.host = CountingPeer()
        self.profiler = cProfile.Profile() if profile else None
        self.profiled = profile  # the phase to profile, or "all"
        self.timings: dict[str, float] = {}
        self.longest_gc: dict[str, float] = {}
        self.gc_pause_ms = 0.0  # the longest collection of the phase being timed
        self.watch_gc()

    def watch_gc(self) -> None:
        """Keeps the longest garbage collection of each phase (`gc.callbacks`)."""
        started = [0.0]

        def probe(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started[0] = time.thread_time()
            else:
                pause = (time.thread_time() - started[0]) * 1000
                self.gc_pause_ms = max(self.gc_pause_ms, pause)

        gc.callbacks.append(probe)

    async def timed(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        profiling = self.profiler is not None and self.profiled in ("all", name)
        if profiling:
            self.profiler.enable()  # type: ignore[union-attr]
        started, self.gc_pause_ms = time.thread_time(), 0.0
        await work()
        self.timings[name] = self.timings.get(name, 0.0) + (time.thread_time() - started) * 1000
        self.longest_gc[name] = max(self.longest_gc.get(name, 0.0), self.gc_pause_ms)
        if profiling:
            self.profiler.disable()  # type: ignore[union-attr]

    async def frame(self, connection: Connection, frame: dict[str, Any]) -> None:
        await self.node.door.handle(connection, orjson.dumps(frame).decode())

    async def open(self) -> str:
        pin = await self.node.reserve_pin()
        settings = GameSettings(max_players=self.players + 1)
        await self.node.open_game(pin, NewRoom(1, "bench", settings, quiz(self.questions), HOST_TOKEN, None))
        host = Connection(self.host, address="host")
        self.node.door.connect(host)
        await self.frame(host, {"type": "host", "pin": pin, "token": HOST_TOKEN})
        self.host_connection = host
        return pin

    async def join_all(self, pin: str) -> None:
        for index in range(self.players):
            peer = CountingPeer()
            connection = Connection(peer, address=f"10.0.{index // 250}.{index % 250}")
            self.node.door.connect(connection)
            await self.frame(connection, {"type": "join", "pin": pin, "nickname": f"player{index}"})
            self.peers.append(peer)
            self.connections.append(connection)
        await self.settle()

    async def settle(self) -> None:
        runner = next(iter(self.node.runners.values()))
        for _ in range(3):
            await runner.idle()
            await runner.flushed()
            await asyncio.sleep(0)

    async def answer_all(self, index: int) -> None:
        for count, (connection, peer) in enumerate(zip(self.connections, self.peers, strict=True)):
            if count % ANSWERS_PER_TICK == 0:
                await asyncio.sleep(0)  # a loop tick, as sockets give: the room's timers fire when due
            options = peer.question["options"] if peer.question else []
            answer = options[hash(connection.player_id) % len(options)]["id"] if options else None
            await self.frame(connection, {"type": "answer", "question": index, "answer": answer})

    async def play(self) -> None:
        pin = await self.open()
        gc.collect()
        await self.timed("joins", lambda: self.join_all(pin))
        await self.timed("start", lambda: self.command("start"))
        for index in range(self.questions):
            # Answers open after the read time: let the clock pass it.
            await asyncio.sleep(0.01)
            await self.timed("answers", lambda index=index: self.answer_all(index))  # type: ignore[misc]
            answered_at = time.thread_time()
            await self.timed("close", self.settle)
            reveal = max(p.first.get("reveal", answered_at) for p in self.peers[:1] + self.peers[-1:])
            board = max(p.last.get("scoreboard", answered_at) for p in self.peers)
            self.timings["reveal_after_last_answer"] = self.timings.get("reveal_after_last_answer", 0.0) + (
                reveal - answered_at
            ) * 1000
            self.timings["scoreboard_after_last_answer"] = self.timings.get(
                "scoreboard_after_last_answer", 0.0
            ) + (board - answered_at) * 1000
            for peer in self.peers:
                peer.first.clear()
            await self.timed("next", lambda: self.command("next"))

    async def command(self, kind: str) -> None:
        await self.frame(self.host_connection, {"type": kind})
        await self.settle()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument(
        "--profile", metavar="PHASE", help="cProfile one phase (joins, start, answers, close, next) or all"
    )
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    collector.configure()  # as the server does
    bench = Bench(args.players, args.questions, args.profile)
    asyncio.run(bench.play())
    per_question = {"answers", "close", "reveal_after_last_answer", "scoreboard_after_last_answer"}
    for name, total in bench.timings.items():
        shown = total / args.questions if name in per_question else total
        print(f"{name:30s} {shown:9.1f} ms{' (per question)' if name in per_question else ''}")
    for name, pause in bench.longest_gc.items():
        print(f"{'longest GC pause in ' + name:30s} {pause:9.1f} ms")
    finished = bench.node.sink.games.get(1)  # type: ignore[attr-defined]
    answers = len(finished.answers) if finished else 0
    print(f"{'answers recorded':30s} {answers:9d} of {args.players * args.questions}")
    sent = sum(p.sent_bytes for p in bench.peers) / max(1, len(bench.peers))
    print(f"{'bytes sent per player':30s} {sent:9.0f}")
    if bench.profiler:
        pstats.Stats(bench.profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
