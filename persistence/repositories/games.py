"""Games with their players and answers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from persistence.models import Answer, Game, GamePlayer
from persistence.repositories.base import Repository


class GameRepository(Repository[Game]):
    model = Game

    async def players(self, game_id: int) -> Sequence[GamePlayer]:
        result = await self.session.scalars(
            select(GamePlayer).where(GamePlayer.game_id == game_id).order_by(GamePlayer.rank, GamePlayer.id)
        )
        return result.all()

    async def answers(self, game_id: int) -> Sequence[Answer]:
        result = await self.session.scalars(
            select(Answer).where(Answer.game_id == game_id).order_by(Answer.question_index, Answer.id)
        )
        return result.all()

    async def has_results(self, game_id: int) -> bool:
        found = await self.session.scalar(select(GamePlayer.id).where(GamePlayer.game_id == game_id).limit(1))
        return found is not None

    async def add_players(self, players: list[GamePlayer]) -> None:
        self.session.add_all(players)
        await self.session.flush()

    async def add_answers(self, answers: list[Answer]) -> None:
        self.session.add_all(answers)
        await self.session.flush()
