"""Join links phones can open: PUBLIC_URL first, else this machine's LAN address when the host's own
browser came in over loopback and the server listens on the network, else the address the request
came to; and how `lan_address()` finds the LAN address."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from persistence.db import Database
from server.app import create_app
from server.config import Settings
from server.passwords import Passwords
from server.routes import qr
from server.routes.qr import in_container, is_loopback, lan_address


async def qr_title(settings: Settings, db: Database, base_url: str) -> str:
    app = create_app(settings, database=db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            svg = (await http.get("/qr.svg", params={"pin": "123456"})).text
    return svg.split("<title>", 1)[1].split("</title>", 1)[0]


@pytest.fixture
async def lan_settings(settings: Settings) -> AsyncIterator[Settings]:
    yield replace(settings, lan_address="192.168.1.23")


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"])
async def test_loopback_host_gets_the_lan_address(
    lan_settings: Settings, db: Database, base_url: str
) -> None:
    assert await qr_title(lan_settings, db, base_url) == "http://192.168.1.23:8000/play?pin=123456"


async def test_a_host_on_the_network_keeps_its_own_address(lan_settings: Settings, db: Database) -> None:
    # The host opened the page by the LAN name or address: that already works for phones.
    title = await qr_title(lan_settings, db, "http://quiz-laptop.lan:8000")
    assert title == "http://quiz-laptop.lan:8000/play?pin=123456"


async def test_public_url_wins_over_the_lan_address(lan_settings: Settings, db: Database) -> None:
    settings = replace(lan_settings, public_url="https://quiz.example/")
    assert await qr_title(settings, db, "http://127.0.0.1:8000") == "https://quiz.example/play?pin=123456"


async def test_without_a_lan_address_loopback_stays(settings: Settings, db: Database) -> None:
    # Listening on 127.0.0.1 only: no other address would work, and the host page says so.
    assert await qr_title(settings, db, "http://127.0.0.1:8000") == "http://127.0.0.1:8000/play?pin=123456"


async def test_the_created_game_carries_the_same_join_url(lan_settings: Settings, db: Database) -> None:
    app = create_app(lan_settings, database=db)
    app.state.password_hasher = Passwords(4, time_cost=1, memory_cost=1024, parallelism=1)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            body = {"username": "teacher", "email": "t@example.com", "password": "correct horse battery"}
            assert (await http.post("/auth/register", json=body)).status_code == 201
            login = {"username": "teacher", "password": body["password"]}
            token = (await http.post("/auth/login", json=login)).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            quiz = {"title": "Q", "questions": [{"kind": "true_false", "text": "Yes?", "correct": True}]}
            quiz_id = (await http.post("/quizzes", json=quiz, headers=auth)).json()["id"]
            game = (await http.post("/games", json={"quiz_id": quiz_id}, headers=auth)).json()
    assert game["join_url"] == f"http://192.168.1.23:8000/play?pin={game['pin']}"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True), ("app.localhost", True), ("::1", True),
     ("[::1]", True), ("192.168.1.23", False), ("0.0.0.0", False), ("quiz.example", False), ("", False),
     (None, False)],
)
def test_is_loopback(host: str | None, loopback: bool) -> None:
    assert is_loopback(host) is loopback


class FakeSocket:
    """A UDP socket whose 'connect' picks the given local address, or fails like an offline machine."""

    def __init__(self, local: str | None) -> None:
        self.local = local

    def __enter__(self) -> FakeSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def connect(self, address: tuple[str, int]) -> None:
        if self.local is None:
            raise OSError(101, "Network is unreachable")

    def getsockname(self) -> tuple[str, int]:
        assert self.local is not None
        return (self.local, 40000)


def fake_network(monkeypatch: pytest.MonkeyPatch, route: str | None, names: list[str] | Exception) -> None:
    monkeypatch.setattr(qr.socket, "socket", lambda *args: FakeSocket(route))

    def by_name(name: str) -> tuple[str, list[str], list[str]]:
        if isinstance(names, Exception):
            raise names
        return (name, [], names)

    monkeypatch.setattr(qr.socket, "gethostbyname_ex", by_name)


def test_lan_address_is_the_default_routes_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_network(monkeypatch, "192.168.1.23", ["10.0.0.5"])
    assert lan_address() == "192.168.1.23"


def test_lan_address_offline_falls_back_to_the_host_name(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_network(monkeypatch, None, ["127.0.1.1", "169.254.3.4", "10.0.0.5"])
    assert lan_address() == "10.0.0.5"


def test_lan_address_none_when_only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_network(monkeypatch, "127.0.0.1", ["127.0.1.1"])
    assert lan_address() is None
    fake_network(monkeypatch, None, socket.gaierror(-2, "Name or service not known"))
    assert lan_address() is None


def test_lan_address_on_this_machine_is_usable_or_none() -> None:
    found: Any = lan_address()  # the real probe: never sends a packet
    assert found is None or not is_loopback(found)


def test_in_container_looks_for_docker_or_podman_markers(tmp_path: Path) -> None:
    docker, podman = tmp_path / ".dockerenv", tmp_path / ".containerenv"
    assert in_container((docker, podman)) is False
    podman.touch()
    assert in_container((docker, podman)) is True
