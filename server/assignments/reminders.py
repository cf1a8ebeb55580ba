"""`assignment_due` notifications: a day before an assignment is due, every player who was given it
(opened its link signed in) and has not finished it is told, once. A scheduled job (every node
runs it; the job lock lets one through) finds the assignments due within the next day that have not
been reminded; the choice of who is pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

from persistence.db import Database
from persistence.models import Assignment
from persistence.repositories.assignments import AttemptRecord
from server.assignments.progress import status_of
from server.notifications.kinds import ASSIGNMENT_DUE, Note
from server.notifications.notifier import Notifier
from server.scheduling.scheduler import Job

DUE_SOON = timedelta(hours=24)  # how long before the due date players are reminded
EVERY = timedelta(minutes=5)  # how often the job looks; a reminder is at most this late
JOB_NAME = "remind_assignments"


def due_soon(now: datetime) -> tuple[datetime, datetime]:
    """The due dates whose reminders are due at `now`: from now (a passed due date needs none) to a
    day ahead."""
    return now, now + DUE_SOON


def reminders(assignment: Assignment, attempts: Sequence[AttemptRecord]) -> list[Note]:
    """One note per player given the assignment who has not finished it (started or not)."""
    due = assignment.due_at.astimezone(UTC)
    data = {
        "assignment_id": assignment.id,
        "title": assignment.title,
        "code": assignment.code,
        "due_at": due.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": f"/play?assignment={assignment.code}",
    }
    when = due.strftime("%Y-%m-%d %H:%M")
    text = f"“{assignment.title}” is due {when} UTC and you have not finished it yet."
    return [
        Note(attempt.user_id, ASSIGNMENT_DUE, text, data, key=f"assignment_due:{assignment.id}")
        for attempt in attempts
        if attempt.assignment_id == assignment.id and status_of(attempt) != "finished"
    ]


class AssignmentReminders:
    """The job's I/O: find what is due soon, store the notes with `reminded_at` in one transaction,
    then push them. Running twice (a retry, another node) adds nothing: `reminded_at` is set and each
    note's key is once per user."""

    def __init__(self, database: Database, notifier: Notifier):
        self.database, self.notifier = database, notifier

    async def remind(self, now: datetime) -> int:
        """How many players were reminded."""
        async with self.database.uow() as uow:
            due = await uow.assignments.due_between(*due_soon(now))
            if not due:
                return 0
            attempts = await uow.assignments.attempts([assignment.id for assignment in due])
            notes = [note for assignment in due for note in reminders(assignment, attempts)]
            rows = await self.notifier.stage(uow, notes)
            for assignment in due:
                assignment.reminded_at = now
            await uow.commit()
        await self.notifier.publish(rows)
        return len(rows)


def reminder_job(database: Database, notifier: Notifier) -> Job:
    """The scheduler's job for the reminders, every five minutes."""
    work = AssignmentReminders(database, notifier).remind
    seconds = EVERY.total_seconds()
    return Job(JOB_NAME, IntervalTrigger(seconds=seconds), work, lock_ms=int(seconds * 1000))
