"""Analytics aggregates, computed in SQL over finished games in a time window: per game (seats,
scores, numbers correct), per game and question (attempts, correct, response times), the answers
given (grouped per distinct answer), response-time histograms, and a player's and a host's games.

Option ids are drawn per game, so answers are grouped per game; everything else is summed as far
as the database can. Kicked players (no rank) count nowhere."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, func, select

from persistence.models import Answer, Game, GamePlayer, QuizTag, XpEvent
from persistence.repositories.base import Repository
from persistence.repositories.leaderboards import Window

FINISHED = "finished"
TIME_BUCKET_MS = 100  # response-time medians are read off 100 ms buckets (within 50 ms)


@dataclass(frozen=True, slots=True)
class GameRow:
    """A finished game with its ranked seats summed: how many, Σ score, Σ and Σ² of the numbers
    correct (t, for item analysis)."""

    id: int
    quiz_id: int | None
    host_id: int | None
    ended_at: datetime
    title: str
    seats: int
    sum_score: int
    sum_t: int
    sum_tt: int


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One question of one game: answers of ranked seats, how many fully correct, Σ credited time,
    and Σ t of the seats that got it right."""

    game_id: int
    question: int
    attempts: int
    correct: int
    sum_credited_ms: int
    sum_t_correct: int


@dataclass(frozen=True, slots=True)
class AnswerGroup:
    """One distinct answer to one question of one game (as JSON text), how often it was given, how
    often it was fully correct and how often it earned partial credit."""

    game_id: int
    question: int
    answer: str
    count: int
    correct: int
    partial: int


@dataclass(frozen=True, slots=True)
class SeatRow:
    """A player's ranked seat in a finished game."""

    game_id: int
    quiz_id: int | None
    ended_at: datetime
    title: str
    score: int
    rank: int
    correct_count: int
    players: int


def _int(value: Any) -> int:
    return int(value or 0)


def _window(window: Window) -> list[ColumnElement[bool]]:
    return [Game.status == FINISHED, Game.ended_at >= window.start, Game.ended_at < window.end]


Scope = list[ColumnElement[bool]]  # which games: conditions on `games`


def quiz_scope(quiz_id: int, window: Window) -> Scope:
    """A quiz's finished games that ended in `window`."""
    return [Game.quiz_id == quiz_id, *_window(window)]


def host_scope(host_id: int, window: Window) -> Scope:
    """A host's finished games that ended in `window`."""
    return [Game.host_id == host_id, *_window(window)]


def game_scope(game_id: int) -> Scope:
    """One game, once finished."""
    return [Game.id == game_id, Game.status == FINISHED]


def _title() -> ColumnElement[str]:
    return Game.quiz_snapshot["title"].as_string()


