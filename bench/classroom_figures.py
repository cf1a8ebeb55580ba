"""The figures of a many-rooms run (`bench.classrooms`), from what the bots recorded: pure, no I/O.

Times from the bots are `time.perf_counter()` seconds (one clock for every process on the machine);
the server's stamps are epoch ms, compared through `offset_ms` (epoch ms minus perf_counter ms,
taken by the load generator). Ack latencies are also looked at over time: per 1-second window (the
worst window's p99) and as stalls, short spans where most acks were late, whose spacing tells a
periodic stall (a timer that blocks the event loop) from noise.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.classroom_worker import RoomReport
from bench.stats import MS, Figure, finite, percentile

WINDOW_S = 1.0  # the window of "worst 1-second p99"
WINDOW_MIN_ACKS = 20  # fewer acks in a window say nothing about its p99
STALL_BIN_S = 0.1
STALL_BIN_MIN_ACKS = 5
STALL_FLOOR_MS = 20.0  # an ack under this is never part of a stall...
STALL_TIMES_P50 = 4.0  # ...nor one under this many times the run's median ack
STALL_MERGE_S = 0.3  # late bins this close together are one stall
PERIOD_MIN_STALLS = 3
PERIOD_TOLERANCE = 0.15  # a gap within 15% of the median gap is "on the period"
PERIOD_MIN_SHARE = 0.6  # ...and this share of the gaps must be, for the stalls to be periodic
HISTOGRAM_EDGES_MS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0)
TIMELINE_LEVELS = ((5.0, "_"), (10.0, "."), (20.0, ":"), (50.0, "-"), (100.0, "="), (200.0, "+"),
                   (500.0, "*"), (math.inf, "#"))


@dataclass(frozen=True)
class Acks:
    """Every answer that got its ack: when it was sent (perf_counter s) and the latency (ms)."""

    sent: list[float]
    latency_ms: list[float]
    unacked: int  # answers sent that never got an ack


def acks(rooms: Sequence[RoomReport]) -> Acks:
    pairs: list[tuple[float, float]] = []
    unacked = 0
    for room in rooms:
        for report in room.rounds:
            for sent, acked in zip(report.series["answered"], report.series["ack"], strict=True):
                if math.isnan(sent):
                    continue
                if math.isnan(acked):
                    unacked += 1
                else:
                    pairs.append((sent, (acked - sent) * MS))
    pairs.sort()
    return Acks([s for s, _ in pairs], [ms for _, ms in pairs], unacked)


def buckets(sent: Sequence[float], values: Sequence[float], width_s: float) -> dict[int, list[float]]:
    """`values` grouped by the `width_s` bucket of their `sent` time, counted from the first one."""
    grouped: dict[int, list[float]] = {}
    if not sent:
        return grouped
    origin = sent[0]
    for at, value in zip(sent, values, strict=True):
        grouped.setdefault(int((at - origin) // width_s), []).append(value)
    return grouped


def window_p99s(found: Acks, width_s: float = WINDOW_S,
                min_acks: int = WINDOW_MIN_ACKS) -> list[tuple[float, float]]:
    """(seconds from the first answer, ack p99 of the answers sent in that window) for every window
    with enough acks; a window's p99 may be NaN when too few acks fell in it."""
    grouped = buckets(found.sent, found.latency_ms, width_s)
    last = max(grouped, default=-1)
    out = []
    for number in range(last + 1):
        inside = sorted(grouped.get(number, []))
        out.append((number * width_s, percentile(inside, 0.99) if len(inside) >= min_acks else math.nan))
    return out


def stall_starts(found: Acks, threshold_ms: float, bin_s: float = STALL_BIN_S,
                 min_acks: int = STALL_BIN_MIN_ACKS) -> list[float]:
    """When each stall began (seconds from the first answer): runs of `bin_s` bins whose p90 ack is
    at least `threshold_ms`, bins within STALL_MERGE_S of each other merged into one stall."""
    late = []
    for number, inside in sorted(buckets(found.sent, found.latency_ms, bin_s).items()):
        if len(inside) >= min_acks and percentile(sorted(inside), 0.9) >= threshold_ms:
            late.append(number * bin_s)
    starts: list[float] = []
    previous = -math.inf
    for at in late:
        if at - previous > STALL_MERGE_S:
            starts.append(at)
        previous = at
    return starts


def stall_threshold(ack_p50_ms: float) -> float:
    return max(STALL_FLOOR_MS, STALL_TIMES_P50 * ack_p50_ms) if not math.isnan(ack_p50_ms) else STALL_FLOOR_MS


def period(starts: Sequence[float]) -> float:
    """The stalls' period in seconds when they come at a steady beat (the median gap, when most gaps
    are within PERIOD_TOLERANCE of it); NaN when there are too few or they are irregular."""
    if len(starts) < PERIOD_MIN_STALLS:
        return math.nan
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    beat = statistics.median(gaps)
    steady = sum(1 for gap in gaps if abs(gap - beat) <= PERIOD_TOLERANCE * beat)
    return beat if steady >= PERIOD_MIN_SHARE * len(gaps) else math.nan


