"""The `quizarena` command: migrate, seed and create-admin against a fresh SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QUIZARENA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("QUIZARENA_ENV", raising=False)
    return tmp_path


def test_migrate_seed_and_create_admin(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert (data_dir / "quizarena.db").exists()
    assert main(["seed"]) == 0
    assert "demo content added" in capsys.readouterr().out
    assert main(["seed"]) == 0
    assert "already there" in capsys.readouterr().out
    assert main(["create-admin", "root1", "root@example.com", "--password", "a long password"]) == 0
    assert "admin root1 created" in capsys.readouterr().out
    assert main(["create-admin", "ROOT1", "other@example.com", "--password", "a long password"]) == 1
    assert "username" in capsys.readouterr().err


def test_production_without_a_secret_refuses_to_start(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUIZARENA_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert main(["migrate"]) == 2
    assert "SECRET_KEY" in capsys.readouterr().err


class FakeUvicorn:
    """Stands in for uvicorn: keeps what `serve` asked for instead of serving."""

    def __init__(self) -> None:
        self.calls: list[dict[str, object]] = []

    def run(self, app: object, **options: object) -> None:
        self.calls.append({"app": app, **options})


@pytest.fixture
def fake_uvicorn(monkeypatch: pytest.MonkeyPatch) -> FakeUvicorn:
    fake = FakeUvicorn()
    monkeypatch.setattr("server.cli.run_uvicorn", fake.run)
    monkeypatch.setattr("server.cli.in_container", lambda: False)
    monkeypatch.setenv("QUIZARENA_SEED_DEMO", "0")
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    return fake


def test_serve_listens_on_loopback_by_default_and_says_phones_cannot_join(
    data_dir: Path, fake_uvicorn: FakeUvicorn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="quizarena")
    assert main(["serve"]) == 0
    (call,) = fake_uvicorn.calls
    assert call["host"] == "127.0.0.1" and call["port"] == 8000
    assert call["app"].state.settings.lan_address is None  # type: ignore[attr-defined]
    assert "phones and other computers cannot join" in caplog.text
    assert "quizarena serve --host 0.0.0.0 --port 8000" in caplog.text


def test_serve_on_all_interfaces_finds_the_lan_address_for_join_links(
    data_dir: Path,
    fake_uvicorn: FakeUvicorn,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="quizarena")
    monkeypatch.setattr("server.cli.lan_address", lambda: "192.168.1.23")
    assert main(["serve", "--host", "0.0.0.0", "--port", "8080"]) == 0
    (call,) = fake_uvicorn.calls
    assert call["host"] == "0.0.0.0" and call["port"] == 8080
    assert call["app"].state.settings.lan_address == "192.168.1.23"  # type: ignore[attr-defined]
    assert "players join at http://192.168.1.23:8080/play" in caplog.text


def test_serve_with_public_url_does_not_look_for_a_lan_address(
    data_dir: Path,
    fake_uvicorn: FakeUvicorn,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="quizarena")
    monkeypatch.setenv("PUBLIC_URL", "https://quiz.example/")
    monkeypatch.setattr("server.cli.lan_address", lambda: pytest.fail("no probe when PUBLIC_URL is set"))
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert fake_uvicorn.calls[0]["app"].state.settings.lan_address is None  # type: ignore[attr-defined]
    assert "players join at https://quiz.example/play" in caplog.text


def test_serve_on_all_interfaces_without_a_network_asks_for_public_url(
    data_dir: Path,
    fake_uvicorn: FakeUvicorn,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="quizarena")
    monkeypatch.setattr("server.cli.lan_address", lambda: None)
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert "set PUBLIC_URL" in caplog.text


def test_serve_in_a_container_does_not_guess_the_lan_address(
    data_dir: Path,
    fake_uvicorn: FakeUvicorn,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The container's bridge address (172.17.x.x) would make join links no phone can open.
    caplog.set_level("INFO", logger="quizarena")
    monkeypatch.setattr("server.cli.in_container", lambda: True)
    monkeypatch.setattr("server.cli.lan_address", lambda: pytest.fail("no guess inside a container"))
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert fake_uvicorn.calls[0]["app"].state.settings.lan_address is None  # type: ignore[attr-defined]
    assert "running in a container" in caplog.text and "PUBLIC_URL" in caplog.text
