"""Scheduled sessions over REST: a host schedules a game of a quiz for a time with invited users,
lists and cancels their sessions, and takes the host seat once one has opened; everyone sees the
sessions they host or are invited to in `GET /games/upcoming`."""

from __future__ import annotations

from starlette.requests import Request

from persistence.models import ScheduledGame, User
from persistence.repositories.scheduling import OPEN, Upcoming
from persistence.uow import UnitOfWork
from server.accounts import account_key
from server.api import Api
from server.auth import is_admin, require_user
from server.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from server.game_opening import quiz_to_play
from server.game_schemas import SettingsIn
from server.moments import moment
from server.paging import path_id
from server.routes.leaderboards import UserRef
from server.routes.qr import join_url
from server.scheduling.schemas import (
    ScheduledList,
    ScheduledQuery,
    ScheduledSession,
    ScheduleGame,
    UpcomingGame,
    UpcomingList,
)
from server.scheduling.sessions import host_token_for, start_problem

api = Api("scheduled sessions")


async def _invited(uow: UnitOfWork, usernames: list[str], host: User) -> list[User]:
    """The accounts named (once each, the host left out); a 422 naming every unknown one."""
    wanted = {account_key(name): index for index, name in enumerate(usernames)}
    found = {user.username_key: user for user in await uow.users.by_usernames(list(wanted))}
    unknown = [FieldError(f"invitees.{i}", "no such user") for key, i in wanted.items() if key not in found]
    if unknown:
        raise ValidationFailed("Some invitees have no account", unknown)
    return [user for user in found.values() if user.id != host.id]


def _view(request: Request, session: ScheduledGame, invitees: list[User]) -> ScheduledSession:
    opened = session.state == OPEN and session.pin is not None
    return ScheduledSession(
        id=session.id,
        quiz_id=session.quiz_id,
        title=session.title,
        starts_at=session.starts_at,
        state=session.state,  # type: ignore[arg-type]  # a State by the table's own rules
        settings=SettingsIn(**session.settings),
        invitees=[user.username for user in invitees],
        created_at=session.created_at,
        game_id=session.game_id,
        pin=session.pin,
        host_token=host_token_for(request.app.state.settings.secret_key, session.id) if opened else None,
        join_url=join_url(request, session.pin) if opened and session.pin else None,
        failure=session.failure,
    )


@api.post(
    "/games/scheduled",
    "Schedule a game of a quiz for a time, with invited users",
    body=ScheduleGame,
    response=ScheduledSession,
    status=201,
    auth=True,
    errors=(404,),
)
async def schedule_game(request: Request, body: ScheduleGame) -> ScheduledSession:
    """The lobby opens by itself at `starts_at` (within a few seconds); the host then finds its PIN
    and host token here, and each invitee gets a `game_opening` notification. The game plays the
    quiz as it is when it opens."""
    user = await require_user(request)
    now = moment(request.app.state.node.clock.now_ms())
    problem = start_problem(body.starts_at, now)
    if problem is not None:
        raise ValidationFailed("That time cannot be scheduled", [FieldError("starts_at", problem)])
    async with request.app.state.db.uow() as uow:
        document = await quiz_to_play(uow, body.quiz_id, user)
        invited = await _invited(uow, body.invitees, user)
        session = await uow.scheduled.add_with_invites(
            ScheduledGame(
                host_id=user.id,
                quiz_id=body.quiz_id,
                title=document["title"],
                settings=body.settings.model_dump(),
                starts_at=body.starts_at,
                state="scheduled",
                created_at=now,
            ),
            [u.id for u in invited],
        )
        await uow.commit()
        return _view(request, session, sorted(invited, key=lambda u: u.username_key))


@api.get(
    "/games/scheduled",
    "The caller's scheduled sessions, the latest start first",
    query=ScheduledQuery,
    response=ScheduledList,
    auth=True,
)
async def list_scheduled(request: Request, query: ScheduledQuery) -> ScheduledList:
    """Every state: scheduled, open (with PIN and host token), cancelled, failed."""
    user = await require_user(request)
    async with request.app.state.db.uow() as uow:
        sessions, total = await uow.scheduled.of_host(user.id, query.limit, query.offset)
        invitees = await uow.scheduled.invitees([s.id for s in sessions])
        items = [_view(request, session, invitees[session.id]) for session in sessions]
    return ScheduledList(items=items, total=total, limit=query.limit, offset=query.offset)


async def _own(request: Request, uow: UnitOfWork) -> ScheduledGame:
    user = await require_user(request)
    session = await uow.scheduled.get(path_id(request, "No such scheduled session"))
    if session is None:
        raise NotFound("No such scheduled session")
    if session.host_id != user.id and not is_admin(user):
        raise Forbidden("Only its host may see or cancel a scheduled session")
    return session


@api.get(
    "/games/scheduled/{id:int}",
    "One scheduled session: once open, its PIN and host token",
    response=ScheduledSession,
    auth=True,
    errors=(403,),
)
async def get_scheduled(request: Request) -> ScheduledSession:
    """For its host (or an admin)."""
    async with request.app.state.db.uow() as uow:
        session = await _own(request, uow)
        invitees = await uow.scheduled.invitees([session.id])
        return _view(request, session, invitees[session.id])


@api.delete(
    "/games/scheduled/{id:int}",
    "Cancel a scheduled session that has not opened",
    auth=True,
    errors=(403, 409),
)
async def cancel_scheduled(request: Request) -> None:
    """409 once it has opened, failed or been cancelled: an open game is ended from the host screen."""
    async with request.app.state.db.uow() as uow:
        session = await _own(request, uow)
        if not await uow.scheduled.cancel(session.id):
            raise Conflict(f"This session is {session.state}, not scheduled")
        await uow.commit()


def _upcoming(request: Request, row: Upcoming) -> UpcomingGame:
    session = row.session
    opened = session.state == OPEN and session.pin is not None
    return UpcomingGame(
        id=session.id,
        title=session.title,
        host=UserRef(id=session.host_id, username=row.host_name),
        starts_at=session.starts_at,
        state="open" if opened else "scheduled",
        role="host" if row.hosting else "player",
        pin=session.pin if opened else None,
        join_url=join_url(request, session.pin) if opened and session.pin else None,
    )


@api.get(
    "/games/upcoming",
    "Scheduled sessions the caller hosts or is invited to, soonest first",
    query=ScheduledQuery,
    response=UpcomingList,
    auth=True,
)
async def upcoming(request: Request, query: ScheduledQuery) -> UpcomingList:
    """Still to open, or open with their game live (then with the PIN to join)."""
    user = await require_user(request)
    async with request.app.state.db.uow() as uow:
        rows, total = await uow.scheduled.upcoming(user.id, query.limit, query.offset)
        items = [_upcoming(request, row) for row in rows]
    return UpcomingList(items=items, total=total, limit=query.limit, offset=query.offset)
