"""Writing a finished game to the database: the game, its players and every answer, in one
transaction, once (a second write of the same game changes nothing)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from persistence.db import Database
from persistence.models import Answer, GamePlayer
from rooms.results import FinishedGame

log = logging.getLogger(__name__)


def _moment(epoch_ms: int | None) -> datetime | None:
    return None if epoch_ms is None else datetime.fromtimestamp(epoch_ms / 1000, UTC)


class DatabaseResultsSink:
    """The rooms' `ResultsSink` backed by the repositories."""

    def __init__(self, database: Database):
        self.database = database

    async def game_finished(self, game: FinishedGame) -> None:
        async with self.database.uow() as uow:
            row = await uow.games.get(game.game_id)
            if row is None:
                log.error("finished game %s has no row; results dropped", game.game_id)
                return
            if await uow.games.has_results(game.game_id):
                return  # written before: idempotent
            row.status = "finished"
            row.started_at = _moment(game.started_at_ms)
            row.ended_at = _moment(game.ended_at_ms)
            row.settings = {**game.settings, "voided": list(game.voided)}
            players = {
                p.player_id: GamePlayer(
                    game_id=game.game_id,
                    player_key=p.player_id,
                    user_id=p.user_id,
                    nickname=p.nickname,
                    score=p.score,
                    rank=p.rank,
                    correct_count=p.correct_count,
                )
                for p in game.players
            }
            await uow.games.add_players(list(players.values()))
            await uow.games.add_answers(
                [
                    Answer(
                        game_id=game.game_id,
                        game_player_id=players[a.player_id].id,
                        question_index=a.question,
                        answer=a.answer,
                        correct=a.correct,
                        points=a.points,
                        streak=a.streak,
                        sent_ms=a.receipt.sent,
                        received_ms=a.receipt.received,
                        rtt_ms=a.receipt.rtt_ms,
                        credited_ms=a.receipt.credited_ms,
                    )
                    for a in game.answers
                    if a.player_id in players
                ]
            )
            await uow.commit()