def histogram(latency_ms: Sequence[float], edges: Sequence[float] = HISTOGRAM_EDGES_MS) -> list[float]:
    """The share (%) of acks in each bucket: under edges[0], [edges[i], edges[i+1]), then the rest."""
    counts = [0] * (len(edges) + 1)
    for value in latency_ms:
        counts[sum(1 for edge in edges if value >= edge)] += 1
    total = len(latency_ms)
    return [100.0 * count / total if total else math.nan for count in counts]


def histogram_labels(edges: Sequence[float] = HISTOGRAM_EDGES_MS) -> list[str]:
    bounds = [0.0, *edges]
    labels = [f"{low:g}-{high:g}" for low, high in zip(bounds, edges, strict=False)]
    return [*labels, f">= {edges[-1]:g}"]


def timeline(p99s: Sequence[tuple[float, float]]) -> str:
    """One character per window (see TIMELINE_LEVELS; a blank: too few acks), 60 to a line."""
    chars = []
    for _, value in p99s:
        chars.append(" " if math.isnan(value) else next(c for limit, c in TIMELINE_LEVELS if value < limit))
    return "\n".join("".join(chars[start:start + 60]) for start in range(0, len(chars), 60))


def timeline_legend() -> str:
    lower = 0.0
    parts = []
    for limit, char in TIMELINE_LEVELS:
        parts.append(f"`{char}` {lower:g}-{limit:g} ms" if limit != math.inf else f"`{char}` >= {lower:g} ms")
        lower = limit
    return ", ".join(parts) + ", blank: under 20 acks"


def ms_between(later: Sequence[float], earlier: float) -> list[float]:
    return finite((at - earlier) * MS for at in later)


def round_figures(rooms: Sequence[RoomReport], offset_ms: float) -> dict[str, float]:
    """Fan-out, close and game-end figures over every room and question."""
    fanout: list[float] = []
    opened: list[float] = []
    reveal: list[float] = []
    scoreboard: list[float] = []
    finished: list[float] = []
    missing = {"no_question": 0, "no_scoreboard": 0, "no_finished": 0}
    for room in rooms:
        joined = len(room.join.latencies)
        for command, report in zip(room.commands, room.rounds, strict=False):
            series = report.series
            stamp = report.server_time_ms
            fanout += finite(at * MS + offset_ms - stamp for at in series["arrive"])
            opened.append(stamp - (command * MS + offset_ms))
            last_answer = max(finite(series["answered"]), default=math.nan)
            reveal += ms_between(series["reveal"], last_answer)
            scoreboard += ms_between(series["scoreboard"], last_answer)
            missing["no_question"] += joined - len(finite(series["arrive"]))
            missing["no_scoreboard"] += joined - len(finite(series["scoreboard"]))
        missing["no_question"] += joined * (len(room.commands) - len(room.rounds))  # a round cut short
        finished += ms_between(room.finished, room.finish_command)
        missing["no_finished"] += joined - len(finite(room.finished))
    for values in (fanout, opened, reveal, scoreboard, finished):
        values.sort()
    opened = finite(opened)
    return {
        "open_p50": percentile(opened, 0.5),
        "open_p99": percentile(opened, 0.99),
        "fanout_p50": percentile(fanout, 0.5),
        "fanout_p99": percentile(fanout, 0.99),
        "fanout_max": percentile(fanout, 1.0),
        "reveal_p50": percentile(reveal, 0.5),
        "reveal_p99": percentile(reveal, 0.99),
        "scoreboard_p99": percentile(scoreboard, 0.99),
        "finished_p99": percentile(finished, 0.99),
        **{key: float(value) for key, value in missing.items()},
    }


def join_figures(rooms: Sequence[RoomReport]) -> dict[str, float]:
    latencies = sorted(ms * MS for room in rooms for ms in room.join.latencies)
    spans = finite((room.join.last_welcome - room.join.started) * MS for room in rooms
                   if room.join.latencies)
    return {
        "players": float(len(latencies)),
        "join_failures": float(sum(sum(room.join.failures.values()) for room in rooms)),
        "join_p50": percentile(latencies, 0.5),
        "join_p99": percentile(latencies, 0.99),
        "room_join_p50": percentile(spans, 0.5),
        "room_join_p99": percentile(spans, 0.99),
    }


def ack_figures(found: Acks) -> dict[str, float | list[float]]:
    ordered = sorted(found.latency_ms)
    p50 = percentile(ordered, 0.5)
    windows = window_p99s(found)
    judged = [(at, p99) for at, p99 in windows if not math.isnan(p99)]
    worst_at, worst = max(judged, key=lambda pair: pair[1], default=(math.nan, math.nan))
    starts = stall_starts(found, stall_threshold(p50))
    return {
        "answers": float(len(ordered) + found.unacked),
        "no_ack": float(found.unacked),
        "ack_p50": p50,
        "ack_p99": percentile(ordered, 0.99),
        "ack_max": percentile(ordered, 1.0),
        "ack_worst_window_p99": worst,
        "ack_worst_window_at_s": worst_at,
        "stall_threshold_ms": stall_threshold(p50),
        "stalls": float(len(starts)),
        "stall_period_s": period(starts),
        "stall_starts_s": starts,
        "ack_window_p99s": [p99 for _, p99 in windows],
    }


