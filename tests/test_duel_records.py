"""Finished duels in the results transaction: Elo ratings and records of rated duels, each account's
history, the duel badges, and what bot and guest duels leave alone (on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import select

from persistence.db import Database
from persistence.models import DuelRating, DuelResult
from persistence.ratings import DuelRecord
from rooms.core.results import FinishedGame, PlayerOutcome
from server.results import ResultsWriter
from tests.gamedata import T0, all_answers, badges_of, count, finished, make_game, make_user, seat, xp_of


def duel(
    game_id: int,
    first: PlayerOutcome,
    second: PlayerOutcome,
    winner: str | None,
    minutes: int = 0,
) -> FinishedGame:
    """A duel between two seats that `winner` (a player id, None for a draw) won."""
    game = finished(
        game_id,
        [first, second],
        all_answers(first.player_id, winner == first.player_id),
        ended_at=T0 + timedelta(minutes=minutes),
    )
    return dataclasses.replace(game, kind="duel", winner=winner)


def person(player_id: str, user_id: int | None, score: int, rank: int, xp: int = 40) -> PlayerOutcome:
    return seat(player_id, user_id, score, rank, xp=xp)


def bot(score: int, rank: int) -> PlayerOutcome:
    return dataclasses.replace(seat("bot", None, score, rank), nickname="Bot", bot=True)


async def play(db: Database, game: FinishedGame) -> bool:
    return await ResultsWriter(db).write(game)


async def new_duel(db: Database) -> int:
    return await make_game(db, kind="duel")


async def record(db: Database, user_id: int) -> DuelRecord:
    async with db.uow() as uow:
        return await uow.duels.record_of(user_id)


async def history(db: Database, user_id: int) -> list[DuelResult]:
    async with db.uow() as uow:
        rows, _ = await uow.duels.history(user_id, 100, 0)
        uow.session.expunge_all()  # readable after the unit of work ends
        return [result for result, _ in rows]


async def test_a_rated_duel_moves_both_ratings_once(db: Database) -> None:
    alice, bob = await make_user(db, "alice"), await make_user(db, "bob")
    game = duel(await new_duel(db), person("al", alice, 3_000, 1), person("bo", bob, 1_000, 2), "al")
    assert await play(db, game)
    assert await record(db, alice) == DuelRecord(rating=1216, won=1, streak=1, best_streak=1)
    assert await record(db, bob) == DuelRecord(rating=1184, lost=1)
    [mine] = await history(db, alice)
    assert (mine.outcome, mine.score, mine.opponent_score, mine.opponent_nickname) == (
        "won",
        3_000,
        1_000,
        "Bo",
    )
    assert (mine.opponent_user_id, mine.opponent_bot, mine.rating_before, mine.rating_after) == (
        bob,
        False,
        1200,
        1216,
    )
    assert mine.played_at == T0
    assert "first_duel_win" in await badges_of(db, alice)
    assert "first_duel_win" not in await badges_of(db, bob)
    assert await xp_of(db, alice) == 40  # what the room promised

    assert not await play(db, game)  # a retry changes nothing
    assert await record(db, alice) == DuelRecord(rating=1216, won=1, streak=1, best_streak=1)
    assert await count(db, DuelResult) == 2 and await xp_of(db, alice) == 40


async def test_a_draw_leaves_equal_ratings_and_ends_a_streak(db: Database) -> None:
    alice, bob = await make_user(db, "alice"), await make_user(db, "bob")
    await play(db, duel(await new_duel(db), person("al", alice, 900, 1), person("bo", bob, 100, 2), "al"))
    await play(db, duel(await new_duel(db), person("al", alice, 500, 1), person("bo", bob, 500, 1), None, 5))
    assert await record(db, alice) == DuelRecord(rating=1215, won=1, drawn=1, streak=0, best_streak=1)
    assert await record(db, bob) == DuelRecord(rating=1185, lost=1, drawn=1)
    assert [r.outcome for r in await history(db, bob)] == ["drawn", "lost"]  # newest first


async def test_five_wins_in_a_row_and_an_upset_earn_their_badges(db: Database) -> None:
    alice, bob = await make_user(db, "alice"), await make_user(db, "bob")
    async with db.uow() as uow:  # bob starts higher: alice's first win is an upset
        uow.session.add(
            DuelRating(user_id=bob, rating=1300, wins=0, losses=0, draws=0, streak=0, best_streak=0)
        )
        await uow.commit()
    for n in range(4):
        await play(
            db, duel(await new_duel(db), person("al", alice, 900, 1), person("bo", bob, 0, 2), "al", n)
        )
        assert "duel_streak_5" not in await badges_of(db, alice)
    assert {"first_duel_win", "duel_upset"} <= set(await badges_of(db, alice))
    await play(db, duel(await new_duel(db), person("bo", bob, 0, 2), person("al", alice, 900, 1), "al", 9))
    assert "duel_streak_5" in await badges_of(db, alice)
    assert (await record(db, alice)).streak == 5
    assert not set(await badges_of(db, bob)) & {"first_duel_win", "duel_streak_5", "duel_upset"}


async def test_a_bot_duel_is_history_and_xp_but_no_rating_or_duel_badge(db: Database) -> None:
    alice = await make_user(db, "alice")
    await play(db, duel(await new_duel(db), person("al", alice, 2_000, 1, xp=25), bot(500, 2), "al"))
    [mine] = await history(db, alice)
    assert (mine.opponent_bot, mine.opponent_nickname, mine.opponent_user_id) == (True, "Bot", None)
    assert (mine.outcome, mine.rating_before, mine.rating_after) == ("won", None, None)
    assert await count(db, DuelRating) == 0 and await record(db, alice) == DuelRecord()
    assert await xp_of(db, alice) == 25  # the reduced XP the room promised for a bot duel
    badges = await badges_of(db, alice)
    assert "first_game" in badges  # it counts as a game played
    assert not set(badges) & {"first_duel_win", "winner"}  # a bot is no one to beat: as if alone


async def test_guests_and_a_players_second_seat_are_not_rated(db: Database) -> None:
    alice = await make_user(db, "alice")
    await play(db, duel(await new_duel(db), person("al", alice, 900, 1), person("gu", None, 100, 2), "al"))
    await play(
        db, duel(await new_duel(db), person("a1", alice, 900, 1), person("a2", alice, 100, 2), "a1", 5)
    )
    assert await count(db, DuelRating) == 0
    results = await history(db, alice)
    assert len(results) == 2 and all(r.rating_after is None for r in results)
    assert [r.outcome for r in results] == ["won", "won"]  # the second seat is not a second duel


async def test_a_forfeit_is_recorded_on_both_sides(db: Database) -> None:
    alice, bob = await make_user(db, "alice"), await make_user(db, "bob")
    quitter = dataclasses.replace(person("bo", bob, 1_500, 1), forfeited=True)
    await play(db, duel(await new_duel(db), person("al", alice, 900, 2), quitter, "al"))
    [mine], [theirs] = await history(db, alice), await history(db, bob)
    assert (mine.outcome, mine.forfeited, mine.opponent_forfeited) == ("won", False, True)
    assert (theirs.outcome, theirs.forfeited, theirs.opponent_forfeited) == ("lost", True, False)


async def test_a_deleted_account_plays_on_as_a_guest(db: Database) -> None:
    alice = await make_user(db, "alice")
    game = duel(await new_duel(db), person("al", alice, 900, 1), person("gh", 424242, 100, 2), "al")
    await play(db, game)
    [mine] = await history(db, alice)
    assert mine.opponent_user_id is None and mine.rating_after is None
    async with db.uow() as uow:
        assert (await uow.session.scalars(select(DuelResult.user_id))).all() == [alice]


async def test_a_duel_both_players_walked_out_of_is_not_rated(db: Database) -> None:
    alice, bob = await make_user(db, "alice"), await make_user(db, "bob")
    gone = [
        dataclasses.replace(person(key, user, 0, 1), forfeited=True)
        for key, user in (("al", alice), ("bo", bob))
    ]
    await play(db, duel(await new_duel(db), gone[0], gone[1], None))
    assert await count(db, DuelRating) == 0
    assert [(r.outcome, r.forfeited, r.rating_after) for r in await history(db, alice)] == [
        ("drawn", True, None)
    ]
