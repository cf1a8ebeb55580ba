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
