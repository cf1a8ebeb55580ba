"""Access tokens (JWT, HS256 pinned) and opaque refresh tokens (random, stored only as hashes)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import jwt

from server.config import Settings

ALGORITHM = "HS256"
ACCESS_TYPE = "access"


@dataclass(frozen=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: int
    role: str
    jti: str
    expires_at: int


class InvalidToken(Exception):
    """The token is malformed, forged, expired, or not an access token for us."""


def issue_access_token(settings: Settings, user_id: int, role: str, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": str(user_id),
        "role": role,
        "typ": ACCESS_TYPE,
        "jti": secrets.token_urlsafe(12),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued,
        "exp": issued + settings.access_token_ttl_s,
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def verify_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "jti", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from None
    if claims.get("typ") != ACCESS_TYPE or not str(claims["sub"]).isdigit():
        raise InvalidToken("not an access token")
    return AccessClaims(
        int(claims["sub"]), str(claims.get("role", "user")), claims["jti"], int(claims["exp"])
    )


def new_refresh_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """A plain SHA-256 is enough: the token is high-entropy random, not a password."""
    return hashlib.sha256(token.encode()).hexdigest()
