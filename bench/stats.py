"""Turning recorded times into the figures of a run, and the figures into a markdown table."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MS = 1000.0


def finite(values: Iterable[float]) -> list[float]:
    return sorted(v for v in values if not math.isnan(v))


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values; NaN when there are none."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def delays_ms(later: Sequence[float], earlier: Sequence[float] | float) -> list[float]:
    """Per-player `later - earlier` in ms (pairs with a missing side are left out), sorted."""
    if isinstance(earlier, float):
        return finite((t - earlier) * MS for t in later)
    return finite((t - e) * MS for t, e in zip(later, earlier, strict=True))


def missing(values: Sequence[float]) -> int:
    return sum(1 for v in values if math.isnan(v))


def round_figures(t0: float, series: dict[str, list[float]], server_time_ms: float) -> dict[str, float]:
    """One question, from `t0` (the host's `start`/`next` sent) to every bot's scoreboard.
    `server_time_ms` is the question frame's stamp: with the receipts' `sent` stamps it gives the
    server's own fan-out span, on the server's clock."""
    fanout = delays_ms(series["arrive"], t0)
    acks = delays_ms(series["ack"], series["answered"])
    last_ack = max(finite(series["ack"]), default=math.nan)
    reveals, boards = finite(series["reveal"]), finite(series["scoreboard"])
    first_reveal = reveals[0] if reveals else math.nan
    return {
        "fanout_p50": percentile(fanout, 0.5),
        "fanout_p99": percentile(fanout, 0.99),
        "fanout_max": percentile(fanout, 1.0),
        "server_fanout": max(finite(series["sent_ms"]), default=math.nan) - server_time_ms,
        "ack_p50": percentile(acks, 0.5),
        "ack_p99": percentile(acks, 0.99),
        "ack_max": percentile(acks, 1.0),
        "round": (last_ack - t0) * MS,
        "close": (first_reveal - last_ack) * MS,
        "reveal_span": ((boards[-1] if boards else math.nan) - first_reveal) * MS,
        "to_scoreboard": ((boards[-1] if boards else math.nan) - t0) * MS,
        "no_question": missing(series["arrive"]),
        "no_ack": missing(series["ack"]),
        "no_scoreboard": missing(series["scoreboard"]),
    }


def combine(rounds: Sequence[dict[str, float]]) -> dict[str, tuple[float, float]]:
    """Each round figure as (median over the rounds, worst round)."""
    keys = rounds[0].keys() if rounds else ()
    combined = {}
    for key in keys:
        values = finite(r[key] for r in rounds)
        combined[key] = (statistics.median(values), values[-1]) if values else (math.nan, math.nan)
    return combined


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    per_round: bool = False
    digits: int = 1
    ratio: bool = True


FIGURES = (
    Figure("nodes", "server nodes", digits=0, ratio=False),
    Figure("players", "players connected", digits=0),
    Figure("joins_s", "all joins (s)", digits=2),
    Figure("join_p50", "join latency p50 (ms)"),
    Figure("join_p99", "join latency p99 (ms)"),
    Figure("join_cpu_ms", "server CPU per join (ms)", digits=3),
    Figure("join_gc_ms", "server GC pauses >= 5 ms while joining (ms, total)", digits=0),
    Figure("rss_per_player_kib", "server RSS per player (KiB)"),
    Figure("rss_after_mib", "server RSS with everyone in (MiB)"),
    Figure("question_bytes", "question frame (bytes)", digits=0),
    Figure("open_delay", "host command -> question opened, server stamp (ms)", per_round=True),
    Figure("fanout_p50", "question fan-out p50 (ms)", per_round=True),
    Figure("fanout_p99", "question fan-out p99 (ms)", per_round=True),
    Figure("fanout_max", "question fan-out to last player (ms)", per_round=True),
    Figure("server_fanout", "question fan-out span, server's own stamps (ms)", per_round=True, digits=0),
    Figure("stamp_owner_p50", "owner's question stamp -> receive, players on the owner's node, p50 (ms)",
           per_round=True),
    Figure("stamp_owner_p99", "owner's question stamp -> receive, players on the owner's node, p99 (ms)",
           per_round=True),
    Figure("stamp_remote_p50", "owner's question stamp -> receive, players on other nodes, p50 (ms)",
           per_round=True),
    Figure("stamp_remote_p99", "owner's question stamp -> receive, players on other nodes, p99 (ms)",
           per_round=True),
    Figure("stamp_remote_max", "owner's question stamp -> receive, last player on other nodes (ms)",
           per_round=True),
    Figure("span_remote", "owner's question stamp -> other nodes' last send, server stamps (ms)",
           per_round=True, digits=0),
    Figure("ack_p50", "answer ack p50 (ms)", per_round=True),
    Figure("ack_p99", "answer ack p99 (ms)", per_round=True),
    Figure("ack_max", "answer ack max (ms)", per_round=True),
    Figure("round", "whole round: question out -> last ack (ms)", per_round=True),
    Figure("close", "last ack -> first reveal (ms)", per_round=True),
    Figure("reveal_span", "reveal+result+scoreboard fan-out (ms)", per_round=True),
    Figure("to_scoreboard", "question out -> last scoreboard (ms)", per_round=True),
    Figure("server_cpu_ms", "server CPU per round (ms)", per_round=True, digits=0),
    Figure("server_gc_max_ms", "server's longest GC pause in a round (ms)", per_round=True, digits=0),
    Figure("loadgen_cpu_ms", "load generator CPU per round (ms)", per_round=True, digits=0),
    Figure("redis_cpu_ms", "Redis server CPU per round (ms)", per_round=True, digits=0),
    Figure("no_ack", "answers without ack", per_round=True, digits=0),
    Figure("no_scoreboard", "players without scoreboard", per_round=True, digits=0),
    Figure("finished_ms", "last `next` -> last player holds `finished` (ms)"),
    Figure("lobby_kib_per_player", "lobby frames received per player (KiB)"),
    Figure("redis_cpu_s", "Redis server CPU during the run (s)", digits=1),
    Figure("other_cpu_s", "CPU used by other processes during the run (s): noise", digits=1),
)


def fmt(value: float, digits: int) -> str:
    return "-" if math.isnan(value) else f"{value:,.{digits}f}"


def cell(figure: Figure, value: float | tuple[float, float]) -> str:
    if isinstance(value, tuple):
        return f"{fmt(value[0], figure.digits)} ({fmt(value[1], figure.digits)})"
    return fmt(value, figure.digits)


def headline(value: float | tuple[float, float]) -> float:
    return value[0] if isinstance(value, tuple) else value


def ratio(numerator: float, denominator: float) -> str:
    if math.isnan(numerator) or math.isnan(denominator) or denominator == 0:
        return "-"
    return f"{numerator / denominator:.2f}"


def table(results: dict[str, dict[str, float | tuple[float, float]]],
          figures: Sequence[Figure] = FIGURES) -> str:
    """Markdown: a row per figure (loadgen's by default), a column per target, and each target /
    baseline when the baseline ran. Per-round figures read `median (worst)` over the questions. Rows
    no target has are left out."""
    names = list(results)
    others = [name for name in names if name != "baseline"] if "baseline" in names else []
    header = ["figure", *names, *(f"{name} / baseline" for name in others)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for figure in figures:
        values = [results[name].get(figure.key, math.nan) for name in names]
        if all(math.isnan(headline(v)) for v in values):
            continue
        row = [figure.label, *(cell(figure, v) for v in values)]
        base = headline(results["baseline"].get(figure.key, math.nan)) if others else math.nan
        row += [ratio(headline(results[name].get(figure.key, math.nan)), base) if figure.ratio else "-"
                for name in others]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)
