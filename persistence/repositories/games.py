"""Games with their players and answers, and the games a user hosted or played."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import defer

from persistence.models import Answer, Game, GamePlayer
from persistence.repositories.base import Repository


@dataclass(frozen=True, slots=True)
class GameResults:
    """A game with its players and answers as one statement saw them.

    The results writer stores the game's status, its players and their answers in one transaction,
    so one statement sees all of them or none: never an answer of a player it does not list."""

    game: Game
    players: list[GamePlayer]
    answers: list[Answer]

    @property
    def complete(self) -> bool:
        """False while the game is live or its results are still being written."""
        return self.game.status == "finished"


@dataclass(frozen=True, slots=True)
class GameListing:
    """One game in a user's history: the game (its quiz snapshot not loaded), its title, how many
    played, and the user's own seat when they played (their best one, if they had two)."""

    game: Game
    title: str
    players: int
    seat: GamePlayer | None


class GameRepository(Repository[Game]):
    """Games, their players and answers; never commits."""

    model = Game

    async def abort_live(self, keep_pins: set[str], created_before: datetime, now: datetime) -> list[int]:
        """Mark `live` games whose room is gone (its PIN not in `keep_pins`) as `aborted`, ended `now`;
        games created since `created_before` are left alone (their room may be opening right now)."""
        rows = await self.session.execute(
            select(Game.id, Game.pin).where(Game.status == "live", Game.created_at < created_before)
        )
        dead = [game_id for game_id, pin in rows if pin not in keep_pins]
        if dead:
            await self.session.execute(
                update(Game)
                .where(Game.id.in_(dead), Game.status == "live")
                .values(status="aborted", ended_at=now)
            )
        return dead

    async def for_results(self, game_id: int) -> Game | None:
        """The game row, locked until the transaction ends (PostgreSQL; SQLite has one writer), so
        two writers of one game's results run one after the other and the second sees the first."""
        return await self.session.scalar(select(Game).where(Game.id == game_id).with_for_update())

    async def of_user(self, user_id: int, limit: int, offset: int) -> tuple[list[GameListing], int]:
        """The games `user_id` hosted or played, newest first, and how many there are."""
        mine = or_(
            Game.host_id == user_id,
            Game.id.in_(select(GamePlayer.game_id).where(GamePlayer.user_id == user_id)),
        )
        total = int(await self.session.scalar(select(func.count()).select_from(Game).where(mine)) or 0)
        players = (
            select(func.count(GamePlayer.id))
            .where(GamePlayer.game_id == Game.id)
            .correlate(Game)
            .scalar_subquery()
        )
        title = Game.quiz_snapshot["title"].as_string()
        rows = (
            await self.session.execute(
                select(Game, title, players)
                .where(mine)
                .order_by(Game.created_at.desc(), Game.id.desc())
                .limit(limit)
                .offset(offset)
                .options(defer(Game.quiz_snapshot))
            )
        ).all()
        seats = await self._seats(user_id, [game.id for game, _, _ in rows])
        return [GameListing(game, name or "", count, seats.get(game.id)) for game, name, count in rows], total

    async def _seats(self, user_id: int, game_ids: list[int]) -> dict[int, GamePlayer]:
        if not game_ids:
            return {}
        found = await self.session.scalars(
            select(GamePlayer)
            .where(GamePlayer.user_id == user_id, GamePlayer.game_id.in_(game_ids))
            .order_by(GamePlayer.score.asc())
        )
        return {seat.game_id: seat for seat in found.all()}  # ascending: the best seat is kept

    async def results(self, game_id: int) -> GameResults | None:
        """The game, its players (by rank) and their answers (by question) in one consistent read;
        None when there is no such game. Separate queries would each see their own snapshot under
        READ COMMITTED (and SQLite's autocommit reads), so a report read while the results are being
        written could list answers of players it had not seen."""
        rows = (
            await self.session.execute(
                select(Game, GamePlayer, Answer)
                .outerjoin(GamePlayer, GamePlayer.game_id == Game.id)
                .outerjoin(Answer, Answer.game_player_id == GamePlayer.id)
                .where(Game.id == game_id)
                .order_by(GamePlayer.rank, GamePlayer.id, Answer.question_index)
                .options(defer(Game.quiz_snapshot))  # the same on every row: loaded once below
                .execution_options(populate_existing=True)
            )
        ).all()
        if not rows:
            return None
        game = rows[0][0]
        players: dict[int, GamePlayer] = {}
        answers: list[Answer] = []
        for _, player, answer in rows:
            if player is not None:
                players.setdefault(player.id, player)
            if answer is not None:
                answers.append(answer)
        answers.sort(key=lambda a: (a.question_index, a.id))
        await self.session.refresh(game, ["quiz_snapshot"])  # fixed when the game was created
        return GameResults(game, list(players.values()), answers)

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

    # Bulk forms for a finished game: a room of 10,000 players leaves 10,000 seats and many more
    # answers, which one multi-row INSERT writes many times faster than the unit of work would.

    async def insert_players(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Inserts `game_players` rows (column values); returns each one's id by `player_key`."""
        if not rows:
            return {}
        inserted = await self.session.execute(
            insert(GamePlayer).returning(GamePlayer.player_key, GamePlayer.id), rows
        )
        return {key: id_ for key, id_ in inserted.all()}

    async def insert_answers(self, rows: list[dict[str, Any]]) -> None:
        """Inserts `answers` rows (column values)."""
        if rows:
            await self.session.execute(insert(Answer), rows)
