"""Who is calling: one path from a bearer token to a user, for REST (and the WebSocket edge)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from persistence.models import User
from server.errors import Forbidden, Unauthorized
from server.tokens import InvalidToken, verify_access_token

_MISSING = object()


def bearer_token(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def user_from_token(connection: HTTPConnection, token: str) -> User:
    """The account a valid access token names; Unauthorized for anything else."""
    try:
        claims = verify_access_token(connection.app.state.settings, token)
    except InvalidToken:
        raise Unauthorized("Invalid or expired access token") from None
    async with connection.app.state.db.uow() as uow:
        user = await uow.users.get(claims.user_id)
        if user is not None:
            uow.session.expunge(user)  # its loaded fields stay readable after the unit of work closes
    if user is None:
        raise Unauthorized("Invalid or expired access token")
    return user


async def optional_user(connection: HTTPConnection) -> User | None:
    """The caller, looked up once per request (the operation layer may already have done it)."""
    cached = connection.scope.get("quizarena.user", _MISSING)
    if cached is not _MISSING:
        return cached
    token = bearer_token(connection)
    user = None if token is None else await user_from_token(connection, token)
    connection.scope["quizarena.user"] = user
    return user


async def require_user(connection: HTTPConnection) -> User:
    user = await optional_user(connection)
    if user is None:
        raise Unauthorized()
    return user


def is_admin(user: User | None) -> bool:
    return user is not None and user.role == "admin"


def require_owner_or_admin(user: User, owner_id: int) -> None:
    if user.id != owner_id and not is_admin(user):
        raise Forbidden("Only the owner or an admin may do this")
