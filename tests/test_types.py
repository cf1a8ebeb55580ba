"""The type checker holds rooms/, server/, persistence/ and bench/ to zero errors, with untyped function
bodies checked too (settings in pyproject.toml's [tool.mypy])."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_finds_nothing_in_rooms_server_persistence_and_bench() -> None:
    cache = Path(tempfile.gettempdir()) / "quizarena-mypy-cache"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
