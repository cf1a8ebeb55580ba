"""The caller's notifications over REST: the list (newest first, with the unread count) and marking
read. The same notifications reach a `subscribe` socket as they are made."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel
from starlette.requests import Request

from server.api import Api
from server.auth import require_user
from server.moments import moment
from server.paging import Id, Limit, Offset

api = Api("notifications")
MAX_READ_IDS = 500


class NotificationQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    unread: bool = Field(default=False, description="only the unread ones")
    limit: Limit = 20
    offset: Offset = 0


class NotificationView(BaseModel):
    id: int
    kind: str = Field(description="`badge`, `level_up`, `game_opening`, `assignment_due`, ...")
    text: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    items: list[NotificationView]
    total: int
    limit: int
    offset: int
    unread: int = Field(description="how many of the caller's notifications are unread")


class ReadSome(BaseModel):
    """These notifications (the caller's own; other ids are ignored)."""

    model_config = ConfigDict(extra="forbid")

    ids: Annotated[list[Id], Field(max_length=MAX_READ_IDS)]


class ReadAll(BaseModel):
    """Every notification of the caller."""

    model_config = ConfigDict(extra="forbid")

    all: Literal[True]


class MarkRead(RootModel[ReadSome | ReadAll]):
    """`{"ids": [...]}` or `{"all": true}`."""


class Unread(BaseModel):
    unread: int


@api.get(
    "/notifications",
    "The caller's notifications, newest first, with the unread count",
    query=NotificationQuery,
    response=NotificationList,
    auth=True,
)
async def list_notifications(request: Request, query: NotificationQuery) -> NotificationList:
    user = await require_user(request)
    async with request.app.state.db.uow() as uow:
        rows = await uow.notifications.page(user.id, query.unread, query.limit, query.offset)
        total = await uow.notifications.count(user.id, unread_only=query.unread)
        unread = total if query.unread else await uow.notifications.count(user.id, unread_only=True)
        items = [
            NotificationView(
                id=row.id,
                kind=row.kind,
                text=row.text,
                data=row.data,
                created_at=row.created_at,
                read_at=row.read_at,
            )
            for row in rows
        ]
    return NotificationList(items=items, total=total, limit=query.limit, offset=query.offset, unread=unread)


@api.post(
    "/notifications/read",
    "Mark the caller's notifications read: some by id, or all",
    body=MarkRead,
    response=Unread,
    auth=True,
)
async def mark_read(request: Request, body: MarkRead) -> Unread:
    """Answers how many are still unread."""
    user = await require_user(request)
    now = moment(request.app.state.node.clock.now_ms())
    async with request.app.state.db.uow() as uow:
        chosen = body.root
        await uow.notifications.mark_read(user.id, chosen.ids if isinstance(chosen, ReadSome) else None, now)
        await uow.commit()
        return Unread(unread=await uow.notifications.count(user.id, unread_only=True))
