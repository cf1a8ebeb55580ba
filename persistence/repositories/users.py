"""Users and refresh tokens."""

from __future__ import annotations

from sqlalchemy import select

from persistence.models import RefreshToken, User
from persistence.repositories.base import Repository


class UserRepository(Repository[User]):
    model = User

    async def by_username(self, username_key: str) -> User | None:
        return await self.session.scalar(select(User).where(User.username_key == username_key))

    async def by_email(self, email_key: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email_key == email_key))


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        return await self.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
