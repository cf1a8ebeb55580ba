"""`python -m bench.profile_top STACKS.txt [--top 25]`: the top entries of a py-spy profile.

Reads py-spy's collapsed stacks (`py-spy record --format raw`, as `bench.classrooms --py-spy` writes
them: one line per stack, frames joined by `;`, then the sample count) and prints, as markdown, the
functions with the most samples of their own (self) and, among the project's own functions
(`--ours`), the most samples under them (inclusive), each as a share of all samples. A function is
its name and file, whatever the line. py-spy records only samples of threads that are not
sleeping (on a CPU, or waiting for one). A stack whose leaf is `Runner.run (asyncio/runners.py)`
is in the event loop's native code (uvloop: socket reads and writes, polling), which py-spy cannot
see into; such samples are counted, then left out of the shares (`--drop-leaf`), which are of the
samples in Python code.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

LINE_NUMBER = re.compile(r":\d+\)$")


def function(frame: str) -> str:
    """`Class.method (path/file.py:123)` -> `Class.method (path/file.py)`."""
    return LINE_NUMBER.sub(")", frame.strip())


NATIVE_LOOP = "Runner.run (asyncio/runners.py)"


Tally = tuple[Counter[str], Counter[str], int, int]


def tally(lines: Iterable[str], drop_leaves: Iterable[str] = ()) -> Tally:
    """Self samples and inclusive samples per function, the total counted, and the samples left out
    because their leaf is one of `drop_leaves`."""
    own: Counter[str] = Counter()
    under: Counter[str] = Counter()
    dropped = set(drop_leaves)
    total = left_out = 0
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = [function(frame) for frame in stack.split(";")]
        if frames[-1] in dropped:
            left_out += samples
            continue
        total += samples
        own[frames[-1]] += samples
        for name in set(frames):
            under[name] += samples
    return own, under, total, left_out


TRUNK = ("server/cli.py",)  # the process's start-up frames, under nearly every sample


def ours(counts: Counter[str], prefixes: tuple[str, ...], trunk: tuple[str, ...] = TRUNK) -> Counter[str]:
    """The functions defined in files under `prefixes` (the project's own packages), but `trunk`."""
    def wanted(name: str) -> bool:
        where = name.rpartition(" (")[2]
        return where.startswith(prefixes) and not where.startswith(trunk)

    return Counter({name: n for name, n in counts.items() if wanted(name)})


def table(counts: Counter[str], total: int, top: int, heading: str) -> str:
    lines = [f"| {heading} | samples | share |", "|---|---|---|"]
    for name, samples in counts.most_common(top):
        lines.append(f"| `{name}` | {samples} | {100.0 * samples / total:.1f}% |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_top", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="collapsed stacks; several are added up")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--drop-leaf", action="append", default=None,
                        help=f"leave out samples whose leaf is this function (default: {NATIVE_LOOP})")
    parser.add_argument("--ours", default="rooms/,server/,persistence/",
                        help="comma list of path prefixes of the functions in the inclusive table")
    args = parser.parse_args(argv)
    lines = [line for path in args.files for line in path.read_text().splitlines()]
    drop = args.drop_leaf if args.drop_leaf is not None else [NATIVE_LOOP]
    own, under, total, left_out = tally(lines, drop)
    everything = total + left_out
    share = 100.0 * left_out / max(1, everything)
    leaves = ", ".join(drop) or "nothing"
    print(f"{everything} samples; {left_out} ({share:.1f}%) with their leaf in {leaves}, left out; "
          f"the shares below are of the other {total}\n")
    print(table(own, total, args.top, "function (self)"))
    print()
    prefixes = tuple(prefix.strip() for prefix in args.ours.split(",") if prefix.strip())
    print(table(ours(under, prefixes), total, args.top, "function (inclusive)"))


if __name__ == "__main__":
    main()
