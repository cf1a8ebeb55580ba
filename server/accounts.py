"""Account services shared by the REST routes and the CLI: create users, check logins, issue tokens.

Functions take the caller's unit of work and never commit: the caller owns the transaction.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from persistence.db import Database
from persistence.models import RefreshToken, User
from persistence.uow import UnitOfWork
from server.config import Settings
from server.errors import Conflict, FieldError, ValidationFailed
from server.passwords import Passwords
from server.tokens import hash_refresh_token, issue_access_token, new_refresh_token

log = logging.getLogger(__name__)

ROLES = ("user", "admin")
USERNAME_MIN, USERNAME_MAX = 3, 32
PASSWORD_MIN, PASSWORD_MAX = 8, 256
EMAIL_MAX = 254
# ASCII only: look-alike letters from other scripts would make two names that read the same.
USERNAME_PATTERN = r"^[A-Za-z0-9_.-]+$"
_USERNAME = re.compile(USERNAME_PATTERN)
# One plain address: a dot-atom local part and a host name; no quoting, comments, lists or IP literals.
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_TOP_LEVEL = re.compile(r"^([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")
_WHAT_IS_TAKEN = {"username": "That username is already taken", "email": "That email is already registered"}


# --- input rules (raise ValueError; the REST models and create_user share them) ---

def check_username(username: str) -> str:
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        raise ValueError(f"must be {USERNAME_MIN} to {USERNAME_MAX} characters")
    if not _USERNAME.match(username):
        raise ValueError("may contain only letters, digits, '_', '.' and '-'")
    return username


def check_email(email: str) -> str:
    """The address without surrounding spaces, when it is one sane address."""
    email = email.strip()
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    if (not at or len(email) > EMAIL_MAX or len(local) > 64 or not _EMAIL_LOCAL.match(local)
            or len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels)
            or not _TOP_LEVEL.match(labels[-1])):
        raise ValueError("must be a single email address such as name@example.com")
    return email


def check_password(password: str) -> str:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValueError(f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    return password


def account_key(name: str) -> str:
    """The form usernames and emails are compared in: case-insensitive."""
    return name.casefold()


# --- accounts ---

async def create_user(uow: UnitOfWork, username: str, email: str, password: str, role: str = "user", *,
                      passwords: Passwords | None = None) -> User:
    """Adds an account (flushed, not committed). ValidationFailed for bad input, Conflict when taken.

    Pass the app's `passwords` from a request so hashing stays under its concurrency cap; a one-off
    caller such as the CLI may leave it out.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    username, email, password = _checked(username, email, password)
    taken = [field for field, found in (
        ("username", await uow.users.by_username(account_key(username))),
        ("email", await uow.users.by_email(account_key(email))),
    ) if found is not None]
    if taken:
        raise _conflict(taken)
    password_hash = await (passwords or Passwords()).hash(password)
    user = User(username=username, username_key=account_key(username), email=email,
                email_key=account_key(email), password_hash=password_hash, role=role, xp=0)
    try:
        return await uow.users.add(user)
    except IntegrityError as exc:
        # Another request took the name between our check and our insert.
        raise _conflict(_taken_by_constraint(str(exc.orig))) from None


def _checked(username: str, email: str, password: str) -> tuple[str, str, str]:
    fields: list[FieldError] = []
    values: list[str] = []
    for path, check, value in (("username", check_username, username), ("email", check_email, email),
                               ("password", check_password, password)):
        try:
            values.append(check(value))
        except ValueError as exc:
            fields.append(FieldError(path=path, message=str(exc)))
    if fields:
        raise ValidationFailed("Input is not valid", fields=fields)
    return values[0], values[1], values[2]


def _taken_by_constraint(message: str) -> list[str]:
    return [field for field in ("username", "email") if f"{field}_key" in message]


def _conflict(taken: list[str]) -> Conflict:
    if len(taken) == 1:
        message = _WHAT_IS_TAKEN[taken[0]]
    else:
        message = "That username and email are already registered"
    return Conflict(message, fields=[FieldError(path=field, message=f"{field} is already taken")
                                     for field in taken])


# --- logins and tokens ---

@dataclass(frozen=True)
class Login:
    """A successful password check: who, and a fresh hash when the stored one used old parameters."""

    user_id: int
    new_password_hash: str | None = None


@dataclass(frozen=True)
class IssuedTokens:
    """An access token and the refresh token that goes with it."""

    access_token: str
    refresh_token: str
    expires_in: int


async def check_credentials(db: Database, passwords: Passwords, username: str, password: str) -> Login | None:
    """The account when the password matches, else None; unknown names cost the same time as wrong passwords.

    The database transaction is closed before hashing, so queued hashes never hold connections.
    """
    async with db.uow() as uow:
        user = await uow.users.by_username(account_key(username))
        user_id, stored_hash = (user.id, user.password_hash) if user is not None else (None, None)
    matches = await passwords.verify(stored_hash, password)
    if not matches or user_id is None or stored_hash is None:  # verify is False without a hash anyway
        return None
    new_hash = await passwords.hash(password) if passwords.needs_rehash(stored_hash) else None
    return Login(user_id, new_hash)


async def open_session(uow: UnitOfWork, settings: Settings, login: Login,
                       now: datetime | None = None) -> IssuedTokens | None:
    """Starts a new refresh-token family for a checked login; None if the account has gone since."""
    now = now or datetime.now(UTC)
    user = await uow.users.get(login.user_id)
    if user is None:
        return None
    if login.new_password_hash is not None:
        user.password_hash = login.new_password_hash
    return await _issue(uow, settings, user, secrets.token_urlsafe(32), now)


async def rotate_refresh_token(uow: UnitOfWork, settings: Settings, presented: str,
                               now: datetime | None = None) -> IssuedTokens | None:
    """Spends `presented` and returns a new pair in its family; None when refused.

    Presenting a spent or revoked token means it was stolen or replayed: the whole family is revoked
    (staged in `uow`, so the caller must commit even when refusing).
    """
    now = now or datetime.now(UTC)
    token = await uow.refresh_tokens.by_hash(hash_refresh_token(presented))
    if token is None:
        return None
    if token.used_at is None and token.revoked_at is None:
        if token.expires_at <= now:
            return None
        # Losing this conditional update means a concurrent request spent the token: that is reuse too.
        if await uow.refresh_tokens.spend(token.id, now):
            user = await uow.users.get(token.user_id)
            return None if user is None else await _issue(uow, settings, user, token.family_id, now)
    revoked = await uow.refresh_tokens.revoke_family(token.family_id, now)
    log.warning("refresh token reused for user %s: revoked %d tokens of its family", token.user_id, revoked)
    return None


async def revoke_sessions(uow: UnitOfWork, user_id: int, now: datetime | None = None) -> int:
    """Revokes every refresh token of the user (logout everywhere); returns how many."""
    return await uow.refresh_tokens.revoke_for_user(user_id, now or datetime.now(UTC))


async def _issue(uow: UnitOfWork, settings: Settings, user: User, family_id: str,
                 now: datetime) -> IssuedTokens:
    refresh = new_refresh_token()
    await uow.refresh_tokens.add(RefreshToken(
        user_id=user.id, family_id=family_id, token_hash=hash_refresh_token(refresh),
        created_at=now, expires_at=now + timedelta(seconds=settings.refresh_token_ttl_s)))
    access = issue_access_token(settings, user.id, user.role, now=now.timestamp())
    return IssuedTokens(access, refresh, settings.access_token_ttl_s)
