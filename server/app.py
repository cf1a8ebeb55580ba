"""The Starlette application factory: routes, error handlers, middleware and the lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from persistence.db import Database
from rooms.core.clock import Clock
from server.api import Api, Operation
from server.assignments.reminders import reminder_job
from server.config import Settings, load_settings
from server.errors import (
    DEPENDENCY_ERRORS,
    ApiError,
    api_error_handler,
    dependency_error_handler,
    http_exception_handler,
    unexpected_error_handler,
)
from server.jsonio import json_response
from server.limits import BodySizeLimit
from server.live import (
    SHARED_OUTBOX_POLL_S,
    build_node,
    connect_redis,
    reconcile_live_games,
    results_outbox,
)
from server.notifications.notifier import Notifier
from server.openapi import build_openapi
from server.routes import (
    analytics,
    assignments,
    auth,
    duels,
    games,
    health,
    images,
    leaderboards,
    notifications,
    pages,
    progress,
    qr,
    quizzes,
    scheduled,
)
from server.scheduling.scheduler import build_scheduler
from server.ws import SocketLimits, WebSocketGateway

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
APIS: list[Api] = [
    health.api,
    auth.api,
    quizzes.api,
    images.api,
    games.api,
    progress.api,
    leaderboards.api,
    duels.api,
    qr.api,
    analytics.api,
    assignments.api,
    scheduled.api,
    notifications.api,
]
PAGES = {"/docs": "docs.html"}  # the player, host and other pages: server/routes/pages.py
VERSION = "0.1.0"


def _operations() -> list[Operation]:
    return [op for group in APIS for op in group.operations]


def _page(filename: str) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        return FileResponse(STATIC_DIR / filename, media_type="text/html")

    return page


def create_app(
    settings: Settings | None = None, database: Database | None = None, clock: Clock | None = None
) -> Starlette:
    """Build the app. A given `database` is used as is and left open (tests own it); a given `clock`
    drives the rooms (tests pass a manual one)."""
    settings = settings or load_settings()
    openapi = build_openapi(_operations(), "QuizArena", VERSION)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.db = database or Database.from_url(settings.database_url)
        app.state.redis = (
            connect_redis(settings.redis_url, settings.redis_max_connections) if settings.redis_url else None
        )
        app.state.node = build_node(settings, app.state.db, clock, app.state.redis)
        # Results go through an outbox that survives a crash, unless the caller owns the database
        # (tests): an outbox shared between throwaway databases would replay games into the wrong one.
        outbox = results_outbox(settings, app.state.redis) if database is None else None
        results = app.state.results = app.state.node.sink
        shared = app.state.redis is not None
        await results.start(outbox, idle_poll_s=SHARED_OUTBOX_POLL_S if shared else None)
        await app.state.node.start()
        if database is None:  # tests that own their database own its rows too
            await reconcile_live_games(app.state.db, app.state.node, shared_store=shared)
        node = app.state.node
        app.state.notifier = Notifier(app.state.db, node.bus, node.clock)
        scheduler = app.state.scheduler = build_scheduler(
            settings, app.state.db, node, app.state.notifier, app.state.redis
        )
        scheduler.add(reminder_job(app.state.db, app.state.notifier))
        if database is None:  # tests that own their database run the jobs themselves (its clock)
            scheduler.start()
        try:
            yield
        finally:
            await scheduler.stop()
            # With Redis, other nodes take our rooms over at once; alone, the rooms wait in Redis
            # for this node's restart.
            await app.state.node.stop(hand_over=shared)
            await results.stop()
            if outbox is not None:
                await outbox.aclose()
            if app.state.redis is not None:
                await app.state.redis.aclose()
            if database is None:
                await app.state.db.dispose()

    async def openapi_json(request: Request) -> Response:
        return json_response(openapi)

    routes: list[BaseRoute] = [route for group in APIS for route in group.routes()]
    routes += [Route("/openapi.json", openapi_json, include_in_schema=False)]
    routes += [Route(path, _page(name), include_in_schema=False) for path, name in PAGES.items()]
    routes += pages.routes
    routes += [Mount("/static", StaticFiles(directory=STATIC_DIR), name="static")]
    sockets = SocketLimits(
        settings.ws_first_frame_timeout_s, settings.ws_idle_timeout_s, settings.ws_max_sockets_per_address
    )
    middleware = [
        Middleware(WebSocketGateway, limits=sockets),
        Middleware(BodySizeLimit, limit=settings.max_body_bytes, larger=images.body_limits(settings)),
    ]
    if settings.forwarded_allow_ips:
        # Outermost, so the login throttle, the join limits and the socket cap all count the client
        # a listed proxy names; anyone else's X-Forwarded-For is ignored.
        middleware.insert(
            0, Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.forwarded_allow_ips))
        )
    if settings.allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["*"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            ApiError: api_error_handler,
            HTTPException: http_exception_handler,
            # Handled where they happen, not re-raised: a database outage is a 503, not a reset.
            **dict.fromkeys(DEPENDENCY_ERRORS, dependency_error_handler),
            Exception: unexpected_error_handler,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
