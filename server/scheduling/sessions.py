"""Scheduled sessions: the rules (pure) and the opener that turns a due session into a live game.

A session is a row of `scheduled_games`; the opener, run every few seconds on every node, claims
each due row with a conditional UPDATE (`scheduled` -> `open`) in the same transaction that commits
the game, so a session opens once however many nodes look, and a claim that fails rolls back and
is tried again. The game opens through `server.game_opening.open_game`, like `POST /games`; the
host takes the seat with a host token derived from the secret key and the session's id, so nothing
secret is stored and the owner can be given it again at any time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from persistence.db import Database
from persistence.models import Game, Notification, ScheduledGame, User
from persistence.repositories.scheduling import FAILED
from persistence.uow import UnitOfWork
from rooms.core.settings import GameSettings
from rooms.node import RoomNode
from server.errors import Unavailable
from server.game_opening import open_game, playable_snapshot, quiz_problem
from server.notifications.kinds import game_opening
from server.notifications.notifier import Notifier
from server.quiz_views import load_quiz_document

log = logging.getLogger(__name__)

HORIZON = timedelta(days=366)  # how far ahead a session may be set
PAST_TOLERANCE = timedelta(minutes=1)  # a time just past (the form sat open) opens at once
MISSED_AFTER = timedelta(hours=1)  # no node ran for this long past the start: the session is missed
MAX_INVITEES = 200
MISSED = "missed: no server was running at its time"
DUE_BATCH = 20  # due sessions read at a time; a run goes on until none is left


def start_problem(starts_at: datetime, now: datetime) -> str | None:
    """Why a session cannot start at `starts_at`, or None."""
    if starts_at.tzinfo is None:
        return "give a time zone (e.g. 2026-12-24T18:00:00Z)"
    if starts_at < now - PAST_TOLERANCE:
        return "must not be in the past"
    if starts_at > now + HORIZON:
        return "must be within a year"
    return None


def missed(starts_at: datetime, now: datetime) -> bool:
    """Whether a session found due at `now` is too late to open (every node was down at its time):
    players are not called to a lobby hours after they were told."""
    return now - starts_at > MISSED_AFTER


def host_token_for(secret_key: str, scheduled_id: int) -> str:
    """The host token of a scheduled session's game: recomputed, never stored."""
    digest = hmac.new(secret_key.encode(), f"scheduled-host:{scheduled_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class Opened:
    """A session this node opened: its game and PIN."""

    scheduled_id: int
    game_id: int
    pin: str


class SessionOpener:
    """Opens due sessions on this node."""

    def __init__(self, database: Database, node: RoomNode, notifier: Notifier, secret_key: str):
        self.database, self.node, self.notifier, self.secret_key = database, node, notifier, secret_key

    async def open_due(self, now: datetime) -> list[Opened]:
        """Every session due at `now` that this node claims first, a batch at a time until none is
        left (a session that fails is logged, left for the next run and not retried in this one)."""
        opened: list[Opened] = []
        tried: set[int] = set()
        while True:
            async with self.database.uow() as uow:
                due = await uow.scheduled.due(now, DUE_BATCH, exclude=tried)
            if not due:
                return opened
            for scheduled_id in due:
                tried.add(scheduled_id)
                try:
                    result = await self.open_one(scheduled_id, now)
                except Unavailable:  # this node is draining: another node (or the restart) opens it
                    return opened
                except Exception:
                    log.exception(
                        "scheduled session %s did not open; trying again on the next run", scheduled_id
                    )
                    continue
                if result is not None:
                    opened.append(result)

    async def open_one(self, scheduled_id: int, now: datetime) -> Opened | None:
        """Claim and open one session; None when another node had it, or it failed for good."""
        told: list[Notification] = []
        async with self.database.uow() as uow:
            session = await uow.scheduled.claim(scheduled_id, self.node.node_id, now)
            if session is None:
                return None
            host = await uow.users.get(session.host_id)
            document = None if session.quiz_id is None else await load_quiz_document(uow, session.quiz_id)
            problem = MISSED if missed(session.starts_at, now) else quiz_problem(document, host)
            if problem is not None or host is None or document is None:
                session.state, session.failure = FAILED, problem
                await uow.commit()
                log.warning("scheduled session %s failed: %s", scheduled_id, problem)
                return None
            row = Game(
                kind="quiz",
                quiz_id=session.quiz_id,
                host_id=host.id,
                settings=GameSettings(**session.settings).as_dict(),  # every setting, as POST /games
                quiz_snapshot=playable_snapshot(document),
            )

            async def with_game(game: Game) -> None:
                session.game_id, session.pin = game.id, game.pin
                told.extend(await self._stage_invitations(uow, session, host, game.pin))

            game = await open_game(
                uow, self.node, row, host_token_for(self.secret_key, session.id), with_game
            )
        await self.notifier.publish(told)
        return Opened(scheduled_id, game.id, game.pin)

    async def _stage_invitations(
        self, uow: UnitOfWork, session: ScheduledGame, host: User, pin: str
    ) -> list[Notification]:
        invited = (await uow.scheduled.invitees([session.id]))[session.id]
        notes = [
            game_opening(user.id, session.id, session.title, host.username, pin, session.starts_at, False)
            for user in invited
        ]
        notes.append(
            game_opening(host.id, session.id, session.title, host.username, pin, session.starts_at, True)
        )
        return await self.notifier.stage(uow, notes)
