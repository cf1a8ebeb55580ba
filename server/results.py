"""Writing a finished game to the database: the game, its players, every answer, the XP of each
account and the badges it earned, in one transaction, once.

The room hands the game to `DatabaseResultsSink`, which appends it to an outbox and drains the
outbox at once; when the database fails, the drainer retries with backoff, so an outage delays
results but never loses them. Writing is idempotent: the game row is locked and a game already
`finished` is skipped, and XP moves only with a new (user, game, reason) event, so a retry or a
second copy of the same game changes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any

import orjson

from persistence.badges import (
    CATALOGUE,
    DuelFacts,
    Facts,
    GameFacts,
    RecordFacts,
    fastest_correct,
    longest_streak_rule,
    meets,
    scored_questions,
    streak_ending,
)
from persistence.db import Database
from persistence.models import Game
from persistence.uow import UnitOfWork
from rooms.core.results import AnswerOutcome, FinishedGame, PlayerOutcome
from rooms.core.state import Receipt
from server.duels.results import DUEL, record_duel
from server.notifications.rewards import RewardNotices
from server.outbox import Backoff, MemoryOutbox, Outbox, OutboxDrainer, OutboxEntry

log = logging.getLogger(__name__)

GAME_XP_REASON = "game"


def _moment(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC)


# ---- the outbox's payload -------------------------------------------------------------------------


def encode_game(game: FinishedGame) -> dict[str, Any]:
    """A finished game as plain JSON-able data (tuples become lists). orjson walks the dataclasses
    in C: a 10,000-player game takes a third of `dataclasses.asdict`'s time, and this runs on the
    event loop before the room may send `finished`."""
    data: dict[str, Any] = orjson.loads(orjson.dumps(game))
    return data


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    # Fields a newer node added are ignored rather than refused: the spool may outlive a deploy.
    names = {f.name for f in dataclasses.fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def decode_game(data: dict[str, Any]) -> FinishedGame:
    """The inverse of `encode_game`."""
    fields = _known(FinishedGame, data)
    players = tuple(PlayerOutcome(**_known(PlayerOutcome, p)) for p in data["players"])
    answers = tuple(
        AnswerOutcome(**{**_known(AnswerOutcome, a), "receipt": Receipt(**_known(Receipt, a["receipt"]))})
        for a in data["answers"]
    )
    return FinishedGame(
        **{**fields, "players": players, "answers": answers, "voided": tuple(data.get("voided", ()))}
    )


def outbox_key(game: FinishedGame) -> str:
    return f"game:{game.game_id}"


# ---- facts for the badge rules --------------------------------------------------------------------


def account_outcomes(game: FinishedGame, known_users: set[int]) -> dict[int, PlayerOutcome]:
    """The outcome that counts for each account still on the scoreboard: one per user (an account
    seated twice in one game counts once, with its better seat); kicked players earn nothing."""
    best: dict[int, PlayerOutcome] = {}
    for outcome in game.players:
        if outcome.user_id is None or outcome.user_id not in known_users or outcome.rank is None:
            continue
        held = best.get(outcome.user_id)
        if held is None or (outcome.score, outcome.xp_gained) > (held.score, held.xp_gained):
            best[outcome.user_id] = outcome
    return best


class GameSummary:
    """What the badge rules need from the game as a whole, computed once per game."""

    def __init__(self, game: FinishedGame):
        self.scored = scored_questions(game.questions, game.voided)
        # A duel's bot is no player to beat: "Winner" and "Quick draw" are earned against people.
        ranked = {p.player_id for p in game.players if p.rank is not None and not p.bot}
        self.players = len(ranked)
        self.fastest = fastest_correct(
            (a.player_id, a.correct, a.receipt.credited_ms) for a in game.answers if a.player_id in ranked
        )
        self.correct: dict[str, set[int]] = {}
        for answer in game.answers:
            if answer.correct and answer.question in self.scored:
                self.correct.setdefault(answer.player_id, set()).add(answer.question)

    def facts_for(self, outcome: PlayerOutcome) -> GameFacts:
        return GameFacts(
            rank=outcome.rank,
            players=self.players,
            scored_questions=len(self.scored),
            correct_scored=len(self.correct.get(outcome.player_id, ())),
            fastest_correct=outcome.player_id in self.fastest,
        )


# ---- the transaction ------------------------------------------------------------------------------


class ResultsWriter:
    """Writes one finished game in one transaction, idempotently."""

    def __init__(self, database: Database, notices: RewardNotices | None = None):
        self.database = database
        self.notices = notices  # badges and levels told to the players (server/notifications)
        self._catalogue_synced = False

    async def sync_catalogue(self) -> None:
        """Brings the badge catalogue in the database in line with `persistence.badges.CATALOGUE`."""
        async with self.database.uow() as uow:
            await uow.progress.sync_catalogue(CATALOGUE)
            await uow.commit()
        self._catalogue_synced = True

    async def write(self, game: FinishedGame) -> bool:
        """True when the game was written now; False when it was already there or has no row."""
        if not self._catalogue_synced:
            await self.sync_catalogue()
        async with self.database.uow() as uow:
            row = await uow.games.for_results(game.game_id)
            if row is None:
                log.error("finished game %s has no row; results dropped", game.game_id)
                return False
            if row.status == "finished" or await uow.games.has_results(game.game_id):
                return False  # written before
            _finish(row, game)
            known = await uow.progress.existing_users(p.user_id for p in game.players if p.user_id)
            await _write_players_and_answers(uow, game, known)
            duels = await record_duel(uow, game, known) if game.kind == DUEL else {}
            await _reward(uow, game, account_outcomes(game, known), duels)
            told = await self.notices.stage(uow, game.game_id) if self.notices else []
            await uow.commit()
        if self.notices:
            await self.notices.publish(told)
        return True


def _finish(row: Game, game: FinishedGame) -> None:
    row.status = "finished"
    row.started_at = None if game.started_at_ms is None else _moment(game.started_at_ms)
    row.ended_at = _moment(game.ended_at_ms)
    row.settings = {**game.settings, "voided": list(game.voided)}


async def _write_players_and_answers(uow: UnitOfWork, game: FinishedGame, known_users: set[int]) -> None:
    seats = await uow.games.insert_players(
        [
            {
                "game_id": game.game_id,
                "player_key": p.player_id,
                # A deleted account plays on anonymously.
                "user_id": p.user_id if p.user_id in known_users else None,
                "nickname": p.nickname,
                "score": p.score,
                "rank": p.rank,
                "correct_count": p.correct_count,
            }
            for p in game.players
        ]
    )
    await uow.games.insert_answers(
        [_answer_row(game.game_id, seats[a.player_id], a) for a in game.answers if a.player_id in seats]
    )


def _answer_row(game_id: int, game_player_id: int, answer: AnswerOutcome) -> dict[str, Any]:
    return {
        "game_id": game_id,
        "game_player_id": game_player_id,
        "question_index": answer.question,
        "answer": answer.answer,
        "correct": answer.correct,
        "points": answer.points,
        "streak": answer.streak,
        "sent_ms": answer.receipt.sent,
        "received_ms": answer.receipt.received,
        "rtt_ms": answer.receipt.rtt_ms,
        "credited_ms": answer.receipt.credited_ms,
    }


async def _reward(
    uow: UnitOfWork, game: FinishedGame, accounts: dict[int, PlayerOutcome], duels: dict[int, DuelFacts]
) -> None:
    """XP events (dated when the game ended, so periods count it on the day it was played) and the
    badges each account earned with this game (`duels`: what a rated duel says of its players): a
    fixed number of queries whatever the head count."""
    if not accounts:
        return
    ended = _moment(game.ended_at_ms)
    users = list(accounts)
    grants = {user_id: outcome.xp_gained for user_id, outcome in accounts.items() if outcome.xp_gained > 0}
    if grants:
        await uow.progress.grant_xp(grants, game.game_id, GAME_XP_REASON, ended)
    catalogue = [(badge.id, badge.rule) for badge in await uow.progress.catalogue()]
    lookback = longest_streak_rule(rule for _, rule in catalogue)
    since = datetime.combine(ended.date() - timedelta(days=lookback), time(), UTC)
    xp = await uow.progress.xp_of(users)
    played = await uow.progress.games_played(users)
    days = await uow.progress.play_days(users, since)
    held = await uow.progress.held_badges(users)
    summary = GameSummary(game)
    awards: list[tuple[int, int]] = []
    for user_id, outcome in accounts.items():
        record = RecordFacts(
            xp=xp.get(user_id, 0),
            games_played=played.get(user_id, 0),
            streak_days=streak_ending(days.get(user_id, set()), ended.date()),
        )
        facts = Facts(summary.facts_for(outcome), record, duels.get(user_id))
        mine = held.get(user_id, set())
        awards += [
            (user_id, badge_id) for badge_id, rule in catalogue if badge_id not in mine and meets(rule, facts)
        ]
    await uow.progress.award(awards, game.game_id, ended)


# ---- the sink ------------------------------------------------------------------------------------


class DatabaseResultsSink:
    """The rooms' `ResultsSink`: each finished game goes to the outbox, then the outbox is drained
    (inline, so results normally appear at once; in the background, with backoff, after a failure)."""

    def __init__(
        self,
        database: Database,
        outbox: Outbox | None = None,
        backoff: Backoff | None = None,
        notices: RewardNotices | None = None,
    ):
        self.writer = ResultsWriter(database, notices)
        self.drainer = OutboxDrainer(outbox or MemoryOutbox(), self._deliver, backoff or Backoff())

    @property
    def outbox(self) -> Outbox:
        return self.drainer.outbox

    async def record(self, game: FinishedGame) -> None:
        """The rooms' call: returns once the game is durable in the outbox (before any player sees
        `finished`); the database write follows in the background."""
        try:
            await self.outbox.append(outbox_key(game), encode_game(game))
        except OSError:
            # The spool failed (a full disk): write at once rather than not at all.
            log.exception("could not spool game %s; writing it directly", game.game_id)
            await self.writer.write(game)
            return
        self.drainer.kick()

    async def game_finished(self, game: FinishedGame) -> None:
        """Record the game and write it to the database now (when the database answers)."""
        await self.record(game)
        await self.drainer.drain()

    async def _deliver(self, entry: OutboxEntry) -> None:
        await self.writer.write(decode_game(entry.payload))

    async def start(self, outbox: Outbox | None = None, idle_poll_s: float | None = None) -> None:
        """At start-up: adopt `outbox` (the node's spool) if given, bring the badge catalogue up to
        date, and drain in the background whatever the outbox still holds from before a crash."""
        if outbox is not None:
            self.drainer.outbox = outbox
        self.drainer.idle_poll_s = idle_poll_s
        try:
            await self.writer.sync_catalogue()
        except Exception:  # the database may be down at start-up: the first write tries again
            log.exception("could not bring the badge catalogue up to date")
        self.drainer.start()

    async def stop(self) -> None:
        await self.drainer.stop()
