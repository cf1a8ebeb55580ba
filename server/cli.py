"""The `quizarena` command: serve, migrate, seed, create-admin."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from dataclasses import replace
from typing import Any

from migrations.runner import upgrade
from persistence.db import Database
from rooms import collector
from server.config import ConfigError, Settings, load_settings
from server.errors import ApiError
from server.routes.qr import ALL_INTERFACES, in_container, is_loopback, lan_address

log = logging.getLogger("quizarena")


async def migrate(settings: Settings) -> None:
    database = Database.from_url(settings.database_url)
    try:
        async with database.engine.connect() as conn:
            await upgrade(conn)
    finally:
        await database.dispose()


async def seed(settings: Settings) -> bool:
    """Demo users and quizzes, once; returns whether anything was added."""
    from server.seed import seed_demo  # keeps start-up imports light when seeding is off

    database = Database.from_url(settings.database_url)
    try:
        return await seed_demo(database)
    finally:
        await database.dispose()


async def create_admin(settings: Settings, username: str, email: str, password: str) -> int:
    from server.accounts import create_user

    database = Database.from_url(settings.database_url)
    try:
        async with database.uow() as uow:
            user = await create_user(uow, username, email, password, role="admin")
            await uow.commit()
            return user.id
    finally:
        await database.dispose()


def where_players_join(settings: Settings, host: str, port: int) -> str:
    """One line for the terminal: the address phones should open, or why they cannot join yet."""
    if settings.public_url:
        return f"players join at {settings.public_url.rstrip('/')}/play"
    if is_loopback(host):
        return (
            f"listening on {host} only: phones and other computers cannot join. To let devices on "
            f"your network in, run: quizarena serve --host 0.0.0.0 --port {port}"
        )
    if host in ALL_INTERFACES:
        if settings.lan_address:
            return f"players join at http://{settings.lan_address}:{port}/play"
        if in_container():
            return (
                "running in a container, whose own address phones cannot reach: set PUBLIC_URL to "
                "the address of the machine it runs on (e.g. http://192.168.1.23:8000)"
            )
        return (
            "listening on all interfaces but no network address was found: set PUBLIC_URL to the "
            "address phones can reach"
        )
    return f"players join at http://{host}:{port}/play"


def serve(settings: Settings, host: str, port: int) -> None:
    from server.app import create_app
    from server.ws import UVICORN_SOCKETS

    if host in ALL_INTERFACES and not settings.public_url and not settings.lan_address and not in_container():
        settings = replace(settings, lan_address=lan_address())
    asyncio.run(migrate(settings))
    collector.configure()  # one garbage collection policy for every room of the process
    if settings.seed_demo and asyncio.run(seed(settings)):
        log.info("seeded demo content (users demo/demo-password and host/host-password)")
    log.info("%s", where_players_join(settings, host, port))
    run_uvicorn(
        create_app(settings),
        host=host,
        port=port,
        **UVICORN_SOCKETS,
        ws_ping_interval=20.0,
        log_level="info",
        # The app applies FORWARDED_ALLOW_IPS itself; uvicorn's own proxy headers would trust
        # loopback clients before the app sees them.
        proxy_headers=False,
    )


def run_uvicorn(app: Any, **options: Any) -> None:
    """Serve `app` with uvicorn, draining the live rooms on SIGTERM before uvicorn closes sockets."""
    import uvicorn

    uvicorn_log = logging.getLogger("uvicorn.error")

    class DrainingServer(uvicorn.Server):
        level_before_serving = logging.INFO

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            # Serving now: uvicorn's INFO lines until shutdown are one per accepted socket, which a
            # filter drops (`server/ws.py`), but only after the record is built (server CPU per join
            # at 10,000: 0.57 ms with them, 0.46 without). Its warnings and errors still show.
            self.level_before_serving = uvicorn_log.level
            uvicorn_log.setLevel(logging.WARNING)

        async def shutdown(self, sockets: Any = None) -> None:
            uvicorn_log.setLevel(self.level_before_serving)  # its shutdown lines show again
            # Before uvicorn closes every socket (1012): let the rooms finish or hand them over,
            # and send players away with 1013 so they resume on another node.
            state = app.state
            await state.node.drain(state.settings.drain_timeout_s, hand_over=state.redis is not None)
            await super().shutdown(sockets)

    DrainingServer(uvicorn.Config(app, **options)).run()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizarena", description="QuizArena real-time quiz server")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser(
        "serve", help="migrate, seed demo content once, and serve HTTP + WebSocket"
    )
    serve_cmd.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only); 0.0.0.0 lets phones "
        "on the same network join, and the join link and QR code then use this machine's LAN address",
    )
    serve_cmd.add_argument("--port", type=int, default=8000)
    commands.add_parser("migrate", help="apply the database migrations (alembic upgrade head)")
    commands.add_parser("seed", help="add demo users and quizzes unless they are there")
    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument("username")
    admin.add_argument("email")
    admin.add_argument("--password", help="read from the terminal when omitted")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"quizarena: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        serve(settings, args.host, args.port)
    elif args.command == "migrate":
        asyncio.run(migrate(settings))
        print("database is at the latest migration")
    elif args.command == "seed":
        asyncio.run(migrate(settings))
        added = asyncio.run(seed(settings))
        print("demo content added" if added else "demo content was already there")
    elif args.command == "create-admin":
        password = args.password or getpass.getpass("password: ")
        try:
            user_id = asyncio.run(create_admin(settings, args.username, args.email, password))
        except ApiError as exc:
            details = "; ".join(f"{f.path}: {f.message}" for f in exc.fields)
            print(f"quizarena: {exc.message}{' (' + details + ')' if details else ''}", file=sys.stderr)
            return 1
        print(f"admin {args.username} created with id {user_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
