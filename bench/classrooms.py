"""`python -m bench.classrooms`: many small rooms on one node (a school at 10 a.m.) against the raw
baseline running the same rooms, in the same run, on the same machine.

R rooms of P bots each are opened (REST for QuizArena) and their hosts seated; then room n's bots
join at n x `--stagger-s` / R seconds and its host starts it as soon as they are in. Each of the K
questions is answered by every bot at a uniform random moment of the answer window; the question
closes when all have answered, and the host, once every bot holds the scoreboard, pauses and sends
`next`, until `finished`. Servers and bot processes are pinned as in bench.loadgen; every wait has
a timeout and every process started here is ended, also on Ctrl-C and SIGTERM.

    python -m bench.classrooms --rooms 300 --room-players 30 --target both --nice -10
    python -m bench.classrooms --rooms 20 --room-players 10 --questions 2 --answer-window-ms 2000 \\
        --stagger-s 2 --pause-ms 200        # a smoke run of a few seconds a target
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import classroom_figures, loadgen, procstat, rest, servers, stats
from bench.classroom_worker import PlayRooms, RoomPlan, RoomReport, SeatHosts, SeatReport
from bench.classroom_worker import run as worker_entry
from bench.fleet import Fleet
from bench.worker import Stop, StopReport

HOST_TIMEOUT_S = 10.0  # seating a host; any one step of a room once it plays
CLOSE_GRACE_S = 5.0  # past the answer window, the host closes a question that is still open
LEAD_S = 1.0  # from telling the bot processes to the first room's start
RSS_SAMPLE_S = 0.25
PROFILER_STOP_S = 15.0

Figures = dict[str, Any]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.classrooms", description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=300)
    parser.add_argument("--room-players", type=int, default=30, help="bots in each room")
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--answer-window-ms", type=float, default=15_000.0,
                        help="each bot answers at a uniform random delay in [0, W] after its question "
                        "(the bench quiz's time limit is 20 s)")
    parser.add_argument("--stagger-s", type=float, default=30.0,
                        help="the rooms start evenly spread over this many seconds")
    parser.add_argument("--pause-ms", type=float, default=2_000.0,
                        help="the host's look at the scoreboard before its `next`")
    parser.add_argument("--client-procs", type=int, default=1,
                        help="bot processes (all on the loadgen core), each with whole rooms")
    parser.add_argument("--join-timeout-s", type=float, default=30.0, help="for each join")
    parser.add_argument("--py-spy", type=Path, help="profile the QuizArena server(s) with py-spy (in "
                        "the venv, not a dependency) while the rooms play; collapsed stacks go here")
    parser.add_argument("--py-spy-rate", type=int, default=100, help="samples a second")
    loadgen.add_run_options(parser)
    parser.set_defaults(nodes=1, host_node=0, lease_ttl_ms=None)
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def open_rooms(target: str, server: loadgen.Server, args: argparse.Namespace) -> list[rest.GameSeat]:
    """One seat per room: PINs of our own for the baseline, a game each (one host, one quiz) for
    QuizArena."""
    servers.wait_listening(server)
    if target == "baseline":
        return [rest.GameSeat(pin=f"{index:06d}", host_token="baseline") for index in range(args.rooms)]
    base = f"http://127.0.0.1:{server.port}"
    token = rest.sign_up_host(base)
    quiz_id = rest.create_quiz(base, token, args.questions)
    return [rest.open_game(base, token, quiz_id, args.room_players) for _ in range(args.rooms)]


class PeakMemory:
    """The server's largest RSS, sampled every RSS_SAMPLE_S while the rooms play."""

    def __init__(self, server: loadgen.Server):
        self.server = server
        self.peak_kib = server.rss_kib()
        self._task = asyncio.get_running_loop().create_task(self._sample())

    async def _sample(self) -> None:
        while True:
            await asyncio.sleep(RSS_SAMPLE_S)
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                self.peak_kib = max(self.peak_kib, self.server.rss_kib())

    def stop(self) -> int:
        self._task.cancel()
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            self.peak_kib = max(self.peak_kib, self.server.rss_kib())
        return self.peak_kib


