"""Start-up reconciliation: games left `live` by a dead process are kept when their room is still
in the room store (a node takes it over) and ended as `aborted` otherwise (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from persistence.db import Database
from persistence.models import Game
from rooms.core.clock import ManualClock
from rooms.core.settings import GameSettings
from rooms.node import NewRoom
from server.config import Settings
from server.live import build_node, reconcile_live_games
from tests.gamedata import make_game


async def statuses(db: Database, *game_ids: int) -> list[str]:
    async with db.uow() as uow:
        return [(await uow.session.get(Game, game_id)).status for game_id in game_ids]  # type: ignore[union-attr]


async def test_live_games_without_a_room_are_aborted_and_the_others_kept(
    settings: Settings, db: Database
) -> None:
    node = build_node(settings, db, ManualClock())
    old = datetime.now(UTC) - timedelta(hours=1)
    in_store, dead = await make_game(db, created_at=old), await make_game(db, created_at=old)
    async with db.uow() as uow:  # make_game gives every row the same PIN; the stored room holds another
        (await uow.session.get(Game, in_store)).pin = "777777"  # type: ignore[union-attr]
        await uow.commit()
    assert await node.store.reserve_pin("777777")
    room = NewRoom(in_store, "Capitals", GameSettings(), [], "token", None)
    await node.open_game("777777", room)

    assert await reconcile_live_games(db, node, shared_store=True) == [dead]
    assert await statuses(db, in_store, dead) == ["live", "aborted"]
    assert await reconcile_live_games(db, node, shared_store=True) == []  # nothing left to do


async def test_a_young_live_game_may_be_opening_on_another_node(settings: Settings, db: Database) -> None:
    node = build_node(settings, db, ManualClock())
    young = await make_game(db, created_at=datetime.now(UTC))
    assert await reconcile_live_games(db, node, shared_store=True) == []
    assert await statuses(db, young) == ["live"]
    # Alone and in memory, nothing else can open a room: a restarted node ends it at once.
    assert await reconcile_live_games(db, node, shared_store=False) == [young]
