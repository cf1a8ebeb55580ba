"""Assignments REST area: a host gives out a quiz with a due date and a link; each player who opens
the link signed in is given it and plays it alone, in a room of their own that the server paces
(a game of kind `assignment`); the host follows who started and finished, with scores and ranks.

Every "now" here is the room node's clock, the one that paces the attempts' rooms.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from starlette.requests import Request

from persistence.models import Assignment, Game, User
from persistence.repositories.assignments import AttemptRecord
from persistence.uow import UnitOfWork
from server.api import Api
from server.assignments.attempt_room import attempt_settings, attempt_snapshot
from server.assignments.progress import PlayerProgress, Progress, Start, progress, start_decision
from server.assignments.schemas import (
    AssignmentList,
    AssignmentListQuery,
    AssignmentSettings,
    AssignmentView,
    Attempt,
    CreateAssignment,
    Person,
    ProgressSummary,
    StartedAttempt,
)
from server.auth import is_admin, optional_user, require_user
from server.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from server.game_opening import open_game, quiz_to_play
from server.moments import moment
from server.paging import path_id
from server.routes.qr import join_base

api = Api("assignments")

Role = Literal["host", "player", "guest"]
CODE_BYTES = 12  # 16 URL-safe characters: not guessable, short enough to read out


def _now(request: Request) -> datetime:
    return moment(request.app.state.node.clock.now_ms())


def _link(request: Request, code: str) -> str:
    return f"{join_base(request)}/play?assignment={code}"


def _attempt(line: PlayerProgress) -> Attempt:
    record = line.attempt
    finished = line.status == "finished"
    return Attempt(
        user=Person(id=record.user_id, username=record.username),
        status=line.status,
        opened_at=record.opened_at,
        started_at=record.started_at if line.status != "not_started" else None,
        game_id=record.game_id if line.status != "not_started" else None,
        score=record.score if finished else None,
        correct_count=record.correct_count if finished else None,
        rank=line.rank,
    )


def _view(
    request: Request,
    assignment: Assignment,
    host: User,
    caller: User | None,
    records: Sequence[AttemptRecord],
) -> AssignmentView:
    """The assignment as `caller` may see it, its progress computed from `records`."""
    state = progress(records)
    role = _role(assignment, caller, state)
    mine = state.of(caller.id) if caller is not None else None
    return AssignmentView(
        id=assignment.id,
        code=assignment.code,
        title=assignment.title,
        quiz_id=assignment.quiz_id,
        host=Person(id=host.id, username=host.username),
        questions=len(assignment.quiz_snapshot.get("questions", [])),
        settings=AssignmentSettings(**assignment.settings),
        due_at=assignment.due_at,
        created_at=assignment.created_at,
        open=_now(request) < assignment.due_at,
        link=_link(request, assignment.code),
        role=role,
        progress=_summary(state) if role != "guest" else None,
        attempt=_attempt(mine) if mine is not None else None,
        players=[_attempt(line) for line in state.players] if role == "host" else None,
    )


def _role(assignment: Assignment, caller: User | None, state: Progress) -> Role:
    if caller is not None and (caller.id == assignment.host_id or is_admin(caller)):
        return "host"
    if caller is not None and state.of(caller.id) is not None:
        return "player"
    return "guest"


def _summary(state: Progress) -> ProgressSummary:
    return ProgressSummary(
        given=state.given, started=state.started, finished=state.finished, average_score=state.average_score
    )


async def _host_of(uow: UnitOfWork, assignment: Assignment) -> User:
    host = await uow.users.get(assignment.host_id)
    assert host is not None  # the foreign key cascades: an assignment never outlives its host
    return host


@api.post(
    "/assignments",
    "Assign a quiz with a due date and get its link",
    body=CreateAssignment,
    response=AssignmentView,
    status=201,
    auth=True,
    errors=(404,),
)
async def create_assignment(request: Request, body: CreateAssignment) -> AssignmentView:
    """Any signed-in user may assign their own quizzes and published ones. The assignment keeps a
    snapshot of the quiz, so every player plays the same questions; `due_at` must be in the future
    (422 otherwise). Players open `link`, sign in, and play alone before the due date."""
    user = await require_user(request)
    if body.due_at <= _now(request):
        raise ValidationFailed(
            "The due date must be in the future", [FieldError("due_at", "must be in the future")]
        )
    async with request.app.state.db.uow() as uow:
        document = await quiz_to_play(uow, body.quiz_id, user)
        assignment = await uow.assignments.add(
            Assignment(
                code=secrets.token_urlsafe(CODE_BYTES),
                host_id=user.id,
                quiz_id=body.quiz_id,
                title=body.title.strip() if body.title and body.title.strip() else document["title"],
                settings=body.settings.model_dump(),
                quiz_snapshot={key: document[key] for key in ("id", "title", "questions")},
                due_at=body.due_at.astimezone(UTC),
                created_at=_now(request),
            )
        )
        await uow.commit()
        return _view(request, assignment, user, user, [])


@api.get(
    "/assignments",
    "The caller's assignments: those they gave out, or those they were given",
    query=AssignmentListQuery,
    response=AssignmentList,
    auth=True,
)
async def list_assignments(request: Request, query: AssignmentListQuery) -> AssignmentList:
    """`role=host` (the default): the assignments the caller gave out, newest first, each with its
    progress; `role=player`: those they were given, latest due date first, each with their attempt."""
    user = await require_user(request)
    async with request.app.state.db.uow() as uow:
        if query.role == "host":
            rows, total = await uow.assignments.of_host(user.id, query.limit, query.offset)
        else:
            rows, total = await uow.assignments.of_player(user.id, query.limit, query.offset)
        records = await uow.assignments.attempts([row.id for row in rows])
        hosts = {host_id: await uow.users.get(host_id) for host_id in {row.host_id for row in rows}}
        items = []
        for row in rows:
            mine = [record for record in records if record.assignment_id == row.id]
            host = hosts[row.host_id]
            assert host is not None  # the foreign key cascades: an assignment never outlives its host
            view = _view(request, row, host, user, mine)
            items.append(view.model_copy(update={"players": None}))  # the list is a summary
    return AssignmentList(items=items, total=total, limit=query.limit, offset=query.offset)


@api.get(
    "/assignments/{id:int}",
    "An assignment with its progress (host) or the caller's own attempt (player)",
    response=AssignmentView,
    auth=True,
)
async def get_assignment(request: Request) -> AssignmentView:
    """The host and admins see every player given it (`players`): opened, started, finished, score,
    rank; a player sees their own attempt. Anyone else gets 404."""
    user = await require_user(request)
    assignment_id = path_id(request, "No such assignment")
    async with request.app.state.db.uow() as uow:
        assignment = await uow.assignments.get(assignment_id)
        if assignment is None:
            raise NotFound("No such assignment")
        view = _view(
            request,
            assignment,
            await _host_of(uow, assignment),
            user,
            await uow.assignments.attempts([assignment.id]),
        )
    if view.role == "guest":
        raise NotFound("No such assignment")
    return view


async def _by_code(uow: UnitOfWork, request: Request) -> Assignment:
    assignment = await uow.assignments.by_code(request.path_params["code"])
    if assignment is None:
        raise NotFound("No such assignment")
    return assignment


@api.get(
    "/assignments/code/{code}",
    "What an assignment's link shows; opening it signed in gives the caller the assignment",
    response=AssignmentView,
    optional_auth=True,
)
async def open_assignment(request: Request) -> AssignmentView:
    """Without a token: the title, host, questions and due date. With one: the caller is now one of
    the assignment's players (once; opening it again changes nothing), and sees their attempt. The
    host sees their own view."""
    user = await optional_user(request)
    async with request.app.state.db.uow() as uow:
        assignment = await _by_code(uow, request)
        if user is not None and user.id != assignment.host_id:
            await uow.assignments.give(assignment.id, user.id, _now(request))
            await uow.commit()
        records = await uow.assignments.attempts([assignment.id])
        return _view(request, assignment, await _host_of(uow, assignment), user, records)


@api.post(
    "/assignments/code/{code}/attempts",
    "Start (or go back to) the caller's attempt: a room of their own",
    response=StartedAttempt,
    status=201,
    auth=True,
    errors=(403, 409),
)
async def start_attempt(request: Request) -> StartedAttempt:
    """One attempt per player. A fresh private room opens (`pin`): join it over the WebSocket with
    the same account, and the game starts by itself and moves on by the server's clock. While the
    attempt is under way the same room comes back (`resumed`, also after the due date: an open
    attempt plays to its end). 409 once the attempt is finished, or after the due date; 403 for the
    assignment's host."""
    user = await require_user(request)
    now = _now(request)
    async with request.app.state.db.uow() as uow:
        assignment = await _by_code(uow, request)
        if user.id == assignment.host_id:
            raise Forbidden("The host does not take their own assignment")
        await uow.assignments.give(assignment.id, user.id, now)
        await uow.commit()  # asking for an attempt gives the assignment, whatever the answer
        try:
            return await _start(request, uow, assignment, user.id, now)
        except AttemptTaken:  # another request of this player opened the room first: that one
            await uow.rollback()
            return await _start(request, uow, assignment, user.id, now)


