"""Analytics on 100,000 answers: the figures agree with a count of the raw rows, and every query
reaches the answers, seats and games through an index (SQLite's plans, with the migrations' schema)."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from datetime import date

from bench.analytics import SEATS, WINDOW, seed, seed_rows
from persistence.db import Database
from persistence.repositories.analytics import host_scope, quiz_scope
from server.analytics.service import question_report
from tests.test_leaderboards import Plans, migrated  # noqa: F401 - the fixture


def unindexed(plan: str) -> list[str]:
    """Plan lines that read a whole table of the big three without an index."""
    return [
        line
        for line in plan.splitlines()
        if re.match(r"SCAN (answers|game_players|games|xp_events)\b", line) and "INDEX" not in line
    ]


async def test_analytics_on_100000_answers_are_right_and_use_indexes(migrated: Database) -> None:  # noqa: F811
    rows = seed_rows(random.Random(13))
    await seed(migrated, rows)
    in_range = {g["id"] for g in rows["games"] if WINDOW.start <= g["ended_at"] < WINDOW.end}
    quiz_games = {g["id"] for g in rows["games"] if g["quiz_id"] == 1 and g["id"] in in_range}

    with Plans(migrated) as plans:
        async with migrated.uow() as uow:
            found = await question_report(uow, quiz_scope(1, WINDOW))
    plan = await plans.explain()
    assert unindexed(plan) == [], plan
    assert "COVERING INDEX ix_answers_game_question_stats" in plan and "ix_games_quiz_id_ended_at" in plan
    assert {g.id for g in found.games} == quiz_games
    stats = {s["index"]: s for s in found.stats}
    mine = [a for a in rows["answers"] if a["game_id"] in quiz_games]
    for q in (0, 7):
        given = [a for a in mine if a["question_index"] == q]
        assert stats[q]["attempts"] == len(given)
        assert stats[q]["correct"] == sum(a["correct"] for a in given)
        picks = Counter(a["answer"].rsplit("o", 1)[1] for a in given)
        assert [(o["label"], o["count"]) for o in stats[q]["distribution"]] == [
            (f"option {o}", picks[str(o)]) for o in range(4)
        ]
        times = sorted(a["credited_ms"] for a in given)
        middle = (times[(len(times) - 1) // 2] + times[len(times) // 2]) / 2
        assert abs(stats[q]["median_ms"] - middle) <= 50

    user = 17
    with Plans(migrated) as plans:
        async with migrated.uow() as uow:
            seats = await uow.analytics.seats(user, WINDOW)
            await uow.analytics.snapshots({s.game_id for s in seats})
            mine_q = await uow.analytics.player_questions(user, WINDOW)
            await uow.analytics.tags({s.quiz_id for s in seats if s.quiz_id})
            xp = await uow.analytics.xp_by_day(user, WINDOW)
    plan = await plans.explain()
    assert unindexed(plan) == [], plan
    assert "COVERING INDEX ix_xp_events_user_id_created_at (user_id=? AND created_at>?" in plan
    seat_ids = {s["id"] for s in rows["seats"] if s["user_id"] == user and s["game_id"] in in_range}
    assert sum(r.attempts for r in mine_q) == sum(
        1 for a in rows["answers"] if a["game_player_id"] in seat_ids
    )
    per_day: dict[date, int] = defaultdict(int)
    for e in rows["events"]:
        if e["user_id"] == user and WINDOW.start <= e["created_at"] < WINDOW.end:
            per_day[e["created_at"].date()] += e["amount"]
    assert xp == sorted(per_day.items())

    with Plans(migrated) as plans:
        async with migrated.uow() as uow:
            hosted = await uow.analytics.games(host_scope(3, WINDOW))
    plan = await plans.explain()
    assert unindexed(plan) == [], plan
    assert "ix_games_host_id_ended_at (host_id=? AND ended_at>?" in plan
    assert {g.id for g in hosted} == {
        g["id"] for g in rows["games"] if g["host_id"] == 3 and g["id"] in in_range
    }
    assert sum(g.seats for g in hosted) == SEATS * len(hosted)
