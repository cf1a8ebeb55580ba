"""Housekeeping jobs: purge refresh tokens nobody can use, end games whose room is gone, and once a
day recompute play streaks and award the badges the calendar brings (and any the per-game path
missed). The decisions are pure functions; the jobs are the I/O around them."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from persistence.badges import RecordFacts, earned_by_record, longest_run, longest_streak_rule
from persistence.db import Database
from persistence.models import Badge
from rooms.node import RoomNode
from server.live import RECONCILE_GRACE
from server.notifications.kinds import Note, badge_earned
from server.notifications.notifier import Notifier

log = logging.getLogger(__name__)

MEMBER_DAYS = "member_days"


def streak_window_start(today: date, rules: Collection[Mapping[str, Any]]) -> datetime:
    """From when play days matter to the streak rules: as many days back from today as the longest
    streak any rule asks for, so a streak that ended yesterday is inside it."""
    return datetime.combine(today - timedelta(days=longest_streak_rule(rules)), time(), UTC)


def member_days_needed(catalogue: Collection[tuple[int, Mapping[str, Any]]]) -> tuple[list[int], int | None]:
    """The badges that come with an account's age, and the fewest days any of them needs."""
    ids, days = [], []
    for badge_id, rule in catalogue:
        if rule.get("kind") == MEMBER_DAYS:
            try:
                days.append(int(rule["at_least"]))
            except (KeyError, TypeError, ValueError):
                continue
            ids.append(badge_id)
    return ids, min(days) if days else None


def record_of(
    xp: int, games_played: int, play_days: Collection[date], joined: datetime | None, today: date
) -> RecordFacts:
    """A player's record as the daily job sees it: the longest streak among the recent play days,
    and the account's age in days."""
    return RecordFacts(
        xp=xp,
        games_played=games_played,
        streak_days=longest_run(play_days),
        member_days=0 if joined is None else (today - joined.astimezone(UTC).date()).days,
    )


def badges_due(
    catalogue: Collection[tuple[int, Mapping[str, Any]]],
    records: Mapping[int, RecordFacts],
    held: Mapping[int, Collection[int]],
) -> list[tuple[int, int]]:
    """Every (user, badge) a record earns that the user does not hold, among the record rules."""
    return [
        (user_id, badge_id)
        for user_id, record in records.items()
        for badge_id in earned_by_record(catalogue, record, held.get(user_id, ()))
    ]


class Housekeeping:
    """The jobs, over the database and this node's room store."""

    def __init__(self, database: Database, node: RoomNode, notifier: Notifier):
        self.database, self.node, self.notifier = database, node, notifier

    async def purge_refresh_tokens(self, now: datetime) -> int:
        """Deletes the refresh-token families in which no token can be used any more."""
        async with self.database.uow() as uow:
            purged = await uow.refresh_tokens.purge_dead_families(now)
            await uow.commit()
        return purged

    async def end_abandoned_games(self, now: datetime) -> list[int]:
        """Games still `live` whose room no store holds (its node died with the room in memory, or
        Redis lost it) end as `aborted`; games younger than the grace may be opening right now."""
        keep = set(await self.node.store.live_pins())
        async with self.database.uow() as uow:
            aborted = await uow.games.abort_live(keep, now - RECONCILE_GRACE, now)
            await uow.commit()
        if aborted:
            log.warning("ended %d abandoned game(s) as aborted: %s", len(aborted), aborted)
        return aborted

    async def daily_badges(self, now: datetime) -> list[tuple[int, int]]:
        """Recompute the recent players' streaks and the accounts' ages, and award what is due."""
        today = now.date()
        async with self.database.uow() as uow:
            badges = {badge.id: badge for badge in await uow.progress.catalogue()}
            catalogue = [(badge_id, badge.rule) for badge_id, badge in badges.items()]
            since = streak_window_start(today, [rule for _, rule in catalogue])
            users = await uow.progress.players_since(since)
            member_badges, fewest_days = member_days_needed(catalogue)
            joined = {}
            if fewest_days is not None:
                joined = await uow.progress.joined_before(now - timedelta(days=fewest_days), member_badges)
            users |= set(joined)
            if not users:
                return []
            xp = await uow.progress.xp_of(users)
            played = await uow.progress.games_played(users)
            days = await uow.progress.play_days(users, since)
            records = {
                user: record_of(
                    xp.get(user, 0), played.get(user, 0), days.get(user, set()), joined.get(user), today
                )
                for user in users
            }
            awards = badges_due(catalogue, records, await uow.progress.held_badges(users))
            await uow.progress.award(awards, None, now)
            told = await self.notifier.stage(uow, [_note(user, badges[badge]) for user, badge in awards])
            await uow.commit()
        await self.notifier.publish(told)
        return awards


def _note(user_id: int, badge: Badge) -> Note:
    return badge_earned(user_id, badge.code, badge.name, badge.description, None)