def figures(rooms: Sequence[RoomReport], offset_ms: float) -> dict[str, float | list[float]]:
    """Every figure computed from the bots' records (the server's CPU and memory come from /proc)."""
    played = [room for room in rooms if not room.error]
    found = acks(rooms)
    result: dict[str, float | list[float]] = {
        "rooms": float(len(played)),
        "room_errors": float(len(rooms) - len(played)),
        "closed_by_host": float(sum(room.closed_by_host for room in rooms)),
        "question_bytes": max((room.question_bytes for room in rooms), default=math.nan),
    }
    result.update(join_figures(rooms))
    result.update(round_figures(rooms, offset_ms))
    result.update(ack_figures(found))
    for label, share in zip(histogram_labels(), histogram(found.latency_ms), strict=True):
        result[f"ack_share {label}"] = share
    return result


FIGURES = (
    Figure("rooms", "rooms played through `finished`", digits=0),
    Figure("room_errors", "rooms that failed", digits=0, ratio=False),
    Figure("players", "players seated", digits=0),
    Figure("join_failures", "joins refused or timed out", digits=0, ratio=False),
    Figure("join_p50", "join latency p50 (ms)"),
    Figure("join_p99", "join latency p99 (ms)"),
    Figure("room_join_p50", "a room's joins, first connect -> last welcome, p50 (ms)"),
    Figure("room_join_p99", "a room's joins, first connect -> last welcome, p99 (ms)"),
    Figure("question_bytes", "question frame (bytes)", digits=0),
    Figure("open_p50", "host command -> question opened, server stamp, p50 (ms)", ratio=False),
    Figure("open_p99", "host command -> question opened, server stamp, p99 (ms)"),
    Figure("fanout_p50", "question fan-out, server stamp -> player, p50 (ms)"),
    Figure("fanout_p99", "question fan-out, server stamp -> player, p99 (ms)"),
    Figure("fanout_max", "question fan-out, server stamp -> player, max (ms)"),
    Figure("answers", "answers sent", digits=0),
    Figure("ack_p50", "answer ack p50 (ms)"),
    Figure("ack_p99", "answer ack p99 (ms)"),
    Figure("ack_max", "answer ack max (ms)"),
    Figure("ack_worst_window_p99", "answer ack p99 of the worst 1-second window (ms)"),
    Figure("ack_worst_window_at_s", "  ... that window, seconds after the first answer", digits=0,
           ratio=False),
    Figure("stall_threshold_ms", "stall: 0.1 s of answers whose p90 ack is over (ms)", ratio=False),
    Figure("stalls", "stalls", digits=0, ratio=False),
    Figure("stall_period_s", "stalls' period (s; - when fewer than 3 or irregular)", ratio=False),
    Figure("reveal_p50", "room's last answer sent -> `reveal` at a player, p50 (ms)"),
    Figure("reveal_p99", "room's last answer sent -> `reveal` at a player, p99 (ms)"),
    Figure("scoreboard_p99", "room's last answer sent -> `scoreboard` at a player, p99 (ms)"),
    Figure("finished_p99", "last `next` -> `finished` at a player, p99 (ms)"),
    Figure("server_cpu_ms_per_player", "server CPU per player, whole run (ms)", digits=2),
    Figure("server_cpu_share", "server CPU, share of one core over the run (%)"),
    Figure("rss_per_player_kib", "server RSS per player, peak - before the joins (KiB)"),
    Figure("rss_peak_mib", "server RSS at its peak (MiB)"),
    Figure("server_gc_max_ms", "server's longest GC pause (ms)", digits=0),
    Figure("no_ack", "answers without ack", digits=0, ratio=False),
    Figure("no_question", "questions a seated player did not get", digits=0, ratio=False),
    Figure("no_scoreboard", "scoreboards a seated player did not get", digits=0, ratio=False),
    Figure("no_finished", "seated players without `finished`", digits=0, ratio=False),
    Figure("closed_by_host", "questions the host had to close", digits=0, ratio=False),
    Figure("leases_lost", "\"lost the lease\" of a room, in the node's log", digits=0, ratio=False),
    *(Figure(f"ack_share {label}", f"acks in {label} ms (%)", ratio=False) for label in histogram_labels()),
    Figure("run_s", "run: first join -> last `finished` (s)"),
    Figure("loadgen_cpu_s", "load generator CPU (s)"),
    Figure("redis_cpu_s", "Redis server CPU during the run (s)"),
    Figure("load_average", "machine load average (1 min) before the run", ratio=False),
    Figure("other_cpu_s", "CPU used by other processes during the run (s): noise", ratio=False),
)
