"""`python -m bench.report A.json B.json ...`: one table from the `--json` files of several runs.

Useful when the baseline and QuizArena were measured in separate runs (e.g. each repeated until
the machine was quiet). A later file's target replaces an earlier one's.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench import stats


def load(path: Path) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = json.loads(path.read_text())["results"]
    return {
        target: {key: tuple(value) if isinstance(value, list) and len(value) == 2 else value
                 for key, value in figures.items()}
        for target, figures in results.items()
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    merged: dict[str, dict[str, Any]] = {}
    for path in args.files:
        merged.update(load(path))
    first = [target for target in ("baseline", "quizarena", "redis") if target in merged]
    ordered = {target: merged[target] for target in [*first, *(t for t in merged if t not in first)]}
    print(stats.table(ordered))


if __name__ == "__main__":
    main()