class Profiler:
    """py-spy sampling the server(s) into collapsed stacks (`--format raw`), without pausing them
    (`--nonblocking`); stopped with SIGINT (py-spy then writes its file), killed if it lingers."""

    def __init__(self, pids: list[int], out: Path, rate: int):
        program = Path(sys.executable).with_name("py-spy")
        self.processes = [
            subprocess.Popen([str(program), "record", "--pid", str(pid), "--rate", str(rate),
                              "--format", "raw", "--nonblocking",
                              "--output", str(out.with_name(f"{out.name}-{pid}.txt"))],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
            for pid in pids
        ]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(PROFILER_STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(PROFILER_STOP_S)


def shares(items: list[Any], sizes: list[int]) -> list[list[Any]]:
    """`items` cut into consecutive parts of `sizes`."""
    parts, first = [], 0
    for size in sizes:
        parts.append(items[first:first + size])
        first += size
    return parts


def play_bound_s(args: argparse.Namespace) -> float:
    """The longest a room may take once it begins (every step at its timeout), plus the stagger."""
    pause_s, window_s = args.pause_ms / stats.MS, args.answer_window_ms / stats.MS
    per_question = window_s + CLOSE_GRACE_S + HOST_TIMEOUT_S + pause_s
    return LEAD_S + args.stagger_s + args.join_timeout_s + args.questions * per_question + 2 * HOST_TIMEOUT_S


async def seat_hosts(fleet: Fleet, uri: str, seats: list[rest.GameSeat], args: argparse.Namespace) -> None:
    plans = [RoomPlan(index, seat.pin, seat.host_token) for index, seat in enumerate(seats)]
    fleet.tell_each([SeatHosts(uri, tuple(part), args.room_players, HOST_TIMEOUT_S)
                     for part in shares(plans, fleet.sizes)])
    reports: list[SeatReport] = await fleet.replies(HOST_TIMEOUT_S * (1 + len(seats)))
    failures = sum((report.failures for report in reports), Counter())
    if failures:
        log(f"  host seats refused: {dict(failures.most_common(5))}")


async def play_rooms(fleet: Fleet, uri: str, args: argparse.Namespace) -> list[RoomReport]:
    first = time.perf_counter() + LEAD_S
    starts = [first + index * args.stagger_s / args.rooms for index in range(args.rooms)]
    close_after_s = args.answer_window_ms / stats.MS + CLOSE_GRACE_S
    pause_s = args.pause_ms / stats.MS
    fleet.tell_each([PlayRooms(uri, tuple(part), args.questions, pause_s, args.join_timeout_s, close_after_s,
                               HOST_TIMEOUT_S)
                     for part in shares(starts, fleet.sizes)])
    replies: list[list[RoomReport]] = await fleet.replies(play_bound_s(args))
    return [room for part in replies for room in part]


def gc_max_ms(server: loadgen.Server, start: float, end: float) -> float:
    inside = [took * stats.MS for began, took in servers.gc_pauses(server) if start <= began <= end]
    return max(inside, default=0.0)


def frame_counts(stop: list[StopReport], players: float) -> Figures:
    frames = sum((report.traffic for report in stop), Counter())
    return {
        "frames_per_player": {kind: count / players for kind, count in frames.items()} if players else {},
        "refusals": dict(sum((report.refusals for report in stop), Counter())),
        "errors": dict(sum((report.errors for report in stop), Counter())),
    }


async def play(target: str, server: loadgen.Server, fleet: Fleet, seats: list[rest.GameSeat],
               args: argparse.Namespace) -> Figures:
    uri = loadgen.socket_uris(server)[0]
    server_pids = server.pids if isinstance(server, servers.ServerGroup) else [server.pid]
    ours = [*server_pids, *fleet.pids]
    await seat_hosts(fleet, uri, seats, args)
    load_average = os.getloadavg()[0]
    ours_before, busy_before = procstat.total_cpu_seconds(ours), procstat.machine_busy_seconds()
    loadgen_before = procstat.total_cpu_seconds(fleet.pids)
    redis_before = loadgen.redis_cpu_seconds(server, args)
    rss_before, cpu_before, started = server.rss_kib(), server.cpu_seconds(), time.perf_counter()
    offset_ms = time.time() * stats.MS - started * stats.MS
    profiler = Profiler(server_pids, args.py_spy / target, args.py_spy_rate) if (
        args.py_spy and target != "baseline") else None
    memory = PeakMemory(server)
    try:
        rooms = await play_rooms(fleet, uri, args)
    finally:
        peak_kib = memory.stop()
        if profiler is not None:
            profiler.stop()
    ended = time.perf_counter()
    cpu_s = server.cpu_seconds() - cpu_before
    figures: Figures = classroom_figures.figures(rooms, offset_ms)
    players = figures["players"]
    redis_cpu = loadgen.redis_cpu_seconds(server, args) - redis_before
    figures.update({
        "server_cpu_ms_per_player": cpu_s * stats.MS / players if players else math.nan,
        "server_cpu_share": 100.0 * cpu_s / (ended - started),
        "rss_per_player_kib": (peak_kib - rss_before) / players if players else math.nan,
        "rss_peak_mib": peak_kib / 1024,
        "server_gc_max_ms": gc_max_ms(server, started, ended),
        "loadgen_cpu_s": procstat.total_cpu_seconds(fleet.pids) - loadgen_before,
        "load_average": load_average,
        "redis_cpu_s": redis_cpu,
        "other_cpu_s": procstat.machine_busy_seconds() - busy_before
        - (procstat.total_cpu_seconds(ours) - ours_before) - (0.0 if math.isnan(redis_cpu) else redis_cpu),
    })
    figures["run_s"] = max((max(stats.finite(room.finished), default=started) for room in rooms),
                           default=ended) - started  # first join -> last `finished`
    figures.update(frame_counts(await fleet.ask(Stop(), HOST_TIMEOUT_S), players))
    figures["join_failure_kinds"] = dict(sum((room.join.failures for room in rooms), Counter()))
    if figures["join_failure_kinds"]:
        log(f"  join failures: {dict(Counter(figures['join_failure_kinds']).most_common(5))}")
    errors = Counter(room.error for room in rooms if room.error)
    if errors:
        log(f"  rooms that failed: {dict(errors.most_common(5))}")
    return figures


def leases_lost(server: loadgen.Server) -> int:
    """How often a node logged that it lost the lease of one of its own rooms (a node with Redis whose
    sweep could not renew in time); 0 for a server without leases."""
    members = server.members if isinstance(server, servers.ServerGroup) else [server]
    return sum(member.log_path.read_text(errors="replace").count("lost the lease") for member in members)


def describe(figures: Figures) -> str:
    parts = [("ack p50", "ack_p50"), ("ack p99", "ack_p99"), ("worst 1 s p99", "ack_worst_window_p99"),
             ("fan-out p99", "fanout_p99"), ("reveal p99", "reveal_p99"),
             ("CPU/player", "server_cpu_ms_per_player")]
    text = ", ".join(f"{label} {figures[key]:.1f} ms" for label, key in parts)
    return f"{int(figures['players'])} players in {int(figures['rooms'])} rooms: {text}"


async def measure(target: str, args: argparse.Namespace, workdir: Path, cpu: int | None) -> Figures:
    log(f"{target}: {args.rooms} rooms x {args.room_players} players, {args.questions} questions, "
        f"window {args.answer_window_ms:g} ms, stagger {args.stagger_s:g} s")
    args.redis_prefix = None
    server = loadgen.start_server(target, workdir, cpu, args)
    fleet: Fleet | None = None
    try:
        seats = await asyncio.to_thread(open_rooms, target, server, args)
        fleet = Fleet(args.rooms, args.client_procs, args.answer_window_ms / stats.MS, args.seed,
                      entry=worker_entry)
        figures = await play(target, server, fleet, seats, args)
        server.check_alive()
        figures["server_log_problems"] = loadgen.log_problems(server)
        figures["leases_lost"] = float(leases_lost(server))
        log(f"  {describe(figures)}")
        return figures
    finally:
        if fleet is not None:
            fleet.close()
        server.stop()
        if args.redis_prefix:
            loadgen.delete_redis_keys(args.redis_url, args.redis_prefix)


async def run(args: argparse.Namespace) -> dict[str, Figures]:
    cpu = loadgen.pin_cores(args)
    loadgen.set_niceness(args.nice)
    if args.py_spy:
        args.py_spy.mkdir(parents=True, exist_ok=True)
    results = {}
    with tempfile.TemporaryDirectory(prefix="quizarena-classrooms-") as tmp:
        root = args.keep if args.keep is not None else Path(tmp)
        for target in args.target:
            workdir = root / target
            workdir.mkdir(parents=True)
            results[target] = await measure(target, args, workdir, cpu)
    return results


def timelines(results: dict[str, Figures]) -> str:
    """Each target's ack p99, one character a second: periodic stalls show as a beat."""
    lines = [f"Ack p99 per second of answers sent ({classroom_figures.timeline_legend()}):", ""]
    for target, figures in results.items():
        p99s = [(float(n), value) for n, value in enumerate(figures["ack_window_p99s"])]
        starts = ", ".join(f"{at:.1f}" for at in figures["stall_starts_s"][:20])
        lines += [f"{target} (stalls at s: {starts or 'none'})", "```",
                  classroom_figures.timeline(p99s), "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = loadgen.run_command(run, args)
    if results is None:
        return 130
    print(stats.table(results, classroom_figures.FIGURES))
    print()
    print(timelines(results))
    loadgen.save_json(args, results=results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
