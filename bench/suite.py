"""`python -m bench.suite`: every measurement of rooms in Redis in one command, each step a run of
its own module (so each pins and cleans up as it would alone), every table and JSON file kept in
`--out`, and a summary (`summary.md`) of the figures issue 9 asks for.

1. `single`: one room of `--players` on the raw baseline, an in-memory node and one node with
   `REDIS_URL`, in the same run (bench.loadgen --target all).
2. `nodes`: one room over 1, 2, 3 nodes on one Redis, `--per-node` players on each node
   (bench.loadgen --target redis --nodes K): cross-node fan-out against the single node.
3. `failover`: the owner SIGKILLed mid-question (bench.failover failover).
4. `restart`: a lone node with 20 live rooms SIGKILLed and started again (bench.failover restart).
5. `bus`: the events a second one Redis carries (bench.busrate).

    python -m bench.suite --out runs/ --quizarena-rev HEAD --nice -10 [--parts single,nodes,...]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import loadgen

PARTS = ("single", "nodes", "failover", "restart", "bus")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.suite", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="a new directory for tables, JSON and logs")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--players", type=int, default=10_000, help="single: players in the room")
    parser.add_argument("--per-node", type=int, default=3_000, help="nodes: players per node")
    parser.add_argument("--node-counts", default="1,2,3")
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--answer-window-ms", type=float, default=1000.0)
    parser.add_argument("--failover-players", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3, help="failover and restart trials")
    parser.add_argument("--lease-ttl-ms", type=int, help="LEASE_TTL_MS for failover and restart")
    parser.add_argument("--quizarena-rev", help="run QuizArena from this git revision")
    parser.add_argument("--nice", type=int, default=0)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--loadgen-cpu", type=int, default=1)
    parser.add_argument("--redis-url", default=loadgen.DEFAULT_REDIS_URL)
    parser.add_argument(
        "--redis-max-connections",
        type=int,
        default=10_000,
        help="max_connections in the nodes' REDIS_URL (0: redis-py's default of 100)",
    )
    return parser.parse_args(argv)


def common(args: argparse.Namespace) -> list[str]:
    flags = [
        "--server-cpu",
        str(args.server_cpu),
        "--loadgen-cpu",
        str(args.loadgen_cpu),
        "--nice",
        str(args.nice),
        "--redis-url",
        args.redis_url,
    ]
    if args.redis_max_connections:
        flags += ["--redis-max-connections", str(args.redis_max_connections)]
    if args.quizarena_rev:
        flags += ["--quizarena-rev", args.quizarena_rev]
    return flags


def step(args: argparse.Namespace, name: str, module: str, flags: list[str]) -> None:
    command = [sys.executable, "-m", module, *flags]
    log(f"== {name}: {' '.join(command)}")
    started = time.monotonic()
    with (args.out / f"{name}.md").open("w") as out, (args.out / f"{name}.log").open("w") as err:
        out.write(f"<!-- {' '.join(command)} -->\n")
        out.flush()
        result = subprocess.run(command, stdout=out, stderr=err, check=False)
    log(f"   {name}: exit {result.returncode} after {time.monotonic() - started:.0f} s")


def run_parts(args: argparse.Namespace) -> None:
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    run = ["--questions", str(args.questions), "--answer-window-ms", f"{args.answer_window_ms:g}"]
    if "single" in parts:
        step(
            args,
            "single",
            "bench.loadgen",
            [
                "--players",
                str(args.players),
                "--target",
                "all",
                *run,
                *common(args),
                "--keep",
                str(args.out / "single-data"),
                "--json",
                str(args.out / "single.json"),
            ],
        )
    if "nodes" in parts:
        for count in [int(n) for n in args.node_counts.split(",")]:
            step(
                args,
                f"nodes{count}",
                "bench.loadgen",
                [
                    "--players",
                    str(args.per_node * count),
                    "--nodes",
                    str(count),
                    "--target",
                    "redis",
                    *run,
                    *common(args),
                    "--keep",
                    str(args.out / f"nodes{count}-data"),
                    "--json",
                    str(args.out / f"nodes{count}.json"),
                ],
            )
    lease = ["--lease-ttl-ms", str(args.lease_ttl_ms)] if args.lease_ttl_ms else []
    if "failover" in parts:
        step(
            args,
            "failover",
            "bench.failover",
            [
                "failover",
                "--players",
                str(args.failover_players),
                "--repeats",
                str(args.repeats),
                *lease,
                *common(args),
                "--json",
                str(args.out / "failover.json"),
            ],
        )
    if "restart" in parts:
        step(
            args,
            "restart",
            "bench.failover",
            [
                "restart",
                "--rooms",
                "20",
                "--repeats",
                str(args.repeats),
                *lease,
                *common(args),
                "--json",
                str(args.out / "restart.json"),
            ],
        )
    if "bus" in parts:
        step(
            args,
            "bus",
            "bench.busrate",
            ["--redis-url", args.redis_url, "--json", str(args.out / "bus.json")],
        )


def headline(value: Any) -> float:
    if isinstance(value, list):
        return float(value[0])
    return float(value) if isinstance(value, (int, float)) else math.nan


def show(figures: dict[str, Any], key: str) -> str:
    value = headline(figures.get(key, math.nan))
    return "-" if math.isnan(value) else f"{value:,.0f}"


def nodes_table(out: Path) -> str:
    """Cross-node fan-out, one row per node count (median round of each run)."""
    rows = [
        "| nodes | players | owner stamp -> receive, owner's node p50 / p99 (ms) "
        "| other nodes p50 / p99 / last (ms) | fan-out to the last player from the host's command (ms) "
        "| whole round (ms) | ack p99 (ms) | join failures | Redis CPU (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for path in sorted(out.glob("nodes*.json")):
        figures = json.loads(path.read_text())["results"]["redis"]
        cells = [
            show(figures, "nodes"),
            show(figures, "players"),
            f"{show(figures, 'stamp_owner_p50')} / {show(figures, 'stamp_owner_p99')}",
            " / ".join(
                show(figures, key) for key in ("stamp_remote_p50", "stamp_remote_p99", "stamp_remote_max")
            ),
            show(figures, "fanout_max"),
            show(figures, "round"),
            show(figures, "ack_p99"),
            show(figures, "join_failures"),
            f"{headline(figures.get('redis_cpu_s', math.nan)):.1f}",
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def summary(args: argparse.Namespace) -> str:
    parts = [f"# bench.suite, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"]
    for name in ("single", "failover", "restart", "bus"):
        path = args.out / f"{name}.md"
        if path.exists():
            parts.append(f"## {name}\n\n{path.read_text()}\n")
    if list(args.out.glob("nodes*.json")):
        parts.append(f"## nodes\n\n{nodes_table(args.out)}\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True)
    run_parts(args)
    (args.out / "summary.md").write_text(summary(args))
    print(summary(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
