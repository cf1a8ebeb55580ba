"""docs/protocol.md and docs/design.md stay true to the code: every REST route the app serves and every
frame type it reads is in the contract, everything the contract lists as served is served, and the
README's links into the repository lead to files that exist."""

from __future__ import annotations

import re
from pathlib import Path

from rooms.core.protocol import KNOWN_TYPES
from server.app import create_app
from server.config import Settings
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text()
NOT_YET = "**not yet**"


def served_routes() -> set[tuple[str, str]]:
    app = create_app(Settings(env="test", secret_key=TEST_SECRET, seed_demo=False))
    routes = set()
    for route in app.routes:
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                routes.add((method, re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)))
    return routes


def documented_routes() -> dict[tuple[str, str], bool]:
    """(method, path) -> whether the row says it is served (rows marked **not yet** are not)."""
    rest = PROTOCOL.split("## REST", 1)[1].split("\n## ", 1)[0]
    found: dict[tuple[str, str], bool] = {}
    for row in rest.splitlines():
        if not row.startswith("| `"):
            continue
        cells = row.split("|")
        for group in re.findall(r"`([A-Z, ]+) ([^`]+)`", cells[1]):
            methods, path = group
            for method in methods.replace(",", " ").split():
                found[(method, path)] = NOT_YET not in row.lower()
        for path in re.findall(r"`(/[^` ]+)`", cells[1]):  # the second path of "`GET /a`, `GET /b`"
            method = re.search(r"`([A-Z]+) " + re.escape(path), cells[1])
            if method:
                found.setdefault((method.group(1), path), NOT_YET not in row.lower())
    return found


def test_every_served_rest_route_is_in_the_contract() -> None:
    documented = documented_routes()
    pages = {
        "/", "/play", "/duel", "/host", "/author", "/me", "/leaderboard", "/reports", "/report", "/analytics",
        "/docs", "/assign", "/assignment",
    }
    missing = sorted(
        f"{method} {path}" for method, path in served_routes()
        if (method, path) not in documented and path not in pages
    )
    assert not missing, f"served but not in docs/protocol.md: {missing}"


def test_every_route_the_contract_calls_served_is_served() -> None:
    served = served_routes()
    claimed = sorted(
        f"{m} {p}" for (m, p), live in documented_routes().items() if live and (m, p) not in served
    )
    assert not claimed, f"docs/protocol.md lists these as served, but the app has no such route: {claimed}"


def test_every_client_frame_type_is_in_the_contract() -> None:
    client_table = PROTOCOL.split("### Client -> server", 1)[1].split("### Server -> client", 1)[0]
    listed = {
        name for row in client_table.splitlines() if row.startswith("| `")
        for name in re.findall(r"`(\w+)`", row.split("|")[1])
    }
    assert KNOWN_TYPES <= listed, sorted(KNOWN_TYPES - listed)


def test_readme_links_into_the_repository_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\((?!https?:|#)([^)#]+)(?:#[^)]*)?\)", readme)
    assert "docs/protocol.md" in targets and "docs/design.md" in targets
    assert "../shared" not in readme
    missing = [target for target in targets if not (ROOT / target).exists()]
    assert not missing, missing
    for doc in ("protocol.md", "design.md"):
        for target in re.findall(r"\]\((?!https?:|#)([^)#]+)", (ROOT / "docs" / doc).read_text()):
            assert (ROOT / "docs" / target).exists(), f"docs/{doc} links to a missing {target}"
