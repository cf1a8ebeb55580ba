"""Duels: each account's rating and record (`duel_ratings`), its side of every finished duel
(`duel_results`), the duel leaderboard, and what a new duel is built from (ratings, questions)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from persistence.models import Answer, DuelRating, DuelResult, Game, GamePlayer, Question, Quiz, User
from persistence.ratings import START_RATING, DuelRecord
from persistence.repositories.base import Repository
from persistence.repositories.leaderboards import LeaderboardRepository, Ranked


def _record(row: DuelRating) -> DuelRecord:
    return DuelRecord(
        rating=row.rating,
        won=row.wins,
        lost=row.losses,
        drawn=row.draws,
        streak=row.streak,
        best_streak=row.best_streak,
    )


@dataclass(frozen=True, slots=True)
class PlayedGame:
    """One of a player's finished games as a revenge duel looks at it: the questions it played,
    which were voided, and the player's answers by question index (True when fully correct)."""

    questions: Sequence[Mapping[str, Any]]
    voided: Collection[int] = ()
    answers: Mapping[int, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RatedPlayer:
    """A duel leaderboard line: the rank, the user and their record."""

    rank: int
    user_id: int
    username: str
    record: DuelRecord


class DuelRepository(Repository[DuelRating]):
    """Ratings, duel history and the duel leaderboard; never commits."""

    model = DuelRating

    # ---- the results transaction -----------------------------------------------------------------

    async def lock_records(self, user_ids: Collection[int]) -> dict[int, DuelRecord]:
        """Each user's record, its row created at the starting rating when missing and locked until
        the transaction ends (PostgreSQL; SQLite has one writer): two duels of one player finishing
        at once rate one after the other. Locked in id order, so two such writers cannot deadlock."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        dialect = self.session.get_bind().dialect.name
        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        fresh = [
            {
                "user_id": user_id,
                "rating": START_RATING,
                "wins": 0,
                "losses": 0,
                "draws": 0,
                "streak": 0,
                "best_streak": 0,
            }
            for user_id in ids
        ]
        await self.session.execute(
            dialect_insert(DuelRating).values(fresh).on_conflict_do_nothing(index_elements=["user_id"])
        )
        rows = await self.session.scalars(
            select(DuelRating)
            .where(DuelRating.user_id.in_(ids))
            .order_by(DuelRating.user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {row.user_id: _record(row) for row in rows.all()}

    async def save_records(self, records: dict[int, DuelRecord], at: datetime) -> None:
        """Writes each user's record as computed by the caller (rows from `lock_records`)."""
        if not records:
            return
        table = cast(Table, DuelRating.__table__)  # the table: a plain executemany UPDATE
        statement = (
            update(table)
            .where(table.c.user_id == bindparam("uid"))
            .values(
                rating=bindparam("rating"),
                wins=bindparam("won"),
                losses=bindparam("lost"),
                draws=bindparam("drawn"),
                streak=bindparam("streak_now"),
                best_streak=bindparam("best"),
                updated_at=bindparam("at"),
            )
        )
        await self.session.execute(
            statement,
            [
                {
                    "uid": user_id,
                    "rating": r.rating,
                    "won": r.won,
                    "lost": r.lost,
                    "drawn": r.drawn,
                    "streak_now": r.streak,
                    "best": r.best_streak,
                    "at": at,
                }
                for user_id, r in records.items()
            ],
        )

    async def insert_results(self, rows: list[dict[str, Any]]) -> None:
        """Inserts `duel_results` rows (column values)."""
        if rows:
            await self.session.execute(insert(DuelResult), rows)

    # ---- reading ---------------------------------------------------------------------------------

    async def record_of(self, user_id: int) -> DuelRecord:
        """The user's rated record; the starting one before their first rated duel."""
        row = await self.session.get(DuelRating, user_id)
        return DuelRecord() if row is None else _record(row)

    async def rating_of(self, user_id: int) -> int:
        rating = await self.session.scalar(select(DuelRating.rating).where(DuelRating.user_id == user_id))
        return START_RATING if rating is None else int(rating)

    async def played(self, user_id: int) -> int:
        """Every finished duel of the user, rated or not."""
        count = await self.session.scalar(
            select(func.count()).select_from(DuelResult).where(DuelResult.user_id == user_id)
        )
        return int(count or 0)

    async def history(
        self, user_id: int, limit: int, offset: int
    ) -> tuple[list[tuple[DuelResult, str | None]], int]:
        """The user's duels, newest first, each with the opponent's username when the opponent is an
        account that still exists; and how many there are."""
        total = await self.played(user_id)
        rows = await self.session.execute(
            select(DuelResult, User.username)
            .outerjoin(User, User.id == DuelResult.opponent_user_id)
            .where(DuelResult.user_id == user_id)
            .order_by(DuelResult.played_at.desc(), DuelResult.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [(result, username) for result, username in rows.all()], total

    async def leaderboard(self, limit: int, offset: int) -> tuple[list[RatedPlayer], int]:
        """Users with a rated duel by rating, highest first; equal ratings share a rank."""
        source = select(DuelRating.user_id, User.username, DuelRating.rating.label("value")).join(
            User, User.id == DuelRating.user_id
        )
        lines, total = await LeaderboardRepository(self.session).ranked_page(source, limit, offset)
        records = await self._records([line.user_id for line in lines])
        return [_rated(line, records[line.user_id]) for line in lines], total

    async def _records(self, user_ids: list[int]) -> dict[int, DuelRecord]:
        if not user_ids:
            return {}
        rows = await self.session.scalars(select(DuelRating).where(DuelRating.user_id.in_(user_ids)))
        return {row.user_id: _record(row) for row in rows.all()}

    # ---- what a new duel is built from ----------------------------------------------------------

    async def any_playable_quiz(self, rng: random.Random) -> int | None:
        """A published quiz with questions, chosen by `rng`; None when there is none."""
        playable = select(Quiz.id).where(
            Quiz.published.is_(True), select(Question.id).where(Question.quiz_id == Quiz.id).exists()
        )
        count = int(await self.session.scalar(select(func.count()).select_from(playable.subquery())) or 0)
        if not count:
            return None
        return await self.session.scalar(playable.order_by(Quiz.id).offset(rng.randrange(count)).limit(1))

    async def recent_games(self, user_id: int, limit: int) -> list[PlayedGame]:
        """The user's latest `limit` finished games and duels (where they were not kicked), newest
        first, with their answers in each: three queries whatever the length of their history."""
        seats = (
            await self.session.execute(
                select(GamePlayer.id, GamePlayer.game_id)
                .join(Game, Game.id == GamePlayer.game_id)
                .where(GamePlayer.user_id == user_id, GamePlayer.rank.is_not(None), Game.status == "finished")
                .order_by(Game.ended_at.desc(), Game.id.desc())
                .limit(limit)
            )
        ).all()
        if not seats:
            return []
        game_of = {seat_id: game_id for seat_id, game_id in seats}
        answers: dict[int, dict[int, bool]] = defaultdict(dict)
        rows = await self.session.execute(
            select(Answer.game_player_id, Answer.question_index, Answer.correct).where(
                Answer.game_player_id.in_(game_of)
            )
        )
        for seat_id, index, correct in rows.all():
            mine = answers[game_of[seat_id]]  # two seats in one game: right once is right
            mine[index] = mine.get(index, False) or correct
        games = await self.session.execute(
            select(Game.id, Game.quiz_snapshot, Game.settings).where(Game.id.in_(set(game_of.values())))
        )
        by_id = {game_id: (snapshot, settings) for game_id, snapshot, settings in games.all()}
        order = list(dict.fromkeys(game_id for _, game_id in seats))
        return [
            PlayedGame(
                questions=by_id[game_id][0].get("questions", []),
                voided=frozenset((by_id[game_id][1] or {}).get("voided", ())),
                answers=answers.get(game_id, {}),
            )
            for game_id in order
        ]


def _rated(line: Ranked, record: DuelRecord) -> RatedPlayer:
    return RatedPlayer(line.rank, line.user_id, line.username, record)
