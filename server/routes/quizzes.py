"""Quiz content REST area: list, create, read, replace, delete, import and export quiz documents.

Visibility: a draft exists only for its owner and admins (anyone else gets 404, so drafts do not
leak); a published quiz is visible to everyone without its solutions. Only the owner or an admin
may change, delete or export a quiz: the export holds the solutions.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response

from persistence.models import Quiz, User
from persistence.repositories.quizzes import QuizFilter, QuizSort
from persistence.uow import UnitOfWork
from server.api import Api, read_payload, validate
from server.auth import optional_user, require_owner_or_admin, require_user
from server.errors import BadRequest, NotFound, Unauthorized
from server.paging import Offset, path_id
from server.quiz_csv import COLUMNS, export_csv, parse_csv
from server.quiz_document import QuizDocument
from server.quiz_views import (
    QuizPage,
    QuizView,
    apply_meta,
    can_view,
    owner_view,
    question_rows,
    quiz_document,
    summary,
    tag_rows,
    view_for,
)

api = Api("quizzes")

CSV_TYPE = "text/csv"
JSON_TYPE = "application/json"


class QuizListQuery(BaseModel):
    """Filters, paging and order of `GET /quizzes`."""

    model_config = ConfigDict(extra="ignore")

    q: str | None = Field(default=None, max_length=100, description="text in the title or description")
    tag: str | None = Field(default=None, max_length=40)
    mine: bool = Field(default=False, description="the caller's own quizzes, drafts included (needs a token)")
    limit: int = Field(default=20, ge=1, le=100)
    offset: Offset = 0
    sort: QuizSort = "-updated_at"

    @field_validator("q", "tag")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None


class ExportQuery(BaseModel):
    """The format of an export."""

    format: Literal["json", "csv"] = "json"


def _quiz_id(request: Request) -> int:
    return path_id(request, "No such quiz")


async def _visible(
    uow: UnitOfWork, quiz_id: int, user: User | None, for_update: bool = False
) -> tuple[Quiz, User]:
    """The quiz and its owner, when `user` may see it; 404 otherwise (a draft does not exist for others)."""
    found = await uow.quizzes.get_with_owner(quiz_id, for_update)
    if found is None or not can_view(found[0], user):
        raise NotFound("No such quiz")
    return found


async def _editable(
    uow: UnitOfWork, request: Request, user: User, for_update: bool = True
) -> tuple[Quiz, User]:
    """The quiz when `user` may change it: 404 when they may not see it, 403 when they may only see it."""
    quiz, owner = await _visible(uow, _quiz_id(request), user, for_update)
    require_owner_or_admin(user, quiz.owner_id)
    return quiz, owner


async def _create(request: Request, user: User, document: QuizDocument) -> dict[str, object]:
    async with request.app.state.db.uow() as uow:
        quiz = Quiz(owner_id=user.id)
        apply_meta(quiz, document)
        await uow.quizzes.create(quiz, question_rows(document), tag_rows(document))
        await uow.commit()
        # Views are built inside the unit of work: leaving it rolls back, which expires the rows.
        return owner_view(quiz, user)


@api.get("/quizzes", "List quizzes", query=QuizListQuery, response=QuizPage, optional_auth=True)
async def list_quizzes(request: Request, query: QuizListQuery) -> dict[str, object]:
    """Published quizzes, or with `mine=true` the caller's own (drafts included), a page at a time."""
    user = await optional_user(request)
    if query.mine and user is None:
        raise Unauthorized("mine=true needs a signed-in user")
    filters = QuizFilter(
        text=query.q,
        tag=query.tag.lower() if query.tag else None,
        owner_id=user.id if query.mine and user else None,
        published_only=not query.mine,
    )
    async with request.app.state.db.uow() as uow:
        listings, total = await uow.quizzes.page(filters, query.sort, query.limit, query.offset)
        items = [summary(listing) for listing in listings]
    return {"items": items, "total": total, "limit": query.limit, "offset": query.offset}


@api.post("/quizzes", "Create a quiz", body=QuizDocument, response=QuizView, status=201, auth=True)
async def create_quiz(request: Request, body: QuizDocument) -> dict[str, object]:
    """Creates a quiz owned by the caller; answers with the owner's view (ids included)."""
    return await _create(request, await require_user(request), body)


@api.get("/quizzes/{id:int}", "Read a quiz", response=QuizView, optional_auth=True)
async def get_quiz(request: Request) -> dict[str, object]:
    """The whole document for its owner and admins; anyone else sees a published quiz without solutions."""
    user = await optional_user(request)
    async with request.app.state.db.uow() as uow:
        quiz, owner = await _visible(uow, _quiz_id(request), user)
        return view_for(quiz, owner, user)


@api.put("/quizzes/{id:int}", "Replace a quiz", body=QuizDocument, response=QuizView, auth=True,
         errors=(403,))
async def replace_quiz(request: Request, body: QuizDocument) -> dict[str, object]:
    """Replaces the whole document: quiz fields, tags, and the questions in the order given."""
    user = await require_user(request)
    async with request.app.state.db.uow() as uow:
        quiz, owner = await _editable(uow, request, user)
        apply_meta(quiz, body)
        await uow.quizzes.replace_content(quiz, question_rows(body), tag_rows(body))
        await uow.commit()
        return owner_view(quiz, owner)


@api.delete("/quizzes/{id:int}", "Delete a quiz", auth=True, errors=(403,))
async def delete_quiz(request: Request) -> None:
    """Deletes the quiz; games already played keep their own snapshot of it."""
    user = await require_user(request)
    async with request.app.state.db.uow() as uow:
        quiz, _ = await _editable(uow, request, user)
        await uow.quizzes.delete(quiz)
        await uow.commit()


@api.post(
    "/quizzes/import",
    "Import a quiz from JSON or CSV",
    response=QuizView,
    status=201,
    auth=True,
    raw_body={
        JSON_TYPE: QuizDocument,  # as GET /quizzes/{id}/export?format=json gives it
        CSV_TYPE: "quiz rows (title, description, tags, published), then the header "
        + ",".join(COLUMNS)
        + ", then one row per question (see server/quiz_csv.py)",
    },
)
async def import_quiz(request: Request) -> dict[str, object]:
    """Creates a quiz from one document. A bad CSV is refused whole, with every bad row and its line."""
    user = await require_user(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == CSV_TYPE:
        document = parse_csv(await request.body())
    elif content_type == JSON_TYPE:
        document = validate(QuizDocument, await read_payload(request))
    else:
        raise BadRequest(f"Send the quiz as {JSON_TYPE} or {CSV_TYPE}")
    return await _create(request, user, document)


def _filename(quiz: Quiz, extension: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", quiz.title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].strip("-")
    return f"quiz-{quiz.id}{'-' + slug if slug else ''}.{extension}"


@api.get("/quizzes/{id:int}/export", "Export a quiz as JSON or CSV", query=ExportQuery, auth=True,
         errors=(403,))
async def export_quiz(request: Request, query: ExportQuery) -> Response:
    """The quiz document with its solutions, so for the owner and admins only; importable as it is."""
    user = await require_user(request)
    async with request.app.state.db.uow() as uow:
        quiz, _ = await _editable(uow, request, user, for_update=False)
        document, filename = quiz_document(quiz), _filename(quiz, query.format)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if query.format == "csv":
        return Response(export_csv(document), media_type=f"{CSV_TYPE}; charset=utf-8", headers=headers)
    return Response(orjson.dumps(document, option=orjson.OPT_INDENT_2), media_type=JSON_TYPE, headers=headers)
