"""Housekeeping: the pure decisions (streaks, badges by record and by age, session rules, host
tokens) and the jobs over a database: refresh-token purge, abandoned games, daily badges with their
notifications; the job locks, in process and in Redis (SQLite and PostgreSQL)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from persistence.badges import CATALOGUE, RecordFacts, earned_by_record, longest_run
from persistence.db import Database
from persistence.models import Game, GamePlayer, Notification, RefreshToken, User
from rooms.core.clock import ManualClock
from server.config import Settings
from server.game_opening import quiz_problem
from server.scheduling.housekeeping import badges_due, member_days_needed, record_of, streak_window_start
from server.scheduling.locks import LocalJobLock, RedisJobLock, holding
from server.scheduling.sessions import host_token_for, missed, start_problem
from tests.gamedata import make_game, make_user
from tests.scheduling.helpers import running, today_clock
from tests.services import REDIS_URL, need_redis

D = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 0, 5, tzinfo=UTC)
CATALOGUE_ROWS = [(index + 1, spec.rule) for index, spec in enumerate(CATALOGUE)]
BY_CODE = {spec.code: index + 1 for index, spec in enumerate(CATALOGUE)}


def days(*offsets: int) -> set[date]:
    return {D - timedelta(days=n) for n in offsets}


# ---- pure decisions -------------------------------------------------------------------------------


def test_the_longest_run_of_days() -> None:
    assert longest_run(set()) == 0
    assert longest_run(days(5)) == 1
    assert longest_run(days(1, 2, 3, 7, 8)) == 3
    assert longest_run(days(*range(1, 8))) == 7


def test_badges_by_record_leave_out_game_rules_and_held_badges() -> None:
    record = RecordFacts(xp=1_200, games_played=10, streak_days=3, member_days=400)
    earned_ids = earned_by_record(CATALOGUE_ROWS, record, ())
    earned = {code for code, badge_id in BY_CODE.items() if badge_id in earned_ids}
    assert earned == {"first_game", "ten_games", "xp_1000", "streak_3", "anniversary"}
    assert BY_CODE["streak_3"] not in earned_by_record(CATALOGUE_ROWS, record, {BY_CODE["streak_3"]})
    # An account a year old that never played earns nothing for its age.
    idle = RecordFacts(xp=0, games_played=0, streak_days=0, member_days=900)
    assert earned_by_record(CATALOGUE_ROWS, idle, ()) == []


def test_the_daily_records_and_what_they_earn() -> None:
    joined = datetime(2025, 3, 1, 23, 0, tzinfo=UTC)
    record = record_of(xp=40, games_played=4, play_days=days(1, 2, 3), joined=joined, today=D)
    assert record == RecordFacts(xp=40, games_played=4, streak_days=3, member_days=374)
    assert record_of(0, 1, days(1), None, D).member_days == 0
    due = badges_due(CATALOGUE_ROWS, {7: record}, {7: {BY_CODE["first_game"]}})
    assert due == [(7, BY_CODE["streak_3"]), (7, BY_CODE["anniversary"])]
    assert streak_window_start(D, [rule for _, rule in CATALOGUE_ROWS]) == datetime(2026, 3, 3, tzinfo=UTC)
    assert member_days_needed(CATALOGUE_ROWS) == ([BY_CODE["anniversary"]], 365)
    assert member_days_needed([(1, {"kind": "member_days"})]) == ([], None)  # malformed: ignored


def test_session_rules() -> None:
    now = NOW
    assert start_problem(now + timedelta(hours=1), now) is None
    assert start_problem(now - timedelta(seconds=30), now) is None  # the form sat open a moment
    assert start_problem(now - timedelta(minutes=5), now) == "must not be in the past"
    assert start_problem(now + timedelta(days=400), now) == "must be within a year"
    assert start_problem(datetime(2026, 5, 1), now) is not None  # no time zone
    assert not missed(now - timedelta(minutes=59), now) and missed(now - timedelta(minutes=61), now)
    host = User(id=1, role="user")
    draft = {"owner_id": 2, "published": False, "questions": [{}]}
    assert quiz_problem(draft, host) == "the quiz no longer exists"
    assert quiz_problem({**draft, "published": True}, host) is None
    assert quiz_problem({**draft, "owner_id": 1, "questions": []}, host) == "the quiz has no questions"
    assert quiz_problem(draft, User(id=3, role="admin")) is None
    assert quiz_problem(None, host) == "the quiz no longer exists"


def test_a_host_token_is_fixed_per_session_and_secret() -> None:
    assert host_token_for("k" * 40, 5) == host_token_for("k" * 40, 5)
    assert host_token_for("k" * 40, 5) != host_token_for("k" * 40, 6)
    assert host_token_for("k" * 40, 5) != host_token_for("j" * 40, 5)
    assert len(host_token_for("k" * 40, 5)) >= 43


# ---- locks ----------------------------------------------------------------------------------------


async def test_a_local_job_lock_is_held_until_released_or_lapsed() -> None:
    clock = ManualClock()
    lock = LocalJobLock(clock)
    token = await lock.acquire("job", 1_000)
    assert token is not None and await lock.acquire("job", 1_000) is None
    await lock.release("job", "someone-else")  # not theirs to free
    assert await lock.acquire("job", 1_000) is None
    clock.advance(1_000)
    assert await lock.acquire("job", 1_000) is not None  # lapsed: a stuck run does not block forever
    async with holding(lock, "other", 1_000) as mine, holding(lock, "other", 1_000) as theirs:
        assert mine and not theirs
    async with holding(lock, "other", 1_000) as again:
        assert again


async def test_a_redis_job_lock_is_one_holder_across_clients() -> None:
    need_redis()
    from server.live import connect_redis

    redis = connect_redis(REDIS_URL)
    prefix = f"test-{secrets.token_hex(4)}"
    first, second = RedisJobLock(redis, prefix), RedisJobLock(redis, prefix)
    try:
        token = await first.acquire("job", 10_000)
        assert token is not None and await second.acquire("job", 10_000) is None
        await second.release("job", "not-the-token")
        assert await second.acquire("job", 10_000) is None
        await first.release("job", token)
        assert await second.acquire("job", 10_000) is not None
    finally:
        await redis.delete(f"{prefix}:job-lock:job")
        await redis.aclose()


# ---- the jobs on a database -----------------------------------------------------------------------


async def add_tokens(db: Database, user_id: int, family: str, *states: str, now: datetime) -> None:
    async with db.uow() as uow:
        for state in states:
            expires = now - timedelta(days=1) if state == "expired" else now + timedelta(days=1)
            uow.session.add(
                RefreshToken(
                    user_id=user_id,
                    family_id=family,
                    token_hash=secrets.token_hex(32),
                    created_at=now - timedelta(days=2),
                    expires_at=expires,
                    used_at=now if state == "spent" else None,
                    revoked_at=now if state == "revoked" else None,
                )
            )
        await uow.commit()


async def test_purge_keeps_every_family_with_a_usable_token(settings: Settings, db: Database) -> None:
    clock = today_clock()
    async with running(settings, db, clock) as app:
        now = datetime.now(UTC)
        ann = await make_user(db, "ann")
        await add_tokens(db, ann, "dead", "spent", "spent", "expired", now=now)
        await add_tokens(db, ann, "revoked", "spent", "revoked", now=now)
        await add_tokens(db, ann, "alive", "spent", "spent", "live", now=now)
        purged = await app.state.scheduler.jobs["purge_refresh_tokens"].work(now)
        assert purged == 5
        async with db.uow() as uow:
            left = (await uow.session.execute(RefreshToken.__table__.select())).all()
        assert sorted({row.family_id for row in left}) == ["alive"] and len(left) == 3


async def test_live_games_whose_room_is_gone_end_as_aborted(settings: Settings, db: Database) -> None:
    async with running(settings, db, today_clock()) as app:
        now = datetime.now(UTC)
        old, young = (
            await make_game(db, created_at=now - timedelta(hours=1)),
            await make_game(db, created_at=now),
        )
        assert await app.state.scheduler.jobs["end_abandoned_games"].work(now) == [old]
        async with db.uow() as uow:
            statuses = [(await uow.session.get(Game, g)).status for g in (old, young)]  # type: ignore[union-attr]
        assert statuses == ["aborted", "live"]


async def played_on(db: Database, user_id: int, *ended: datetime) -> None:
    for moment in ended:
        game_id = await make_game(db, created_at=moment)
        async with db.uow() as uow:
            game = await uow.session.get(Game, game_id)
            assert game is not None
            game.status, game.ended_at = "finished", moment
            uow.session.add(
                GamePlayer(game_id=game_id, player_key="p", user_id=user_id, nickname="P", rank=1)
            )
            await uow.commit()


async def test_the_daily_job_awards_missed_streaks_and_anniversaries_once(
    settings: Settings, db: Database
) -> None:
    async with running(settings, db, today_clock()) as app:
        now = datetime(2026, 3, 10, 0, 5, tzinfo=UTC)
        ann, bob, cy = await make_user(db, "ann"), await make_user(db, "bob"), await make_user(db, "cy")
        async with db.uow() as uow:
            for user_id in (ann, bob, cy):
                (await uow.session.get(User, user_id)).created_at = now - timedelta(days=400)  # type: ignore[union-attr]
            await uow.commit()
        # ann played three days running up to yesterday (written out of order: nobody gave her the
        # streak badge); bob played once long ago; cy never played.
        await played_on(db, ann, *(now - timedelta(days=n) for n in (1, 2, 3)))
        await played_on(db, bob, now - timedelta(days=200))
        daily = app.state.scheduler.jobs["daily_badges"].work
        awarded = await daily(now)
        async with db.uow() as uow:
            ids = {badge.code: badge.id for badge in await uow.progress.catalogue()}
        assert sorted(awarded) == sorted(
            [
                (ann, ids["first_game"]),
                (ann, ids["streak_3"]),
                (ann, ids["anniversary"]),
                (bob, ids["first_game"]),
                (bob, ids["anniversary"]),
            ]
        )
        assert await daily(now) == []  # held now: nothing twice
        async with db.uow() as uow:
            told = (await uow.session.execute(Notification.__table__.select())).all()
        assert sorted((row.user_id, row.data["badge"]) for row in told) == sorted(
            [
                (ann, "first_game"),
                (ann, "streak_3"),
                (ann, "anniversary"),
                (bob, "first_game"),
                (bob, "anniversary"),
            ]
        )
