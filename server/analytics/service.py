"""Reading a report's aggregates in one unit of work: the SQL side of each analytics report, ready
for the pure functions of `reports.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from persistence.repositories.analytics import GameRow, QuestionRow, Scope
from persistence.uow import UnitOfWork
from server.analytics import reports


@dataclass(frozen=True, slots=True)
class QuestionReport:
    """A scope's games, the snapshots they played, their per-question rows, and the statistics of
    each question (hardest first)."""

    games: list[GameRow]
    snapshots: dict[int, reports.Snapshot]
    questions: list[QuestionRow]
    stats: list[dict[str, Any]]

    def summary(self) -> dict[str, Any]:
        return reports.quiz_summary(self.games, self.snapshots, self.questions)


async def question_report(uow: UnitOfWork, scope: Scope) -> QuestionReport:
    """Every question of the games in `scope`, summed over the games that played it."""
    games = await uow.analytics.games(scope)
    snapshots = await uow.analytics.snapshots([g.id for g in games])
    questions = await uow.analytics.questions(scope)
    groups = await uow.analytics.answer_groups(scope)
    shapes = reports.versions(games, snapshots)
    # One histogram query for the common case of a quiz played as one version; one per version else.
    histograms = {
        version: await uow.analytics.time_histograms(scope, ids if len(shapes) > 1 else None)
        for version, ids in shapes.items()
    }
    stats = reports.quiz_questions(games, snapshots, questions, groups, histograms)
    return QuestionReport(games, snapshots, questions, stats)
