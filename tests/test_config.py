"""Settings from the environment: safe laptop defaults, strict production."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import ConfigError, load_settings


def test_laptop_defaults_generate_and_keep_a_dev_secret(tmp_path: Path) -> None:
    env = {"QUIZARENA_DATA_DIR": str(tmp_path)}
    first = load_settings(env)
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path}/quizarena.db"
    assert first.redis_url is None and first.seed_demo is True
    assert len(first.secret_key) >= 32
    assert load_settings(env).secret_key == first.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_a_short_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(
            {"QUIZARENA_ENV": "production", "SECRET_KEY": "short", "QUIZARENA_DATA_DIR": str(tmp_path)}
        )
    with pytest.raises(ConfigError):
        load_settings({"QUIZARENA_ENV": "production", "QUIZARENA_DATA_DIR": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()


def test_production_with_a_long_secret_does_not_seed_demo_accounts(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "QUIZARENA_ENV": "production",
            "SECRET_KEY": "k" * 32,
            "ALLOWED_ORIGINS": "https://a.example, https://b.example",
        }
    )
    assert settings.production and settings.seed_demo is False
    assert settings.allowed_origins == ("https://a.example", "https://b.example")


def test_public_url_is_read(tmp_path: Path) -> None:
    settings = load_settings({"QUIZARENA_DATA_DIR": str(tmp_path), "PUBLIC_URL": "https://quiz.example/"})
    assert settings.public_url == "https://quiz.example/"


def test_image_limits_and_the_data_directory_are_read(tmp_path: Path) -> None:
    defaults = load_settings({"QUIZARENA_DATA_DIR": str(tmp_path)})
    assert defaults.data_dir == tmp_path
    assert (defaults.image_max_bytes, defaults.image_max_pixels) == (5 * 1024 * 1024, 4096 * 4096)
    env = {"QUIZARENA_DATA_DIR": str(tmp_path), "IMAGE_MAX_BYTES": "200000", "IMAGE_MAX_PIXELS": "1000000"}
    settings = load_settings(env)
    assert (settings.image_max_bytes, settings.image_max_pixels) == (200_000, 1_000_000)
