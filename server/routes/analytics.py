"""Analytics REST area: a quiz's games and per-question item analysis (for its owner or an admin),
a player's record (for themself or an admin) and a host's games (for that host or an admin), each
over a range of UTC days, as JSON or one table of it as CSV."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from persistence.models import Game, User
from persistence.repositories.analytics import game_scope, host_scope, quiz_scope
from persistence.repositories.games import GameResults
from persistence.uow import UnitOfWork
from server.analytics import reports
from server.analytics.integrity import (
    FAST_MS,
    JOIN_BURSTS_NOTE,
    PAIR_GAP_MS,
    PAIR_MAX_PLAYERS,
    PAIR_MIN_SHARED,
    PAIR_SHARE,
    TimedAnswer,
    fast_answers,
    similar_pairs,
)
from server.analytics.schemas import (
    GameAnalytics,
    GameIntegrity,
    GameQuery,
    HostAnalytics,
    HostRangeQuery,
    PlayerAnalytics,
    PlayerRangeQuery,
    QuizAnalytics,
    QuizRangeQuery,
    RangeQuery,
    window_of,
)
from server.analytics.service import question_report
from server.analytics.tables import to_csv
from server.api import Api
from server.auth import is_admin, require_user
from server.errors import Forbidden, NotFound
from server.paging import path_id

api = Api("analytics")
CSV = {"text/csv": "with format=csv: the table named by `table`, with a header row"}


def _today() -> date:
    return datetime.now(UTC).date()


def _answer(
    model: type[BaseModel], report: dict[str, Any], query: RangeQuery | GameQuery, table: str, name: str
) -> Any:
    """The report as JSON (checked against its model), or one of its tables as CSV."""
    if query.format == "csv":
        span = f"-{report['from']}-{report['to']}" if "from" in report else ""
        filename = f"{name}-{table.split('.')[1]}{span}.csv"
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
        found = await question_report(uow, quiz_scope(quiz_id, window))
    report = {
        "quiz": {"id": quiz_id, "name": title},
        "from": first,
        "to": last,
        "summary": found.summary(),
        "days": reports.days_of(found.games),
        "questions": found.stats,
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
        games = await uow.analytics.games(host_scope(user.id, window))
        ref = {"id": user.id, "name": user.username}
    report = {"user": ref, "from": first, "to": last, **reports.host_report(games)}
    return _answer(HostAnalytics, report, query, f"host.{query.table}", f"host-{ref['id']}")


# ---- one game -------------------------------------------------------------------------------------


async def _hosted(request: Request, uow: UnitOfWork, caller: User) -> Game:
    """The game of the path, when the caller hosted it or is an admin."""
    game_id = path_id(request, "No such game")
    game = await uow.games.get(game_id)
    if game is None:
        raise NotFound("No such game")
    if game.host_id != caller.id and not is_admin(caller):
        raise Forbidden("Only the game's host or an admin may see this")
    return game


@api.get(
    "/analytics/games/{id:int}",
    "One game's questions: accuracy, response times, answer distribution and item analysis",
    query=GameQuery,
    response=GameAnalytics,
    auth=True,
    errors=(403,),
    alternatives=CSV,
)
async def game_analytics(request: Request, query: GameQuery) -> Any:
    """For the game's host or an admin: what `GET /analytics/quizzes/{id}` says of each question,
    over this game alone. Empty, with `complete` false, until the game's results are written."""
    caller = await require_user(request)
    async with request.app.state.db.uow() as uow:
        game = await _hosted(request, uow, caller)
        game_id, title = game.id, game.quiz_snapshot.get("title", "")
        found = await question_report(uow, game_scope(game_id))
    report = {
        "game": {"id": game_id, "name": title},
        "complete": bool(found.games),
        "summary": found.summary(),
        "questions": found.stats,
    }
    return _answer(GameAnalytics, report, query, f"quiz.{query.table}", f"game-{game_id}")


def _timed_answers(results: GameResults, ranked: dict[int, str]) -> list[TimedAnswer]:
    """The ranked players' answers to questions with a right answer (polls are everyone's choice)."""
    questions = results.game.quiz_snapshot.get("questions", [])
    graded = {i for i, q in enumerate(questions) if q.get("kind") != "poll"}
    return [
        TimedAnswer(
            ranked[a.game_player_id],
            a.question_index,
            json.dumps(a.answer, sort_keys=True),
            a.correct,
            a.sent_ms,
            a.received_ms,
            a.rtt_ms,
        )
        for a in results.answers
        if a.game_player_id in ranked and a.question_index in graded
    ]


@api.get(
    "/games/{id:int}/integrity",
    "Integrity hints for a game's host: answers faster than anyone reads, near-identical pairs",
    response=GameIntegrity,
    auth=True,
    errors=(403,),
)
async def game_integrity(request: Request) -> Any:
    """For the game's host or an admin. Hints only: nothing here bans anyone or changes a score.
    A fast answer came under 250 ms after the question reached the player (receipt: received -
    sent - round trip). A similar pair gave the same answer within 300 ms of each other on at least
    4 questions and 90% of those both answered (polls left out). Bursts of joins from one address
    are not checked: join addresses are not recorded."""
    caller = await require_user(request)
    async with request.app.state.db.uow() as uow:
        await _hosted(request, uow, caller)
        results = await uow.games.results(path_id(request, "No such game"))
        uow.session.expunge_all()
    if results is None:  # deleted between the two reads
        raise NotFound("No such game")
    ranked = {p.id: p.player_key for p in results.players if p.rank is not None}
    nicknames = {p.player_key: p.nickname for p in results.players}
    answers = _timed_answers(results, ranked)
    fast = fast_answers(answers)
    answered = Counter(a.player for a in answers)
    per_player = Counter(f.player for f in fast)
    check_pairs = len(ranked) <= PAIR_MAX_PLAYERS
    pairs = similar_pairs(answers) if check_pairs else []
    notes = [JOIN_BURSTS_NOTE]
    if not check_pairs:
        notes.append(f"pairs are not checked in games of more than {PAIR_MAX_PLAYERS} players")

    def who(key: str) -> dict[str, str]:
        return {"player": key, "nickname": nicknames.get(key, "")}

    report = {
        "game_id": results.game.id,
        "complete": results.complete,
        "thresholds": {
            "fast_ms": FAST_MS,
            "pair_gap_ms": PAIR_GAP_MS,
            "pair_share": PAIR_SHARE,
            "pair_min_questions": PAIR_MIN_SHARED,
            "pair_max_players": PAIR_MAX_PLAYERS,
        },
        "fast_answers": [
            {**who(f.player), "question": f.question, "reaction_ms": f.reaction_ms} for f in fast
        ],
        "fast_players": [
            {**who(player), "count": n, "answered": answered[player]}
            for player, n in sorted(per_player.items(), key=lambda item: (-item[1], nicknames[item[0]]))
        ],
        "similar_pairs": [
            {
                "players": sorted([who(p.first), who(p.second)], key=lambda w: (w["nickname"], w["player"])),
                "shared": p.shared,
                "matching": p.matching,
                "identical_wrong": p.identical_wrong,
                "median_gap_ms": p.median_gap_ms,
            }
            for p in pairs
        ],
        "pairs_checked": check_pairs,
        "join_bursts_checked": False,
        "notes": notes,
    }
    return GameIntegrity.model_validate(report).model_dump(mode="json")
