"""The pure rules of assignments: an attempt's status, the progress and ranks of an assignment, and
whether a player may start (one attempt, none after the due date, an attempt under way comes back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from persistence.repositories.assignments import AttemptRecord
from server.assignments.progress import Start, progress, start_decision, status_of

OPENED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
DUE = OPENED + timedelta(days=2)


def attempt(user_id: int, status: str | None = None, score: int | None = None, ms: int = 0) -> AttemptRecord:
    """`status` is the game's (None: no game yet); `score` their seat's, once written."""
    return AttemptRecord(
        assignment_id=1,
        user_id=user_id,
        username=f"user{user_id}",
        opened_at=OPENED,
        started_at=None if status is None else OPENED,
        game_id=None if status is None else 100 + user_id,
        game_status=status,
        score=score,
        correct_count=0 if score is None else 2,
        credited_ms=ms,
    )


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (attempt(1), "not_started"),
        (attempt(1, "live"), "in_progress"),
        (attempt(1, "live", 0), "finished"),  # a seat is written only with a finished game
        (attempt(1, "finished", 900), "finished"),
        (attempt(1, "finished"), "not_started"),  # the room ended before they sat down
        (attempt(1, "aborted"), "not_started"),
    ],
)
def test_the_status_of_an_attempt(record: AttemptRecord, expected: str) -> None:
    assert status_of(record) == expected


def test_progress_ranks_finishers_by_score_then_time_and_averages_them() -> None:
    state = progress(
        [
            attempt(1, "finished", 1800, ms=3000),
            attempt(2, "finished", 2400, ms=5000),
            attempt(3, "finished", 1800, ms=2000),
            attempt(4, "finished", 1800, ms=2000),
            attempt(5, "live"),
            attempt(6),
        ]
    )
    assert [(line.attempt.user_id, line.status, line.rank) for line in state.players] == [
        (1, "finished", 4),
        (2, "finished", 1),
        (3, "finished", 2),
        (4, "finished", 2),
        (5, "in_progress", None),
        (6, "not_started", None),
    ]
    assert (state.given, state.started, state.finished) == (6, 5, 4)
    assert state.average_score == (1800 * 3 + 2400) / 4
    assert state.of(5) is not None and state.of(99) is None


def test_nobody_finished_has_no_average() -> None:
    assert progress([]).average_score is None
    assert progress([attempt(1, "live")]).average_score is None


@pytest.mark.parametrize(
    ("record", "now", "expected"),
    [
        (None, OPENED, Start.NEW),
        (attempt(1), DUE - timedelta(seconds=1), Start.NEW),
        (attempt(1), DUE, Start.PAST_DUE),
        (None, DUE + timedelta(days=1), Start.PAST_DUE),
        (attempt(1, "live"), OPENED, Start.RESUME),
        (attempt(1, "live"), DUE + timedelta(hours=1), Start.RESUME),  # an open attempt plays to its end
        (attempt(1, "finished", 500), OPENED, Start.DONE),
        (attempt(1, "finished", 500), DUE + timedelta(hours=1), Start.DONE),
        (attempt(1, "aborted"), OPENED, Start.NEW),  # a room that ended without them: start again
    ],
)
def test_whether_a_player_may_start(record: AttemptRecord | None, now: datetime, expected: Start) -> None:
    assert start_decision(record, DUE, now) is expected
