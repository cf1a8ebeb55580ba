"""Writing finished games: one transaction with XP and badges, idempotent, through an outbox that
survives database failures and restarts (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from migrations.runner import upgrade
from persistence.db import Database
from persistence.models import Answer, BadgeAward, Game, GamePlayer, User, XpEvent
from server.app import create_app
from server.config import Settings
from server.outbox import Backoff, MemoryOutbox, Outbox, SpoolOutbox
from server.results import DatabaseResultsSink, decode_game, encode_game
from tests.gamedata import (
    T0,
    all_answers,
    answer,
    badges_of,
    count,
    finished,
    make_game,
    make_user,
    seat,
    xp_of,
)


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the results writer touches, to compare before and after a second write."""
    tables: dict[str, Any] = {
        "games": (Game.id, Game.status, Game.started_at, Game.ended_at),
        "players": (
            GamePlayer.id,
            GamePlayer.player_key,
            GamePlayer.user_id,
            GamePlayer.score,
            GamePlayer.rank,
        ),
        "answers": (
            Answer.id,
            Answer.game_player_id,
            Answer.question_index,
            Answer.points,
            Answer.credited_ms,
        ),
        "xp": (XpEvent.id, XpEvent.user_id, XpEvent.amount, XpEvent.created_at),
        "users": (User.id, User.xp),
        "awards": (BadgeAward.id, BadgeAward.user_id, BadgeAward.badge_id, BadgeAward.awarded_at),
    }
    async with db.uow() as uow:
        return {
            name: [tuple(row) for row in (await uow.session.execute(select(*cols).order_by(cols[0])))]
            for name, cols in tables.items()
        }


async def drained(outbox: Outbox, timeout_s: float = 5.0) -> None:
    """Waits until the background drainer has emptied `outbox`."""
    for _ in range(int(timeout_s / 0.01)):
        if not await outbox.pending():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"outbox not drained after {timeout_s} s")


def content(path: Path) -> bytes:
    return path.read_bytes()


@pytest.fixture
def sink(db: Database) -> DatabaseResultsSink:
    return DatabaseResultsSink(db, backoff=Backoff(first_s=0, most_s=0))


async def a_game(db: Database) -> tuple[Any, int, int]:
    """Alice (perfect, fastest, first), Bob (account, second) and an anonymous third."""
    alice, bob = await make_user(db, "alice"), await make_user(db, "bob")
    game_id = await make_game(db, host_id=alice)
    game = finished(
        game_id,
        [
            seat("al", alice, 2_700, 1, xp=245, correct=3),
            seat("bo", bob, 900, 2, xp=85, correct=1),
            seat("an", None, 0, 3),
        ],
        all_answers("al", True, 1_500)
        + [answer("bo", 0, True, 4_000), answer("bo", 1, False)]
        + all_answers("an", False),
    )
    return game, alice, bob


async def test_a_game_is_written_with_players_answers_xp_and_badges(
    db: Database, sink: DatabaseResultsSink
) -> None:
    game, alice, bob = await a_game(db)
    await sink.game_finished(game)
    async with db.uow() as uow:
        row = await uow.games.get(game.game_id)
        assert row is not None and row.status == "finished"
        assert row.ended_at == T0 + timedelta(minutes=5) and row.started_at == T0
        players = await uow.games.players(game.game_id)
        assert [(p.player_key, p.user_id, p.score, p.rank) for p in players] == [
            ("al", alice, 2_700, 1),
            ("bo", bob, 900, 2),
            ("an", None, 0, 3),
        ]
        answers = await uow.games.answers(game.game_id)
        assert len(answers) == 4 + 2 + 4
        first = next(a for a in answers if a.question_index == 0 and a.game_player_id == players[0].id)
        assert (first.answer, first.correct, first.points, first.credited_ms, first.rtt_ms) == (
            "fr-p",
            True,
            900,
            1_500,
            80,
        )
        events = (await uow.session.scalars(select(XpEvent).order_by(XpEvent.user_id))).all()
        assert [(e.user_id, e.amount, e.reason, e.created_at) for e in events] == [
            (alice, 245, "game", row.ended_at),
            (bob, 85, "game", row.ended_at),
        ]
    assert (await xp_of(db, alice), await xp_of(db, bob)) == (245, 85)
    assert set(await badges_of(db, alice)) == {"first_game", "perfect_game", "fastest_answer", "winner"}
    assert set(await badges_of(db, bob)) == {"first_game"}
    assert (await badges_of(db, alice))["winner"] == T0 + timedelta(minutes=5)
    assert await sink.outbox.pending() == []


async def test_the_same_game_written_twice_changes_nothing(db: Database, sink: DatabaseResultsSink) -> None:
    game, _, _ = await a_game(db)
    await sink.game_finished(game)
    before = await snapshot(db)
    await sink.game_finished(game)
    assert await sink.writer.write(decode_game(encode_game(game))) is False
    assert await snapshot(db) == before