class AnalyticsRepository(Repository[Game]):
    """Read-only analytics queries over a scope of finished games (a window on `ended_at`, or one game)."""

    model = Game

    def _utc_day(self, column: Any) -> Any:
        """The UTC calendar day of a timestamp column, as the database computes it."""
        if self.session.get_bind().dialect.name == "postgresql":
            return func.date(func.timezone("UTC", column))
        return func.date(column)

    # ---- games ------------------------------------------------------------------------------------

    async def games(self, scope: Scope) -> list[GameRow]:
        """The games in `scope`, oldest first, with their ranked seats summed."""
        # Grouped by the game's key: PostgreSQL lets the game's other columns follow from it.
        rows = await self.session.execute(
            select(
                Game.id,
                Game.quiz_id,
                Game.host_id,
                Game.ended_at,
                _title(),
                func.count(GamePlayer.id),
                func.sum(GamePlayer.score),
                func.sum(GamePlayer.correct_count),
                func.sum(GamePlayer.correct_count * GamePlayer.correct_count),
            )
            .outerjoin(GamePlayer, and_(GamePlayer.game_id == Game.id, GamePlayer.rank.is_not(None)))
            .where(*scope)
            .group_by(Game.id)
            .order_by(Game.ended_at, Game.id)
        )
        return [
            GameRow(id, quiz, host, ended, title or "", _int(n), _int(score), _int(t), _int(tt))
            for id, quiz, host, ended, title, n, score, t, tt in rows.all()
            if ended is not None  # every finished game has ended; this tells the type
        ]

    async def snapshots(self, game_ids: Collection[int]) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
        """Each game's quiz snapshot and settings (the questions it played, which were voided)."""
        out: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        ids = sorted(set(game_ids))
        for start in range(0, len(ids), 1000):  # bounded parameter lists on every backend
            rows = await self.session.execute(
                select(Game.id, Game.quiz_snapshot, Game.settings).where(
                    Game.id.in_(ids[start : start + 1000])
                )
            )
            out.update({id: (snapshot or {}, settings or {}) for id, snapshot, settings in rows.all()})
        return out

    # ---- the answers of a scope of games -----------------------------------------------------------

    def _answers(self, scope: Scope) -> list[ColumnElement[bool]]:
        return [
            *scope,
            Answer.game_id == Game.id,
            GamePlayer.id == Answer.game_player_id,
            GamePlayer.rank.is_not(None),
        ]

    async def questions(self, scope: Scope) -> list[QuestionRow]:
        """Per game and question: attempts, correct, Σ credited ms, Σ t of the correct."""
        correct = case((Answer.correct, 1), else_=0)
        rows = await self.session.execute(
            select(
                Answer.game_id,
                Answer.question_index,
                func.count(),
                func.sum(correct),
                func.sum(Answer.credited_ms),
                func.sum(case((Answer.correct, GamePlayer.correct_count), else_=0)),
            )
            .select_from(Game)
            .join(Answer, Answer.game_id == Game.id)
            .join(GamePlayer, GamePlayer.id == Answer.game_player_id)
            .where(*self._answers(scope))
            .group_by(Answer.game_id, Answer.question_index)
        )
        return [
            QuestionRow(game, question, _int(n), _int(c), _int(ms), _int(tc))
            for game, question, n, c, ms, tc in rows.all()
        ]

    async def answer_groups(self, scope: Scope) -> list[AnswerGroup]:
        """Per game and question, each distinct answer given (JSON text) with its counts."""
        text = cast(Answer.answer, String)
        rows = await self.session.execute(
            select(
                Answer.game_id,
                Answer.question_index,
                text,
                func.count(),
                func.sum(case((Answer.correct, 1), else_=0)),
                func.sum(case((and_(Answer.points > 0, Answer.correct.is_(False)), 1), else_=0)),
            )
            .select_from(Game)
            .join(Answer, Answer.game_id == Game.id)
            .join(GamePlayer, GamePlayer.id == Answer.game_player_id)
            .where(*self._answers(scope))
            .group_by(Answer.game_id, Answer.question_index, text)
        )
        return [
            AnswerGroup(game, question, answer, _int(n), _int(c), _int(p))
            for game, question, answer, n, c, p in rows.all()
        ]

    async def time_histograms(
        self, scope: Scope, game_ids: Collection[int] | None = None
    ) -> dict[int, dict[int, int]]:
        """Per question index, the answers counted in TIME_BUCKET_MS buckets of credited time (of
        the given games only, when the quiz's games did not all play the same questions)."""
        bucket = Answer.credited_ms // TIME_BUCKET_MS
        statement = (
            select(Answer.question_index, bucket, func.count())
            .select_from(Game)
            .join(Answer, Answer.game_id == Game.id)
            .join(GamePlayer, GamePlayer.id == Answer.game_player_id)
            .where(*self._answers(scope))
            .group_by(Answer.question_index, bucket)
        )
        if game_ids is not None:
            statement = statement.where(Game.id.in_(sorted(game_ids)))
        out: dict[int, dict[int, int]] = defaultdict(dict)
        for question, key, n in (await self.session.execute(statement)).all():
            out[question][int(key)] = _int(n)
        return out

    # ---- a player ---------------------------------------------------------------------------------

    async def seats(self, user_id: int, window: Window) -> list[SeatRow]:
        """The user's ranked seats in finished games that ended in `window`, oldest first."""
        players = (
            select(func.count(GamePlayer.id))
            .where(GamePlayer.game_id == Game.id, GamePlayer.rank.is_not(None))
            .correlate(Game)
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(
                GamePlayer.game_id,
                Game.quiz_id,
                Game.ended_at,
                _title(),
                GamePlayer.score,
                GamePlayer.rank,
                GamePlayer.correct_count,
                players,
            )
            .join(Game, Game.id == GamePlayer.game_id)
            .where(GamePlayer.user_id == user_id, GamePlayer.rank.is_not(None), *_window(window))
            .order_by(Game.ended_at, Game.id, GamePlayer.id)
        )
        return [
            SeatRow(game, quiz, ended, title or "", score, rank, correct, _int(n))
            for game, quiz, ended, title, score, rank, correct, n in rows.all()
        ]

    async def player_questions(self, user_id: int, window: Window) -> list[QuestionRow]:
        """Per game and question, the user's answers: attempts, correct, Σ credited ms."""
        rows = await self.session.execute(
            select(
                Answer.game_id,
                Answer.question_index,
                func.count(),
                func.sum(case((Answer.correct, 1), else_=0)),
                func.sum(Answer.credited_ms),
            )
            .select_from(GamePlayer)
            .join(Game, Game.id == GamePlayer.game_id)
            .join(Answer, Answer.game_player_id == GamePlayer.id)
            .where(GamePlayer.user_id == user_id, GamePlayer.rank.is_not(None), *_window(window))
            .group_by(Answer.game_id, Answer.question_index)
        )
        return [QuestionRow(g, q, _int(n), _int(c), _int(ms), 0) for g, q, n, c, ms in rows.all()]

    async def tags(self, quiz_ids: Collection[int]) -> dict[int, list[str]]:
        """The current tags of each quiz."""
        out: dict[int, list[str]] = defaultdict(list)
        ids = sorted(set(quiz_ids))
        for start in range(0, len(ids), 1000):
            rows = await self.session.execute(
                select(QuizTag.quiz_id, QuizTag.tag)
                .where(QuizTag.quiz_id.in_(ids[start : start + 1000]))
                .order_by(QuizTag.quiz_id, QuizTag.position)
            )
            for quiz_id, tag in rows.all():
                out[quiz_id].append(tag)
        return out

    async def xp_by_day(self, user_id: int, window: Window) -> list[tuple[date, int]]:
        """XP the user earned on each UTC day in `window` (days with none left out)."""
        day = self._utc_day(XpEvent.created_at)
        rows = await self.session.execute(
            select(day, func.sum(XpEvent.amount))
            .where(
                XpEvent.user_id == user_id,
                XpEvent.created_at >= window.start,
                XpEvent.created_at < window.end,
            )
            .group_by(day)
            .order_by(day)
        )
        return [(_as_date(d), _int(xp)) for d, xp in rows.all()]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
