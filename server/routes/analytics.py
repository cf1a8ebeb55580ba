"""Analytics REST area: a quiz's games and per-question item analysis (for its owner or an admin),
a player's record (for themself or an admin) and a host's games (for that host or an admin), each
over a range of UTC days, as JSON or one table of it as CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from persistence.models import User
from persistence.uow import UnitOfWork
from server.analytics import reports
from server.analytics.schemas import (
    HostAnalytics,
    HostRangeQuery,
    PlayerAnalytics,
    PlayerRangeQuery,
    QuizAnalytics,
    QuizRangeQuery,
    RangeQuery,
    window_of,
)
from server.analytics.tables import to_csv
from server.api import Api
from server.auth import is_admin, require_user
from server.errors import Forbidden, NotFound
from server.paging import path_id

api = Api("analytics")
CSV = {"text/csv": "with format=csv: the table named by `table`, with a header row"}


def _today() -> date:
    return datetime.now(UTC).date()


def _answer(model: type[BaseModel], report: dict[str, Any], query: RangeQuery, table: str, name: str) -> Any:
    """The report as JSON (checked against its model), or one of its tables as CSV."""
    if query.format == "csv":
        first, last = report["from"], report["to"]
        filename = f"{name}-{table.split('.')[1]}-{first}-{last}.csv"
        return Response(
            to_csv(report, table),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return model.model_validate(report).model_dump(mode="json", by_alias=True)


async def _person(request: Request, uow: UnitOfWork, caller: User, what: str) -> User:
    """The user of the path, when the caller is that user or an admin."""
    user_id = path_id(request, "No such user")
    if caller.id != user_id and not is_admin(caller):
        raise Forbidden(f"Only the {what} themself or an admin may see this")
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound("No such user")
    return user


@api.get(
    "/analytics/quizzes/{id:int}",
    "A quiz's games, players and scores, and each question's item analysis, over a range of days",
    query=QuizRangeQuery,
    response=QuizAnalytics,
    auth=True,
    errors=(403,),
    alternatives=CSV,
)
async def quiz_analytics(request: Request, query: QuizRangeQuery) -> Any:
    """For the quiz's owner or an admin (a published quiz is 403 to others, a draft 404). Counts
    the quiz's finished games that ended in the range; kicked players count nowhere. Each question
    is summed over every game that played it with the same index, kind and text; `questions` come
    hardest first."""
    caller = await require_user(request)
    quiz_id = path_id(request, "No such quiz")
    first, last = query.days(_today())
    window = window_of(first, last)
    async with request.app.state.db.uow() as uow:
        quiz = await uow.quizzes.get(quiz_id)
        if quiz is None or not (quiz.published or quiz.owner_id == caller.id or is_admin(caller)):
            raise NotFound("No such quiz")
        if quiz.owner_id != caller.id and not is_admin(caller):
            raise Forbidden("Only the quiz's owner or an admin may see its analytics")
        title = quiz.title
        games = await uow.analytics.games(window, quiz_id=quiz_id)
        snapshots = await uow.analytics.snapshots([g.id for g in games])
        questions = await uow.analytics.questions(quiz_id, window)
        groups = await uow.analytics.answer_groups(quiz_id, window)
        shapes = reports.versions(games, snapshots)
        histograms = {
            version: await uow.analytics.time_histograms(quiz_id, window, ids if len(shapes) > 1 else None)
            for version, ids in shapes.items()
        }
    report = {
        "quiz": {"id": quiz_id, "name": title},
        "from": first,
        "to": last,
        "summary": reports.quiz_summary(games, snapshots, questions),
        "days": reports.days_of(games),
        "questions": reports.quiz_questions(games, snapshots, questions, groups, histograms),
    }
    return _answer(QuizAnalytics, report, query, f"quiz.{query.table}", f"quiz-{quiz_id}")


@api.get(
    "/analytics/players/{id:int}",
    "A player's games, accuracy, response time, XP per day and strongest and weakest tags",
    query=PlayerRangeQuery,
    response=PlayerAnalytics,
    auth=True,
    errors=(403,),
    alternatives=CSV,
)
async def player_analytics(request: Request, query: PlayerRangeQuery) -> Any:
    """For that player (signed in) or an admin. Accuracy and response time count answers to scored
    questions (polls and voided questions left out); tags are the quizzes' current tags."""
    caller = await require_user(request)
    first, last = query.days(_today())
    window = window_of(first, last)
    async with request.app.state.db.uow() as uow:
        user = await _person(request, uow, caller, "player")
        seats = await uow.analytics.seats(user.id, window)
        snapshots = await uow.analytics.snapshots({s.game_id for s in seats})
        questions = await uow.analytics.player_questions(user.id, window)
        tags = await uow.analytics.tags({s.quiz_id for s in seats if s.quiz_id is not None})
        xp = await uow.analytics.xp_by_day(user.id, window)
        ref = {"id": user.id, "name": user.username}
    report = {
        "user": ref,
        "from": first,
        "to": last,
        **reports.player_report(seats, snapshots, questions, tags, xp),
    }
    return _answer(PlayerAnalytics, report, query, f"player.{query.table}", f"player-{ref['id']}")


@api.get(
    "/analytics/hosts/{id:int}",
    "A host's games over a range of days: per day, per quiz and each game",
    query=HostRangeQuery,
    response=HostAnalytics,
    auth=True,
    errors=(403,),
    alternatives=CSV,
)
async def host_analytics(request: Request, query: HostRangeQuery) -> Any:
    """For that host (signed in) or an admin: the finished games they hosted that ended in the range."""
    caller = await require_user(request)
    first, last = query.days(_today())
    window = window_of(first, last)
    async with request.app.state.db.uow() as uow:
        user = await _person(request, uow, caller, "host")
        games = await uow.analytics.games(window, host_id=user.id)
        ref = {"id": user.id, "name": user.username}
    report = {"user": ref, "from": first, "to": last, **reports.host_report(games)}
    return _answer(HostAnalytics, report, query, f"host.{query.table}", f"host-{ref['id']}")