class FailOnce:
    """Makes the first INSERT into `table` fail as if the database went away mid-transaction."""

    def __init__(self, db: Database, table: str):
        self.db, self.table, self.failures = db, table, 0

    def __enter__(self) -> FailOnce:
        event.listen(self.db.engine.sync_engine, "before_cursor_execute", self._maybe_fail)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.db.engine.sync_engine, "before_cursor_execute", self._maybe_fail)

    def _maybe_fail(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.failures == 0 and statement.startswith(f"INSERT INTO {self.table}"):
            self.failures += 1
            raise OperationalError(statement, {}, ConnectionError("connection lost"))


@pytest.mark.parametrize("table", ["answers", "xp_events", "badge_awards"])
async def test_a_write_interrupted_by_a_database_error_is_retried_and_written_once(
    db: Database, sink: DatabaseResultsSink, table: str
) -> None:
    game, alice, bob = await a_game(db)
    with FailOnce(db, table) as fault:
        await sink.game_finished(game)  # the room never sees the failure
        assert fault.failures == 1
        assert await count(db, GamePlayer) == 0 and await xp_of(db, alice) == 0  # all or nothing
        assert [entry.key for entry in await sink.outbox.pending()] == [f"game:{game.game_id}"]
        assert sink.drainer.waiting == 1
        assert await sink.drainer.drain() == 1
    assert await count(db, GamePlayer) == 3 and await count(db, Answer) == 10
    assert (await xp_of(db, alice), await xp_of(db, bob)) == (245, 85)
    assert await count(db, XpEvent) == 2 and await count(db, BadgeAward) == 5
    assert await sink.outbox.pending() == [] and sink.drainer.waiting == 0


async def test_the_background_drainer_retries_with_backoff(db: Database) -> None:
    sink = DatabaseResultsSink(db, backoff=Backoff(first_s=0.05, most_s=0.05))
    await sink.start()
    try:
        game, alice, _ = await a_game(db)
        with FailOnce(db, "game_players"):
            await sink.game_finished(game)
            assert sink.drainer.waiting == 1
            # No database reads until drained: the PostgreSQL fixture shares one connection.
            await drained(sink.outbox)
        assert await xp_of(db, alice) == 245
    finally:
        await sink.stop()


async def test_a_game_without_a_row_is_dropped_not_retried_forever(
    db: Database, sink: DatabaseResultsSink
) -> None:
    await sink.game_finished(finished(999_999, [seat("x", None, 0, 1)], []))
    assert await sink.outbox.pending() == [] and await count(db, GamePlayer) == 0


async def test_an_account_seated_twice_earns_once(db: Database, sink: DatabaseResultsSink) -> None:
    alice = await make_user(db, "alice")
    game_id = await make_game(db)
    await sink.game_finished(
        finished(
            game_id,
            [seat("a1", alice, 900, 1, xp=60), seat("a2", alice, 100, 2, xp=15)],
            [answer("a1", 0, True), answer("a2", 0, False)],
        )
    )
    assert await xp_of(db, alice) == 60 and await count(db, XpEvent) == 1
    assert set(await badges_of(db, alice)) == {
        "first_game",
        "fastest_answer",
        "winner",
    }  # seats, as the room counts


async def test_kicked_players_earn_nothing_and_deleted_accounts_play_on_anonymously(
    db: Database, sink: DatabaseResultsSink
) -> None:
    alice, gone = await make_user(db, "alice"), await make_user(db, "gone")
    async with db.uow() as uow:
        user = await uow.users.get(gone)
        assert user is not None
        await uow.users.delete(user)
        await uow.commit()
    game_id = await make_game(db)
    await sink.game_finished(
        finished(
            game_id,
            [seat("k", alice, 0, None, kicked=True), seat("g", gone, 50, 1, xp=12)],
            [answer("g", 0, True)],
        )
    )
    assert await xp_of(db, alice) == 0 and await badges_of(db, alice) == {}
    async with db.uow() as uow:
        assert {p.player_key: p.user_id for p in await uow.games.players(game_id)} == {"k": alice, "g": None}


async def test_badges_are_awarded_once_and_streaks_count_utc_days(
    db: Database, sink: DatabaseResultsSink
) -> None:
    alice = await make_user(db, "alice")
    awarded: list[set[str]] = []
    for day in range(7):
        ended = T0 + timedelta(days=day, hours=11, minutes=59)  # 23:59 UTC: still that day
        game_id = await make_game(db, created_at=ended - timedelta(minutes=10))
        before = set(await badges_of(db, alice))
        await sink.game_finished(
            finished(game_id, [seat("a", alice, 100, 1, xp=10)], [answer("a", 0, False)], ended_at=ended)
        )
        awarded.append(set(await badges_of(db, alice)) - before)
    assert awarded == [{"first_game"}, set(), {"streak_3"}, set(), set(), set(), {"streak_7"}]
    badges = await badges_of(db, alice)
    assert badges["streak_3"] == T0 + timedelta(days=2, hours=11, minutes=59)


async def test_a_gap_day_breaks_the_streak(db: Database, sink: DatabaseResultsSink) -> None:
    alice = await make_user(db, "alice")
    for day in (0, 1, 3, 4):
        game_id = await make_game(db)
        await sink.game_finished(
            finished(game_id, [seat("a", alice, 100, 1, xp=10)], [], ended_at=T0 + timedelta(days=day))
        )
    assert "streak_3" not in await badges_of(db, alice)


async def test_xp_thresholds_and_ten_games(db: Database, sink: DatabaseResultsSink) -> None:
    alice = await make_user(db, "alice", xp=9_950)
    for number in range(10):
        game_id = await make_game(db)
        await sink.game_finished(
            finished(game_id, [seat("a", alice, 100, 1, xp=10)], [], ended_at=T0 + timedelta(minutes=number))
        )
    badges = await badges_of(db, alice)
    assert {"xp_1000", "xp_10000", "ten_games"} <= set(badges)
    assert badges["xp_10000"] == T0 + timedelta(minutes=4)  # 9,950 + 5 games of 10
    assert badges["ten_games"] == T0 + timedelta(minutes=9)
    assert await xp_of(db, alice) == 10_050


# ---- the outbox -----------------------------------------------------------------------------------


@pytest.fixture
def spool_file(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "spool" / "results-outbox.jsonl"


async def test_spool_keeps_pending_entries_across_reopening(spool_file: Path) -> None:
    spool = SpoolOutbox(spool_file)
    await spool.append("game:1", {"n": 1})
    await spool.append("game:2", {"n": 2})
    await spool.append("game:1", {"n": "again"})  # the first payload of a key stays
    await spool.done("game:2")
    spool.close()
    again = SpoolOutbox(spool_file)
    assert [(e.key, e.payload) for e in await again.pending()] == [("game:1", {"n": 1})]
    await again.done("game:1")
    assert content(spool_file) == b""  # drained: compacted to nothing
    again.close()


async def test_spool_skips_a_torn_last_line(spool_file: Path) -> None:
    spool = SpoolOutbox(spool_file)
    await spool.append("game:1", {"n": 1})
    spool.close()
    with spool_file.open("ab") as raw:
        raw.write(b'{"key": "game:2", "payl')  # a crash in the middle of an append
    again = SpoolOutbox(spool_file)
    await again.append("game:3", {"n": 3})
    again.close()
    final = SpoolOutbox(spool_file)
    assert [e.key for e in await final.pending()] == ["game:1", "game:3"]
    final.close()


async def test_spool_compacts_behind_a_stuck_entry(spool_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("server.outbox.COMPACT_AFTER_DONE", 4)
    spool = SpoolOutbox(spool_file)
    for n in range(4):
        await spool.append(f"game:{n}", {"n": n})
    await spool.done("game:1")
    await spool.done("game:2")  # 4 dead lines: rewritten with the pending ones only
    assert content(spool_file).count(b"\n") == 2
    with pytest.raises(RuntimeError, match="in use"):
        SpoolOutbox(spool_file)  # the new file is locked too
    await spool.append("game:9", {"n": 9})
    spool.close()
    again = SpoolOutbox(spool_file)
    assert [e.key for e in await again.pending()] == ["game:0", "game:3", "game:9"]
    again.close()


async def test_one_spool_per_process(spool_file: Path) -> None:
    spool = SpoolOutbox(spool_file)
    with pytest.raises(RuntimeError, match="in use"):
        SpoolOutbox(spool_file)
    spool.close()


async def test_a_crash_between_append_and_write_loses_nothing(db: Database, spool_file: Path) -> None:
    game, alice, _ = await a_game(db)
    crashed = SpoolOutbox(spool_file)
    await crashed.append(f"game:{game.game_id}", encode_game(game))  # then the process died
    crashed.close()
    spool = SpoolOutbox(spool_file)
    sink = DatabaseResultsSink(db)
    await sink.start(spool)
    try:
        await drained(spool)
    finally:
        await sink.stop()
        spool.close()
    assert await xp_of(db, alice) == 245 and await count(db, GamePlayer) == 3
    assert content(spool_file) == b""


async def test_the_app_drains_its_spool_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/app.db"
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        await upgrade(conn)
    await engine.dispose()
    database = Database.from_url(url)
    game, alice, _ = await a_game(database)
    await database.dispose()
    crashed = SpoolOutbox(tmp_path / "results-outbox.jsonl")  # a node died after spooling the game
    await crashed.append(f"game:{game.game_id}", encode_game(game))
    crashed.close()
    monkeypatch.setenv("QUIZARENA_DATA_DIR", str(tmp_path))
    app: Any = create_app(dataclasses.replace(settings, database_url=url))
    async with app.router.lifespan_context(app):
        await drained(app.state.node.sink.outbox)
        assert await xp_of(app.state.db, alice) == 245
        assert set(await badges_of(app.state.db, alice)) >= {"first_game", "winner"}
    assert content(tmp_path / "results-outbox.jsonl") == b""


async def test_memory_outbox_and_codec_round_trip() -> None:
    game = finished(
        7, [seat("a", 1, 10, 1, xp=10)], [answer("a", 1, True), answer("a", 0, False)], voided=(2,)
    )
    outbox = MemoryOutbox()
    await outbox.append("game:7", encode_game(game))
    (entry,) = await outbox.pending()
    assert decode_game(entry.payload) == game
    await outbox.done("game:7")
    assert await outbox.pending() == []
