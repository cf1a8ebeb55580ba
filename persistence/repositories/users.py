"""Users and refresh tokens."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, Update, and_, delete, exists, select, update
from sqlalchemy.orm import aliased

from persistence.models import RefreshToken, User
from persistence.repositories.base import Repository


class UserRepository(Repository[User]):
    """Accounts, looked up by id or by the case-folded forms of their username and email."""

    model = User

    async def by_username(self, username_key: str) -> User | None:
        return await self.session.scalar(select(User).where(User.username_key == username_key))

    async def by_email(self, email_key: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email_key == email_key))

    async def by_usernames(self, username_keys: Collection[str]) -> list[User]:
        if not username_keys:
            return []
        found = await self.session.scalars(select(User).where(User.username_key.in_(username_keys)))
        return list(found.all())


class RefreshTokenRepository(Repository[RefreshToken]):
    """Hashed one-time refresh tokens and their rotation families."""

    model = RefreshToken

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        return await self.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))

    async def spend(self, token_id: int, now: datetime) -> bool:
        """Marks the token used if it is still live; False when someone else spent or revoked it first.

        A conditional UPDATE rather than read-then-write, so two concurrent refreshes with one token
        cannot both succeed.
        """
        result = await self._update(
            update(RefreshToken)
            .where(
                RefreshToken.id == token_id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None)
            )
            .values(used_at=now)
        )
        return result.rowcount == 1

    async def revoke_family(self, family_id: str, now: datetime) -> int:
        """Revokes every live token of one login's rotation family; returns how many."""
        result = await self._update(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return result.rowcount

    async def revoke_for_user(self, user_id: int, now: datetime) -> int:
        """Revokes every live token of one user (logout); returns how many."""
        result = await self._update(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return result.rowcount

    async def purge_dead_families(self, now: datetime) -> int:
        """Deletes every token of each family in which no token can be used any more (all spent,
        revoked or expired); returns how many. A family with a usable token keeps its spent ones: one
        presented again is how reuse is detected."""
        live = aliased(RefreshToken)
        usable = exists().where(
            and_(
                live.family_id == RefreshToken.family_id,
                live.used_at.is_(None),
                live.revoked_at.is_(None),
                live.expires_at > now,
            )
        )
        result = await self.session.execute(
            delete(RefreshToken).where(~usable), execution_options={"synchronize_session": False}
        )
        return cast(CursorResult, result).rowcount

    async def _update(self, statement: Update) -> CursorResult:
        # "fetch" keeps RefreshToken objects already in the session in step with the rows just changed.
        result = await self.session.execute(statement, execution_options={"synchronize_session": "fetch"})
        return cast(CursorResult, result)