class AttemptTaken(Exception):
    """The player's attempt was claimed by another request between reading and claiming it."""


async def _start(
    request: Request, uow: UnitOfWork, assignment: Assignment, user_id: int, now: datetime
) -> StartedAttempt:
    """Open the player's room, or give back the one under way; Conflict when they may not start."""
    records = await uow.assignments.attempts([assignment.id])
    mine = next((record for record in records if record.user_id == user_id), None)
    decision = start_decision(mine, assignment.due_at, now)
    if decision is Start.DONE:
        raise Conflict("You have finished this assignment; it takes one attempt")
    if decision is Start.PAST_DUE:
        raise Conflict("This assignment is past its due date")
    if decision is Start.RESUME:
        assert mine is not None and mine.game_id is not None
        game = await uow.games.get(mine.game_id)
        assert game is not None
        return StartedAttempt(
            assignment_id=assignment.id, game_id=game.id, pin=game.pin, resumed=True, due_at=assignment.due_at
        )
    seen = mine.game_id if mine is not None else None

    async def claim(game: Game) -> None:
        # Compare-and-set on the player's game: of two requests racing, one claims, the other retries.
        if not await uow.assignments.claim(assignment.id, user_id, seen, game.id, now):
            raise AttemptTaken

    row = Game(
        kind="assignment",
        quiz_id=assignment.quiz_id,
        host_id=assignment.host_id,
        settings=attempt_settings(assignment.settings).as_dict(),
        quiz_snapshot=attempt_snapshot(assignment),
    )
    game = await open_game(uow, request.app.state.node, row, secrets.token_urlsafe(32), with_game=claim)
    return StartedAttempt(
        assignment_id=assignment.id, game_id=game.id, pin=game.pin, resumed=False, due_at=assignment.due_at
    )
