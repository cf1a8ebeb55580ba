"""Between stored quizzes and quiz documents: rows from a document, and the views of a stored quiz.

Who sees what: the owner and admins get the whole document (`owner_view`); anyone else gets a
published quiz without its solutions and with ordering options shuffled (`public_view`).
`load_quiz_document` is the game's snapshot: the whole document as plain JSON values.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from persistence.models import Question, Quiz, QuizTag, User
from persistence.repositories.quizzes import QuizListing
from persistence.uow import UnitOfWork
from server.auth import is_admin
from server.quiz_document import QUESTION_MODELS, QuizDocument

CORE_FIELDS = ("kind", "text", "time_limit", "points")  # the Question columns; the rest is its payload
SOLUTION_FIELDS = ("correct", "accepted", "tolerance")  # never shown to anyone but the owner and admins
_shuffler = random.SystemRandom()  # not predictable from other requests' shuffles


class OwnerRef(BaseModel):
    """Who wrote a quiz."""

    id: int
    username: str


class QuizHeader(BaseModel):
    """What every view of a quiz starts with."""

    id: int
    title: str
    description: str
    tags: list[str]
    published: bool
    owner: OwnerRef
    created_at: datetime
    updated_at: datetime


class QuizSummary(QuizHeader):
    """A quiz in a listing: no questions, just how many."""

    question_count: int


class QuizPage(BaseModel):
    """One page of a listing."""

    items: list[QuizSummary]
    total: int
    limit: int
    offset: int


class QuizView(QuizHeader):
    """A quiz document with `id`s on the quiz and its questions, its owner and timestamps.

    For anyone but the owner or an admin the questions come without `correct`, `accepted` and
    `tolerance`, and ordering options are shuffled.
    """

    questions: list[dict[str, Any]]


def can_edit(quiz: Quiz, user: User | None) -> bool:
    return user is not None and (user.id == quiz.owner_id or is_admin(user))


def can_view(quiz: Quiz, user: User | None) -> bool:
    return quiz.published or can_edit(quiz, user)


def apply_meta(quiz: Quiz, document: QuizDocument) -> None:
    """Copies the quiz-level fields of `document` onto `quiz`."""
    quiz.title = document.title
    quiz.description = document.description
    quiz.published = document.published


def question_rows(document: QuizDocument) -> list[Question]:
    """The document's questions as rows, in order; the kind-specific fields go to `payload`."""
    return [
        Question(position=position, kind=question.kind, text=question.text, time_limit=question.time_limit,
                 points=question.points,
                 # no `image: null` on every question and option without a picture
                 payload=question.model_dump(mode="json", exclude=set(CORE_FIELDS), exclude_none=True))
        for position, question in enumerate(document.questions)
    ]


def tag_rows(document: QuizDocument) -> list[QuizTag]:
    return [QuizTag(tag=tag, position=position) for position, tag in enumerate(document.tags)]


def question_document(row: Question) -> dict[str, Any]:
    """A stored question as it appears in the document, fields in the schema's order."""
    document: dict[str, Any] = {"kind": row.kind, "text": row.text, "time_limit": row.time_limit,
                                "points": row.points}
    payload = row.payload or {}
    fields = QUESTION_MODELS[row.kind].model_fields
    document.update((name, payload[name]) for name in fields if name in payload)
    return document


def quiz_document(quiz: Quiz) -> dict[str, Any]:
    """The stored quiz as a quiz document without ids: the JSON export, importable as it is."""
    return {"title": quiz.title, "description": quiz.description, "tags": [tag.tag for tag in quiz.tags],
            "published": quiz.published, "questions": [question_document(row) for row in quiz.questions]}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _with_question_ids(quiz: Quiz) -> dict[str, Any]:
    document = quiz_document(quiz)
    document["questions"] = [{"id": row.id, **question}
                             for row, question in zip(quiz.questions, document["questions"], strict=True)]
    return document


def owner_view(quiz: Quiz, owner: User) -> dict[str, Any]:
    """The whole document with ids, owner and timestamps: for the owner and admins only."""
    document = _with_question_ids(quiz)
    questions = document.pop("questions")
    return {"id": quiz.id, **document, "owner": {"id": owner.id, "username": owner.username},
            "created_at": _iso(quiz.created_at), "updated_at": _iso(quiz.updated_at), "questions": questions}


def _without_solution(question: dict[str, Any]) -> dict[str, Any]:
    public = {name: value for name, value in question.items() if name not in SOLUTION_FIELDS}
    if "options" in public:
        public["options"] = [{name: value for name, value in option.items() if name != "correct"}
                             for option in public["options"]]
    if public["kind"] == "ordering":
        _shuffler.shuffle(public["options"])
    return public


def public_view(quiz: Quiz, owner: User) -> dict[str, Any]:
    """What anyone may see of a published quiz: no `correct`, `accepted` or `tolerance`; ordering shuffled."""
    view = owner_view(quiz, owner)
    view["questions"] = [_without_solution(question) for question in view["questions"]]
    return view


def view_for(quiz: Quiz, owner: User, viewer: User | None) -> dict[str, Any]:
    return owner_view(quiz, owner) if can_edit(quiz, viewer) else public_view(quiz, owner)


def summary(listing: QuizListing) -> dict[str, Any]:
    quiz = listing.quiz
    return {"id": quiz.id, "title": quiz.title, "description": quiz.description,
            "tags": [tag.tag for tag in quiz.tags], "published": quiz.published,
            "owner": {"id": quiz.owner_id, "username": listing.owner_username},
            "question_count": listing.question_count,
            "created_at": _iso(quiz.created_at), "updated_at": _iso(quiz.updated_at)}


def snapshot(quiz: Quiz) -> dict[str, Any]:
    """The whole document with solutions, quiz and question `id`s and `owner_id`, as plain JSON values."""
    return {"id": quiz.id, "owner_id": quiz.owner_id, **_with_question_ids(quiz)}


async def load_quiz_document(uow: UnitOfWork, quiz_id: int) -> dict[str, Any] | None:
    """The quiz as `snapshot` gives it, or None when there is no such quiz. Checks no permissions:
    the caller decides who may play it (see `can_view`)."""
    quiz = await uow.quizzes.get_full(quiz_id)
    return None if quiz is None else snapshot(quiz)
