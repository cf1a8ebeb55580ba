"""Duel game rows written in batches (`DatabaseDuelGames.record_many`): one transaction for a matcher
round's duels, each row as `record` writes it (SQLite and PostgreSQL)."""

from __future__ import annotations

from persistence.db import Database
from persistence.models import Game
from rooms.duel.ports import DuelQuiz
from rooms.duel.service import DUEL_SETTINGS
from server.duels.sources import DatabaseDuelGames
from tests.gamedata import QUESTIONS


async def test_many_duels_rows_come_back_in_order_each_under_its_pin(db: Database) -> None:
    quiz = DuelQuiz(None, "Revenge", QUESTIONS)
    pins = [f"{n:06d}" for n in range(50)]
    ids = await DatabaseDuelGames(db).record_many([(pin, quiz) for pin in pins], DUEL_SETTINGS)
    assert len(set(ids)) == 50
    async with db.uow() as uow:
        rows = [row for game_id in ids if (row := await uow.session.get(Game, game_id)) is not None]
        assert [row.pin for row in rows] == pins
        assert {(row.kind, row.status, row.host_id) for row in rows} == {("duel", "live", None)}
        assert all(row.settings["autostart"] == 2 for row in rows)
