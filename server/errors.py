"""One error hierarchy for the REST surface, rendered by one handler in PROTOCOL.md's shape."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import exc as sa
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.jsonio import json_response

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with the input: where (`path`, `line` for imports) and what."""

    path: str
    message: str
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "message": self.message}
        if self.line is not None:
            out["line"] = self.line
        return out


class ApiError(Exception):
    """An expected failure with its HTTP status and machine-readable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: list[FieldError] | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = [f.as_dict() for f in self.fields]
        return {"error": error}


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str = "Authentication required", **kwargs: Any):
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class MethodNotAllowed(ApiError):
    status, code = 405, "method_not_allowed"


class Conflict(ApiError):
    status, code = 409, "conflict"


class TooLarge(ApiError):
    status, code = 413, "too_large"


class ValidationFailed(ApiError):
    status, code = 422, "validation_error"


class RateLimited(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after_s))})


class Unavailable(ApiError):
    status, code = 503, "unavailable"

    def __init__(self, message: str, retry_after_s: int = 5, **kwargs: Any):
        kwargs.setdefault("headers", {"Retry-After": str(max(1, retry_after_s))})
        super().__init__(message, **kwargs)


_BY_STATUS: dict[int, type[ApiError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        TooLarge,
        ValidationFailed,
        Unavailable,
    )
}


def render(error: ApiError) -> Response:
    return json_response(error.body(), status_code=error.status, headers=error.headers)


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return render(exc)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (unknown path, wrong method) in our shape. An OPTIONS request is what
    a 405 would be for it, answered: 204 with the path's methods in `Allow`."""
    assert isinstance(exc, HTTPException)
    cls = _BY_STATUS.get(exc.status_code, BadRequest)
    detail = exc.detail if isinstance(exc.detail, str) else cls.code.replace("_", " ")
    error = cls(detail)
    if exc.status_code == 405 and exc.headers and "Allow" in exc.headers:
        methods = {m.strip() for m in exc.headers["Allow"].split(",")} | {"OPTIONS"}
        allow = ", ".join(sorted(methods))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": allow})
        error.headers["Allow"] = allow
    return render(error)


# What the database driver raises when the database cannot be reached (refused, unreachable host,
# timeout, dropped connection, pool exhausted) as well as for bugs; `is_outage` tells them apart.
DEPENDENCY_ERRORS: tuple[type[Exception], ...] = (OSError, sa.SQLAlchemyError, asyncpg.PostgresError,
                                                   asyncpg.InterfaceError)
DATABASE_RETRY_AFTER_S = 5


def is_outage(exc: BaseException) -> bool:
    """True when `exc` means "the database is not answering", which a client should retry later."""
    if isinstance(exc, OSError | sa.TimeoutError | sa.DisconnectionError | asyncpg.InterfaceError):
        return True  # refused, unreachable, timed out, no connection free in the pool, connection lost
    if isinstance(exc, asyncpg.PostgresConnectionError | asyncpg.CannotConnectNowError
                  | asyncpg.TooManyConnectionsError):
        return True
    if isinstance(exc, sa.DBAPIError):
        return exc.connection_invalidated or isinstance(exc, sa.OperationalError | sa.InterfaceError)
    return False


async def dependency_error_handler(request: Request, exc: Exception) -> Response:
    """The database is down: 503 `unavailable` with Retry-After, one log line and no stack. Any other
    driver error is a bug: logged with its stack, 500 without one. Either way the response is the
    end of it (the connection stays usable)."""
    if is_outage(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return render(Unavailable("The database is not answering; try again shortly",
                                  retry_after_s=DATABASE_RETRY_AFTER_S))
    return await unexpected_error_handler(request, exc)


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    """A bug: log it with its stack, answer 500 without one."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return json_response(
        {"error": {"code": "internal_error", "message": "Internal server error"}}, status_code=500
    )
