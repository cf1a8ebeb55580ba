"""`python -m bench.busrate`: how many room events a second one Redis carries, through the
product's own Redis bus and store (rooms/bus/redis.py, rooms/store/redis.py).

`--rooms` rooms publish at once, each in its own task, one event after another as a room's output
task does; `--subscribers` processes stand for nodes, each a `RedisBus` subscribed to every room
with a listener that only counts. Kinds of work:

- `publish`: one PUBLISH of a `--bytes` message per event (what a remote notice or a personal
  envelope costs);
- `event`: what the owner does per shared room event: the fenced history append (Lua) and the PUBLISH;
- `answer`: the edge's `record_answer` (Lua, first answer wins), pipelined per loop tick, as the
  answers of a burst are; no subscriber.

Reported: events (or answers) a second achieved, deliveries a second at the subscribers, and
Redis's own CPU per event (INFO cpu, user+sys of the server process) with the rate one Redis core
would carry at that cost. The clients in Python run out of CPU long before Redis on this machine:
the Redis CPU per event is the figure that says when one Redis is full.

    python -m bench.busrate --kind publish,event,answer --rooms 100 --subscribers 1,3 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import secrets
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from redis import Redis as SyncRedis

from bench import loadgen
from bench.worker import receive

KINDS = ("publish", "event", "answer")
READY_TIMEOUT_S = 30.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def redis_cpu_seconds(url: str) -> float:
    client = SyncRedis.from_url(url)
    try:
        info = client.info("cpu")
    finally:
        client.close()
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


# --- the subscriber process: one node's bus, counting ---------------------------------------------


def subscriber(conn: Connection, url: str, prefix: str, number: int, rooms: int) -> None:
    import uvloop

    uvloop.run(_subscriber(conn, url, prefix, number, rooms))


async def _subscriber(conn: Connection, url: str, prefix: str, number: int, rooms: int) -> None:
    from redis.asyncio import Redis

    from rooms.bus.redis import RedisBus

    redis = Redis.from_url(url)
    bus = RedisBus(redis, f"sub{number}", prefix=prefix)
    await bus.start()
    count = [0]

    async def listener(message: bytes) -> None:
        count[0] += 1

    for room in range(rooms):
        await bus.subscribe(f"room:{{{room:06d}}}", listener)
    conn.send("ready")
    await receive(conn)  # "report"
    conn.send(count[0])
    await bus.close()
    await redis.aclose()


# --- the publisher process: rooms publishing (or answers recorded) for a while --------------------


def publisher(
    conn: Connection,
    url: str,
    prefix: str,
    kind: str,
    rooms: list[int],
    size: int,
    seconds: float,
    answer_tasks: int,
) -> None:
    import uvloop

    uvloop.run(_publisher(conn, url, prefix, kind, rooms, size, seconds, answer_tasks))


async def _publisher(
    conn: Connection,
    url: str,
    prefix: str,
    kind: str,
    rooms: list[int],
    size: int,
    seconds: float,
    answer_tasks: int,
) -> None:
    from redis.asyncio import Redis

    from rooms.bus.redis import RedisBus
    from rooms.core.state import Receipt, StoredAnswer
    from rooms.store.redis import RedisRoomStore

    redis = Redis.from_url(url, max_connections=10_000)
    bus = RedisBus(redis, f"pub{os.getpid()}", prefix=prefix)  # never started: publish needs no subscription
    store = RedisRoomStore(redis, prefix=prefix)
    message = b"x" * size
    counts = [0]
    for room in rooms:
        await redis.set(f"{prefix}:room:{{{room:06d}}}:epoch", 1)
    conn.send("ready")
    await receive(conn)  # "go"
    stop_at = time.perf_counter() + seconds

    async def room_loop(room: int) -> None:
        pin, channel, seq = f"{room:06d}", f"room:{{{room:06d}}}", 0
        while time.perf_counter() < stop_at:
            seq += 1
            if kind == "event":
                await store.append_event(pin, 1, seq, message)
            await bus.publish(channel, message)
            counts[0] += 1

    answer = StoredAnswer("a" * 8, Receipt(1, 2, 3, 4))

    async def answer_loop(task: int) -> None:
        pin, player = f"{rooms[task % len(rooms)]:06d}", 0
        while time.perf_counter() < stop_at:
            player += 1
            await store.record_answer(pin, 0, f"t{task}p{player}", answer)
            counts[0] += 1

    started = time.perf_counter()
    if kind == "answer":
        await asyncio.gather(*(answer_loop(task) for task in range(answer_tasks)))
    else:
        await asyncio.gather(*(room_loop(room) for room in rooms))
    conn.send((counts[0], time.perf_counter() - started))
    await redis.aclose()


# --- one measurement ------------------------------------------------------------------------------


def measure(args: argparse.Namespace, kind: str, subscribers: int) -> dict[str, Any]:
    prefix = f"bench-bus-{secrets.token_hex(4)}"
    context = multiprocessing.get_context("spawn")
    procs, subs, pubs = [], [], []
    try:
        for number in range(subscribers if kind != "answer" else 0):
            ours, theirs = context.Pipe()
            proc = context.Process(
                target=subscriber, args=(theirs, args.redis_url, prefix, number, args.rooms), daemon=True
            )
            proc.start()
            procs.append(proc)
            subs.append(ours)
        rooms = list(range(args.rooms))
        for number in range(args.publishers):
            ours, theirs = context.Pipe()
            share = rooms[number :: args.publishers]
            proc = context.Process(
                target=publisher,
                args=(
                    theirs,
                    args.redis_url,
                    prefix,
                    kind,
                    share,
                    args.bytes,
                    args.seconds,
                    args.answer_tasks // args.publishers,
                ),
                daemon=True,
            )
            proc.start()
            procs.append(proc)
            pubs.append(ours)
        for pipe in [*subs, *pubs]:
            if not pipe.poll(READY_TIMEOUT_S):
                raise TimeoutError("a bench process did not start")
            pipe.recv()
        time.sleep(0.5)
        cpu_before, wall_before = redis_cpu_seconds(args.redis_url), time.perf_counter()
        for pipe in pubs:
            pipe.send("go")
        published, elapsed = 0, 0.0
        for pipe in pubs:
            if not pipe.poll(args.seconds + READY_TIMEOUT_S):
                raise TimeoutError("a publisher did not report")
            count, took = pipe.recv()
            published += count
            elapsed = max(elapsed, took)
        time.sleep(0.5)  # the last messages reach the subscribers
        redis_cpu = redis_cpu_seconds(args.redis_url) - cpu_before
        wall = time.perf_counter() - wall_before
        delivered = []
        for pipe in subs:
            pipe.send("report")
            if not pipe.poll(READY_TIMEOUT_S):
                raise TimeoutError("a subscriber did not report")
            delivered.append(pipe.recv())
        per_event_us = redis_cpu / published * 1e6 if published else float("nan")
        return {
            "kind": kind,
            "rooms": args.rooms if kind != "answer" else args.answer_tasks,
            "subscribers": len(subs),
            "bytes": args.bytes,
            "events": published,
            "events_per_s": published / elapsed,
            "delivered_per_s_per_subscriber": (sum(delivered) / len(delivered) / elapsed)
            if delivered
            else 0.0,
            "lost": (published * len(subs) - sum(delivered)) if subs else 0,
            "redis_cpu_share": redis_cpu / wall,
            "redis_cpu_us_per_event": per_event_us,
            "one_redis_core_events_per_s": 1e6 / per_event_us if per_event_us else float("nan"),
        }
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.join(2.0)
            if proc.is_alive():
                proc.kill()
        loadgen.delete_redis_keys(args.redis_url, prefix)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.busrate", description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="publish,event,answer", help=f"comma list of {KINDS}")
    parser.add_argument("--rooms", type=int, default=100, help="rooms publishing at once")
    parser.add_argument("--subscribers", default="1,3", help="comma list: subscribing nodes per measurement")
    parser.add_argument("--publishers", type=int, default=1, help="publishing processes")
    parser.add_argument("--answer-tasks", type=int, default=1000, help="answer: players answering at once")
    parser.add_argument("--bytes", type=int, default=400, help="message size (a question envelope is ~400)")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--redis-url", default=loadgen.DEFAULT_REDIS_URL)
    parser.add_argument("--json", type=Path)
    return parser.parse_args(argv)


def table(rows: list[dict[str, Any]]) -> str:
    header = (
        "| work | rooms (answer: tasks) | subscribing nodes | events/s achieved | deliveries/s per node "
        "| lost | Redis CPU (share of a core) | Redis CPU per event (µs) "
        "| one Redis core's events/s at that cost |"
    )
    lines = [header, "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['rooms']} | {r['subscribers']} | {r['events_per_s']:,.0f} | "
            f"{r['delivered_per_s_per_subscriber']:,.0f} | {r['lost']} | {r['redis_cpu_share']:.2f} | "
            f"{r['redis_cpu_us_per_event']:.1f} | {r['one_redis_core_events_per_s']:,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows = []
    for kind in [k.strip() for k in args.kind.split(",") if k.strip()]:
        counts = [0] if kind == "answer" else [int(n) for n in args.subscribers.split(",")]
        for subscribers in counts:
            row = measure(args, kind, subscribers)
            log(
                f"{kind}, {subscribers} subscriber(s): {row['events_per_s']:,.0f}/s, "
                f"Redis {row['redis_cpu_us_per_event']:.1f} µs CPU each"
            )
            rows.append(row)
    print(table(rows))
    if args.json:
        args.json.write_text(
            json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "rows": rows}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
