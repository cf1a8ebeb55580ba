"""Auth REST area: register, log in, rotate refresh tokens, log out, and who am I (PROTOCOL.md)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.requests import Request

from persistence.levels import level_for
from persistence.models import User
from persistence.uow import UnitOfWork
from server import accounts
from server.api import Api
from server.auth import bearer_token
from server.errors import RateLimited, Unauthorized
from server.passwords import Passwords
from server.throttle import LoginThrottle, MemoryLoginThrottle
from server.tokens import InvalidToken, verify_access_token

api = Api("auth")

BAD_LOGIN = "Invalid username or password"
BAD_REFRESH = "Invalid, expired or already used refresh token"


class _Strict(BaseModel):
    # Unknown fields are refused, so nobody can slip in `role`, `xp` or `owner`.
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(_Strict):
    """A new account's details."""

    username: Annotated[str, Field(min_length=accounts.USERNAME_MIN, max_length=accounts.USERNAME_MAX,
                                   json_schema_extra={"pattern": accounts.USERNAME_PATTERN}),
                        AfterValidator(accounts.check_username)]
    email: Annotated[str, Field(max_length=accounts.EMAIL_MAX, json_schema_extra={"format": "email"}),
                     AfterValidator(accounts.check_email)]
    password: Annotated[str, Field(min_length=accounts.PASSWORD_MIN, max_length=accounts.PASSWORD_MAX)]


class LoginRequest(_Strict):
    """Credentials, as JSON or as a form."""

    username: Annotated[str, Field(min_length=1, max_length=accounts.EMAIL_MAX)]
    password: Annotated[str, Field(min_length=1, max_length=accounts.PASSWORD_MAX)]


class RefreshRequest(_Strict):
    """A refresh token to spend."""

    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class TokenPair(BaseModel):
    """A short-lived access token (send as `Authorization: Bearer`) and a one-time refresh token."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class Account(BaseModel):
    """An account as its owner sees it."""

    id: int
    username: str
    email: str
    role: Literal["user", "admin"]
    xp: int
    level: int
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Account:
        return cls.model_validate({"id": user.id, "username": user.username, "email": user.email,
                                   "role": user.role, "xp": user.xp, "level": level_for(user.xp),
                                   "created_at": user.created_at})


def passwords(request: Request) -> Passwords:
    """The app's password hasher, made on first use (so its concurrency cap is shared app-wide)."""
    state = request.app.state
    if getattr(state, "password_hasher", None) is None:
        state.password_hasher = Passwords.from_settings(state.settings)
    return state.password_hasher


def login_throttle(request: Request) -> LoginThrottle:
    """The app's login throttle, made on first use; in memory until a Redis one exists."""
    state = request.app.state
    if getattr(state, "login_throttle", None) is None:
        state.login_throttle = MemoryLoginThrottle.from_settings(state.settings)
    return state.login_throttle


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def caller(request: Request, uow: UnitOfWork) -> User:
    """The account named by the request's bearer token, loaded in the caller's unit of work.

    Not `server.auth.require_user`: it returns a User its own unit of work has already expired
    (the closing rollback expires every loaded instance), so its attributes cannot be read.
    """
    token = bearer_token(request)
    if token is None:
        raise Unauthorized()
    try:
        claims = verify_access_token(request.app.state.settings, token)
    except InvalidToken:
        raise Unauthorized("Invalid or expired access token") from None
    user = await uow.users.get(claims.user_id)
    if user is None:
        raise Unauthorized("Invalid or expired access token")
    return user


def _pair(tokens: accounts.IssuedTokens) -> TokenPair:
    return TokenPair(access_token=tokens.access_token, refresh_token=tokens.refresh_token,
                     expires_in=tokens.expires_in)


@api.post("/auth/register", "Create an account", body=RegisterRequest, response=Account, status=201,
          errors=(409,))
async def register(request: Request, body: RegisterRequest) -> Account:
    """Usernames and emails are unique regardless of case; a taken one answers 409 naming the field."""
    async with request.app.state.db.uow() as uow:
        user = await accounts.create_user(uow, body.username, body.email, body.password,
                                          passwords=passwords(request))
        await uow.commit()
    return Account.of(user)


@api.post("/auth/login", "Log in with a username and password", body=LoginRequest, response=TokenPair,
          accepts_form=True, errors=(401, 429))
async def login(request: Request, body: LoginRequest) -> TokenPair:
    """Each login starts a new refresh-token family. Repeated failures answer 429 with Retry-After."""
    throttle = login_throttle(request)
    account = accounts.account_key(body.username)
    wait = await throttle.admit(account, client_address(request))
    if wait > 0:
        raise RateLimited("Too many login attempts; try again later", retry_after_s=math.ceil(wait))
    checked = await accounts.check_credentials(request.app.state.db, passwords(request), body.username,
                                               body.password)
    if checked is None:
        raise Unauthorized(BAD_LOGIN)
    await throttle.succeeded(account)
    async with request.app.state.db.uow() as uow:
        tokens = await accounts.open_session(uow, request.app.state.settings, checked)
        await uow.commit()
    if tokens is None:
        raise Unauthorized(BAD_LOGIN)
    return _pair(tokens)


@api.post("/auth/refresh", "Swap a refresh token for a new pair", body=RefreshRequest, response=TokenPair,
          errors=(401,))
async def refresh(request: Request, body: RefreshRequest) -> TokenPair:
    """The presented token is spent. Presenting a spent token again revokes its whole family."""
    async with request.app.state.db.uow() as uow:
        tokens = await accounts.rotate_refresh_token(uow, request.app.state.settings, body.refresh_token)
        await uow.commit()  # also when refused: a detected reuse has revoked the family
    if tokens is None:
        raise Unauthorized(BAD_REFRESH)
    return _pair(tokens)


@api.post("/auth/logout", "Revoke all of the caller's refresh tokens", status=204, auth=True)
async def logout(request: Request) -> None:
    """Access tokens already issued stay valid until they expire (at most `expires_in` seconds)."""
    async with request.app.state.db.uow() as uow:
        user = await caller(request, uow)
        await accounts.revoke_sessions(uow, user.id)
        await uow.commit()


@api.get("/auth/me", "The caller's account, with role, XP and level", response=Account, auth=True)
async def me(request: Request) -> Account:
    async with request.app.state.db.uow() as uow:
        return Account.of(await caller(request, uow))
