"""The direction of dependencies (docs/design.md): rooms/ knows nothing of HTTP, SQL or JWT and
nothing of server/ or persistence/; persistence/ knows nothing of rooms/ or server/; the room core
does no I/O. Checked on the import statements of every module, so a shortcut fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = {
    "rooms": ("server", "persistence", "migrations", "starlette", "uvicorn", "sqlalchemy", "jwt", "httpx"),
    "rooms/core": ("rooms.store", "rooms.bus", "rooms.owner", "rooms.edge", "rooms.node", "redis", "asyncio"),
    "persistence": ("rooms", "server", "starlette"),
}
# The one exception: the wall clock (beside the manual one) schedules its timers on the event loop.
ALLOWED = {("rooms/core/clock.py", "asyncio")}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(RULES))
def test_a_package_imports_nothing_it_must_not_know(package: str) -> None:
    forbidden = RULES[package]
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in forbidden)
        and (str(path.relative_to(ROOT)), name) not in ALLOWED
    ]
    assert found == []
