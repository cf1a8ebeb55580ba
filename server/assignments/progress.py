"""An assignment's progress from its players' attempts, and whether a player may start one: pure
functions over plain values (the clock is passed in)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from persistence.repositories.assignments import AttemptRecord
from rooms.core.ranking import rank

Status = Literal["not_started", "in_progress", "finished"]


def status_of(attempt: AttemptRecord) -> Status:
    """`finished` once their game's results hold their seat; `in_progress` while their room is live.
    An attempt whose room ended without them (never joined, or aborted) counts as not started."""
    if attempt.score is not None:
        return "finished"
    if attempt.game_status == "live":
        return "in_progress"
    return "not_started"


@dataclass(frozen=True, slots=True)
class PlayerProgress:
    """One player's line: their attempt, its status and their rank among those who finished."""

    attempt: AttemptRecord
    status: Status
    rank: int | None


@dataclass(frozen=True, slots=True)
class Progress:
    """Who was given the assignment, who started and who finished it, and the finishers' average."""

    players: list[PlayerProgress]
    given: int
    started: int
    finished: int
    average_score: float | None

    def of(self, user_id: int) -> PlayerProgress | None:
        return next((line for line in self.players if line.attempt.user_id == user_id), None)


def progress(attempts: Sequence[AttemptRecord]) -> Progress:
    """Finishers are ranked as in a game: by score, then by less credited time; equals share a rank."""
    statuses = [status_of(attempt) for attempt in attempts]
    finished = [a for a, s in zip(attempts, statuses, strict=True) if s == "finished"]
    ranks = {
        int(standing.player_id): standing.rank
        for standing in rank((str(a.user_id), a.score or 0, a.credited_ms) for a in finished)
    }
    players = [
        PlayerProgress(attempt, status, ranks.get(attempt.user_id))
        for attempt, status in zip(attempts, statuses, strict=True)
    ]
    scores = [a.score or 0 for a in finished]
    return Progress(
        players=players,
        given=len(attempts),
        started=sum(1 for s in statuses if s != "not_started"),
        finished=len(finished),
        average_score=sum(scores) / len(scores) if scores else None,
    )


class Start(StrEnum):
    """What `POST /assignments/code/{code}/attempts` does for a player."""

    NEW = "new"  # open a fresh room
    RESUME = "resume"  # their attempt's room is still live: go back to it (also past the due date)
    DONE = "done"  # one attempt per player, and theirs is finished
    PAST_DUE = "past_due"  # no new attempts after the due date


def start_decision(attempt: AttemptRecord | None, due_at: datetime, now: datetime) -> Start:
    status = "not_started" if attempt is None else status_of(attempt)
    if status == "in_progress":
        return Start.RESUME
    if status == "finished":
        return Start.DONE
    if now >= due_at:
        return Start.PAST_DUE
    return Start.NEW
