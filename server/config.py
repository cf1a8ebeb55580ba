"""Settings read once from environment variables, with safe defaults for a laptop."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

MIN_PRODUCTION_SECRET_BYTES = 32
DEFAULT_DATA_DIR = Path(".quizarena")


class ConfigError(RuntimeError):
    """The environment asks for something the server refuses to run with."""


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    env: str = "development"
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR}/quizarena.db"
    redis_url: str | None = None
    redis_prefix: str = "qa"  # every Redis key and channel of this deployment starts with it
    redis_max_connections: int = 100  # this node's Redis pool; a burst waits for a free connection
    redis_sharded_pubsub: bool = False  # room events over SPUBLISH/SSUBSCRIBE (Redis 7, for a cluster)
    lease_ttl_ms: int = 3_000  # with Redis: a dead owner's rooms move to another node after this long
    drop_grace_ms: int = 5_000  # a player who dropped mid-question holds it open this long (a Wi-Fi blip)
    duel_bot_after_s: float = 10.0  # a duel seeker nobody fits by then plays a bot
    drain_timeout_s: float = 0.0  # on SIGTERM, how long the rooms this node owns may run on first
    scheduler_poll_s: float = 5.0  # how often each node looks for scheduled sessions that are due
    secret_key: str = ""
    node_id: str = field(default_factory=lambda: secrets.token_hex(4))
    allowed_origins: tuple[str, ...] = ()
    public_url: str | None = None  # the base URL players' phones reach (join links, QR codes)
    # This machine's address on the local network, found by `quizarena serve` when it listens on
    # all interfaces: join links use it when the host's own browser came in over loopback.
    lan_address: str | None = None
    jwt_issuer: str = "quizarena"
    jwt_audience: str = "quizarena"
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    max_body_bytes: int = 1024 * 1024
    password_hash_concurrency: int = 4
    login_failures_before_backoff: int = 5
    login_failure_window_s: int = 15 * 60
    login_attempts_per_address_per_minute: int = 30
    joins_per_address_per_minute: int = 600
    # Sockets: how long a new socket may stay silent before its first frame, how long any socket may
    # stay silent after that (our pages and players' pongs speak every few seconds), and how many
    # sockets one address may hold open (a classroom behind one NAT or a load generator raises it).
    ws_first_frame_timeout_s: float = 10.0
    ws_idle_timeout_s: float = 300.0
    ws_max_sockets_per_address: int = 1000
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks, or "*");
    # empty: nobody's, so every client is the address that connected.
    forwarded_allow_ips: tuple[str, ...] = ()
    seed_demo: bool = True
    data_dir: Path = DEFAULT_DATA_DIR  # the SQLite file, the development secret, the spool, images
    # Question images: the largest upload, and the most pixels (width x height, times the frames of
    # an animation) an upload may decode to, so a small file cannot unpack into gigabytes.
    image_max_bytes: int = 5 * 1024 * 1024
    image_max_pixels: int = 4096 * 4096

    @property
    def production(self) -> bool:
        return self.env == "production"


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _dev_secret(data_dir: Path) -> str:
    """A random secret kept in a local file so tokens survive restarts on a laptop."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    log.warning("SECRET_KEY is not set: generated a development secret in %s", path)
    return secret


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from `environ` (default: the process environment)."""
    env = dict(os.environ if environ is None else environ)
    mode = env.get("QUIZARENA_ENV", "development")
    data_dir = Path(env.get("QUIZARENA_DATA_DIR", str(DEFAULT_DATA_DIR)))
    secret = env.get("SECRET_KEY", "")
    if mode == "production":
        if len(secret.encode()) < MIN_PRODUCTION_SECRET_BYTES:
            raise ConfigError(
                f"SECRET_KEY must be at least {MIN_PRODUCTION_SECRET_BYTES} bytes "
                "when QUIZARENA_ENV=production"
            )
    elif not secret:
        secret = _dev_secret(data_dir)
    defaults = Settings()
    return Settings(
        env=mode,
        database_url=env.get("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir}/quizarena.db",
        redis_url=env.get("REDIS_URL") or None,
        redis_prefix=env.get("REDIS_PREFIX") or defaults.redis_prefix,
        redis_max_connections=int(env.get("REDIS_MAX_CONNECTIONS", defaults.redis_max_connections)),
        redis_sharded_pubsub=env.get("REDIS_SHARDED_PUBSUB", "0") not in ("", "0", "false"),
        lease_ttl_ms=int(env.get("LEASE_TTL_MS", defaults.lease_ttl_ms)),
        drop_grace_ms=int(env.get("DROP_GRACE_MS", defaults.drop_grace_ms)),
        duel_bot_after_s=float(env.get("DUEL_BOT_AFTER_S", defaults.duel_bot_after_s)),
        drain_timeout_s=float(env.get("DRAIN_TIMEOUT_S", defaults.drain_timeout_s)),
        scheduler_poll_s=float(env.get("SCHEDULER_POLL_S", defaults.scheduler_poll_s)),
        secret_key=secret,
        node_id=env.get("NODE_ID") or defaults.node_id,
        allowed_origins=_split(env.get("ALLOWED_ORIGINS")),
        public_url=env.get("PUBLIC_URL") or None,
        max_body_bytes=int(env.get("MAX_BODY_BYTES", defaults.max_body_bytes)),
        login_attempts_per_address_per_minute=int(
            env.get("LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE", defaults.login_attempts_per_address_per_minute)
        ),
        joins_per_address_per_minute=int(
            env.get("JOINS_PER_ADDRESS_PER_MINUTE", defaults.joins_per_address_per_minute)
        ),
        ws_first_frame_timeout_s=float(
            env.get("WS_FIRST_FRAME_TIMEOUT_S", defaults.ws_first_frame_timeout_s)
        ),
        ws_idle_timeout_s=float(env.get("WS_IDLE_TIMEOUT_S", defaults.ws_idle_timeout_s)),
        ws_max_sockets_per_address=int(
            env.get("WS_MAX_SOCKETS_PER_ADDRESS", defaults.ws_max_sockets_per_address)
        ),
        forwarded_allow_ips=_split(env.get("FORWARDED_ALLOW_IPS")),
        # Demo accounts have published passwords: never by default in production.
        seed_demo=env.get("QUIZARENA_SEED_DEMO", "0" if mode == "production" else "1")
        not in ("0", "false", "no"),
        data_dir=data_dir,
        image_max_bytes=int(env.get("IMAGE_MAX_BYTES", defaults.image_max_bytes)),
        image_max_pixels=int(env.get("IMAGE_MAX_PIXELS", defaults.image_max_pixels)),
    )
