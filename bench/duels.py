"""`python -m bench.duels`: N players queue for a duel at once on one QuizArena node (N / 2 duels),
are matched, and play every duel to its end.

Measured: time to match (`queue` sent -> `matched` received), the duel question's round trip (the
later of a duel's two answers sent -> its `reveal` received: the question closes when both have
answered), the answer's ack, and the server's CPU time and memory per duel (the server process's CPU
over the whole run from the first `queue` to the last `finished`, and its resident memory at its
peak, less before the queue, each divided by the duels). The server and this process are pinned to
a core each; every wait has a timeout and the server is killed on exit.

    python -m bench.duels --players 2000 --server-cpu 0 --loadgen-cpu 1 [--nice -10] [--json out.json] \
        [--database-url postgresql+asyncpg://user@127.0.0.1/empty_db]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench import rest, servers, stats, wsclient
from bench.players import frame_type
from bench.quiz import quiz_document
from bench.worker import raise_fd_limit

CONNECT_CONCURRENCY = 256
CONNECT_TIMEOUT_S = 30.0
RSS_SAMPLE_S = 0.25


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.duels", description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=2000, help="players queueing at once (even)")
    parser.add_argument("--questions", type=int, default=5, help="questions in the quiz (a duel plays 5)")
    parser.add_argument(
        "--answer-window-ms",
        type=float,
        default=1000.0,
        help="each player answers at a uniform random delay in [0, W] after its question",
    )
    parser.add_argument(
        "--bot-after-s",
        type=float,
        default=120.0,
        help="DUEL_BOT_AFTER_S of the server (high: every duel is two bench players)",
    )
    parser.add_argument(
        "--database-url",
        help="the server's DATABASE_URL (an empty database; default: "
        "SQLite in the run's temporary directory)",
    )
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--loadgen-cpu", type=int, default=1)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="this run's niceness, which the server inherits "
        "(-10 as root: most of a core shared with other work)",
    )
    parser.add_argument("--timeout-s", type=float, default=180.0, help="for the whole queue-and-play phase")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    if args.players < 2 or args.players % 2:
        parser.error("--players must be an even number of at least 2")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Bot:
    """One player socket and the times it saw (perf_counter seconds)."""

    index: int
    socket: wsclient.BotSocket | None = None
    queued_at: float = math.nan
    matched_at: float = math.nan
    finished_at: float = math.nan
    pin: str = ""
    answered_at: dict[int, float] = field(default_factory=dict)
    acked_at: dict[int, float] = field(default_factory=dict)
    revealed_at: dict[int, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class Crowd:
    """Every bot of the run and the frames they react to."""

    def __init__(self, count: int, window_s: float, seed: int = 1):
        self.bots = [Bot(index) for index in range(count)]
        self.window_s = window_s
        self.random = random.Random(seed)
        self.finished = 0
        self.all_finished = asyncio.Event()

    def on_text(self, bot: Bot):  # noqa: ANN201 - wsclient.OnText
        loop = asyncio.get_running_loop()

        def handle(now: float, data: bytes) -> None:
            kind = frame_type(data)
            if kind == b"ping":
                frame = orjson.loads(data)
                self.send(bot, {"type": "pong", "t": frame["t"]})
            elif kind == b"matched":
                bot.matched_at, bot.pin = now, orjson.loads(data)["pin"]
            elif kind == b"question":
                frame = orjson.loads(data)
                index, answer = frame["question"], frame["options"][0]["id"]
                delay = self.random.uniform(0, self.window_s)
                loop.call_later(delay, self.answer, bot, index, answer)
            elif kind == b"answer_ack":
                bot.acked_at[orjson.loads(data)["question"]] = now
            elif kind == b"reveal":
                bot.revealed_at[orjson.loads(data)["question"]] = now
            elif kind == b"finished":
                bot.finished_at = now
                self.finished += 1
                if self.finished == len(self.bots):
                    self.all_finished.set()
            elif kind == b"error":
                bot.errors.append(orjson.loads(data)["code"])

        return handle

    def send(self, bot: Bot, frame: dict[str, Any]) -> None:
        if bot.socket is not None:
            bot.socket.send_text(orjson.dumps(frame))

    def answer(self, bot: Bot, question: int, option: str) -> None:
        bot.answered_at[question] = time.perf_counter()
        self.send(bot, {"type": "answer", "question": question, "answer": option})


async def connect_all(crowd: Crowd, uri: str) -> None:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(bot: Bot) -> None:
        async with gate:
            bot.socket = await wsclient.connect(uri, crowd.on_text(bot), CONNECT_TIMEOUT_S)

    await asyncio.gather(*(one(bot) for bot in crowd.bots))


async def sample_rss(server: servers.ServerProcess, peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], server.rss_kib())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RSS_SAMPLE_S)


def round_trips_ms(crowd: Crowd) -> dict[int, list[float]]:
    """Per question, per duel: from the later of its two answers to the first of its reveals."""
    duels: dict[str, list[Bot]] = {}
    for bot in crowd.bots:
        duels.setdefault(bot.pin, []).append(bot)
    trips: dict[int, list[float]] = {}
    for pair in duels.values():
        if len(pair) != 2:
            continue
        for question in pair[0].revealed_at:
            answered = [bot.answered_at.get(question, math.nan) for bot in pair]
            revealed = [bot.revealed_at.get(question, math.nan) for bot in pair]
            trips.setdefault(question, []).append((min(revealed) - max(answered)) * stats.MS)
    return {question: stats.finite(values) for question, values in sorted(trips.items())}


def figures(crowd: Crowd, cpu_s: float, rss_before: int, rss_peak: int, elapsed_s: float) -> dict[str, Any]:
    duels = len(crowd.bots) // 2
    match_ms = stats.finite((b.matched_at - b.queued_at) * stats.MS for b in crowd.bots)
    acks = stats.finite(
        (b.acked_at[q] - sent) * stats.MS
        for b in crowd.bots
        for q, sent in b.answered_at.items()
        if q in b.acked_at
    )
    by_question = round_trips_ms(crowd)
    trips = stats.finite(t for values in by_question.values() for t in values)
    errors: dict[str, int] = {}
    for bot in crowd.bots:
        for code in bot.errors:
            errors[code] = errors.get(code, 0) + 1
    return {
        "players": len(crowd.bots),
        "duels": duels,
        "matched": len(match_ms),
        "finished": crowd.finished,
        "match_p50_ms": stats.percentile(match_ms, 0.5),
        "match_p99_ms": stats.percentile(match_ms, 0.99),
        "match_max_ms": match_ms[-1] if match_ms else math.nan,
        "round_trip_p50_ms": stats.percentile(trips, 0.5),
        "round_trip_p99_ms": stats.percentile(trips, 0.99),
        "round_trip_by_question_ms": {
            question: [stats.percentile(values, 0.5), stats.percentile(values, 0.99)]
            for question, values in by_question.items()
        },
        "ack_p50_ms": stats.percentile(acks, 0.5),
        "ack_p99_ms": stats.percentile(acks, 0.99),
        "server_cpu_s": cpu_s,
        "cpu_ms_per_duel": cpu_s * stats.MS / duels,
        "rss_before_mib": rss_before / 1024,
        "rss_peak_mib": rss_peak / 1024,
        "kib_per_duel": (rss_peak - rss_before) / duels,
        "elapsed_s": elapsed_s,
        "errors": errors,
    }


def table(result: dict[str, Any]) -> str:
    rows = [
        ("players queueing at once / duels", f"{result['players']} / {result['duels']}"),
        ("matched / finished", f"{result['matched']} / {result['finished']}"),
        (
            "time to match p50 / p99 / max",
            "{:.0f} / {:.0f} / {:.0f} ms".format(
                result["match_p50_ms"], result["match_p99_ms"], result["match_max_ms"]
            ),
        ),
        (
            "question round trip p50 / p99 (later answer -> reveal)",
            "{:.1f} / {:.1f} ms".format(result["round_trip_p50_ms"], result["round_trip_p99_ms"]),
        ),
        (
            "round trip p50 / p99 by question",
            ", ".join(
                f"{q}: {p50:.0f} / {p99:.0f}" for q, (p50, p99) in result["round_trip_by_question_ms"].items()
            )
            + " ms",
        ),
        ("answer -> ack p50 / p99", "{:.1f} / {:.1f} ms".format(result["ack_p50_ms"], result["ack_p99_ms"])),
        ("server CPU per duel (whole duel, matching included)", f"{result['cpu_ms_per_duel']:.1f} ms"),
        ("server memory per duel (peak - before)", f"{result['kib_per_duel']:.0f} KiB"),
        ("server RSS before / peak", f"{result['rss_before_mib']:.0f} / {result['rss_peak_mib']:.0f} MiB"),
        ("queue -> last finished", f"{result['elapsed_s']:.1f} s"),
        ("errors", json.dumps(result["errors"]) if result["errors"] else "none"),
    ]
    return "\n".join(["| | |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)])


async def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    env = {"DUEL_BOT_AFTER_S": str(args.bot_after_s)}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    server = servers.start_quizarena(workdir, args.server_cpu, extra_env=env)
    try:
        servers.wait_listening(server)
        base = f"http://127.0.0.1:{server.port}"
        token = rest.sign_up_host(base)
        quiz = {**quiz_document(args.questions), "published": True}
        quiz_id = rest._call(base, "/quizzes", quiz, token)["id"]
        crowd = Crowd(args.players, args.answer_window_ms / stats.MS)
        log(f"connecting {args.players} sockets")
        await connect_all(crowd, f"ws://127.0.0.1:{server.port}/ws")
        await asyncio.sleep(1.0)  # the connections' first pings settle
        rss_before, cpu_before = server.rss_kib(), server.cpu_seconds()
        peak, stop = [rss_before], asyncio.Event()
        sampler = asyncio.create_task(sample_rss(server, peak, stop))
        log("queueing everyone at once")
        start = time.perf_counter()
        for bot in crowd.bots:
            bot.queued_at = time.perf_counter()
            crowd.send(bot, {"type": "queue", "nickname": f"p{bot.index}", "quiz": quiz_id})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(crowd.all_finished.wait(), args.timeout_s)
        elapsed = time.perf_counter() - start
        cpu = server.cpu_seconds() - cpu_before
        stop.set()
        await sampler
        for bot in crowd.bots:
            if bot.socket is not None:
                bot.socket.close()
        return figures(crowd, cpu, rss_before, peak[0], elapsed)
    finally:
        server.kill()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.sched_setaffinity(0, {args.loadgen_cpu})
    if args.nice:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)
    raise_fd_limit()
    with tempfile.TemporaryDirectory(prefix="bench-duels-") as tmp:
        result = asyncio.run(run(args, Path(tmp)))
    print(table(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if result["finished"] == result["players"] else 1


if __name__ == "__main__":
    sys.exit(main())
