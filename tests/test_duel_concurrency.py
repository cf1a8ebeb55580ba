"""Two duels of one player finishing at the same moment on PostgreSQL: the second rating update
reads the first one's result (the rows are locked in id order until the transaction ends), so no
win is lost and no point is created."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from itertools import count

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from migrations.runner import upgrade
from persistence.db import Database
from persistence.ratings import DuelRecord
from persistence.repositories.duels import DuelRepository
from server.results import ResultsWriter
from tests.gamedata import make_user
from tests.test_duel_records import duel, new_duel, person, record

pytestmark = pytest.mark.postgres


async def migrated(url: str) -> Database:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        await upgrade(conn)
    await engine.dispose()
    return Database.from_url(url)


async def test_simultaneous_duels_of_one_player_both_count(
    throwaway_postgres: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = await migrated(throwaway_postgres())
    ann, ben, cat = await make_user(db, "ann"), await make_user(db, "ben"), await make_user(db, "cat")
    first = duel(await new_duel(db), person("an", ann, 900, 1), person("be", ben, 100, 2), "an")
    second = duel(await new_duel(db), person("ca", cat, 100, 2), person("an", ann, 900, 1), "an")
    writer = ResultsWriter(db)
    await writer.sync_catalogue()
    async with db.uow() as uow:  # rated before, so neither writer waits on inserting a new row
        await uow.duels.lock_records([ann, ben, cat])
        await uow.commit()

    # The first writer to read the ratings holds on until the second one has come to read them too:
    # without the row locks the second would read the same 1200 and one win would be lost.
    callers, second_reading = count(1), asyncio.Event()
    read_ratings = DuelRepository.lock_records

    async def both_at_once(self: DuelRepository, user_ids: Collection[int]) -> dict[int, DuelRecord]:
        if next(callers) == 2:
            second_reading.set()
            return await read_ratings(self, user_ids)
        records = await read_ratings(self, user_ids)
        await asyncio.wait_for(second_reading.wait(), 5)
        await asyncio.sleep(0.2)  # the second is now waiting on the lock (or, without it, has read)
        return records

    monkeypatch.setattr(DuelRepository, "lock_records", both_at_once)
    try:
        assert await asyncio.gather(writer.write(first), writer.write(second)) == [True, True]
        records = [await record(db, user) for user in (ann, ben, cat)]
        assert (records[0].won, records[0].streak) == (2, 2)
        assert records[0].rating == 1216 + 15  # whichever came second saw the first one's 1216
        assert sum(r.rating for r in records) == 3 * 1200  # zero-sum across both duels
    finally:
        await db.dispose()
