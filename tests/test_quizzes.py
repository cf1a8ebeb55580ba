"""Quiz CRUD, visibility, validation of the quiz document, and listing (on SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from persistence.db import Database
from persistence.models import Question, Quiz
from server.quiz_views import load_quiz_document

Signup = Callable[..., Awaitable[dict[str, str]]]


@dataclass(frozen=True)
class Author:
    """A signed-up user as the tests see them."""

    id: int
    username: str
    headers: dict[str, str]


async def new_author(client: httpx.AsyncClient, signup: Signup, db: Database, name: str,
                     role: str = "user") -> Author:
    """Registers `name` through the API; an admin's role is set in the database (no API grants it)."""
    headers = await signup(name)
    me = (await client.get("/auth/me", headers=headers)).json()
    if role != "user":
        async with db.uow() as uow:
            user = await uow.users.get(me["id"])
            assert user is not None
            user.role = role
            await uow.commit()
    return Author(me["id"], name, headers)


async def documents(db: Database) -> dict[int, dict[str, Any]]:
    """Every stored quiz as its full snapshot: what a refused request must leave as it was."""
    async with db.uow() as uow:
        ids = (await uow.session.scalars(select(Quiz.id).order_by(Quiz.id))).all()
        return {quiz_id: await load_quiz_document(uow, quiz_id) for quiz_id in ids}  # type: ignore[misc]


def single(text: str = "Capital of France?") -> dict[str, Any]:
    return {"kind": "single", "text": text, "time_limit": 20, "points": 1000,
            "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]}


def quiz_doc(**fields: Any) -> dict[str, Any]:
    """A valid document with every default spelled out, so it equals what the server gives back."""
    return {"title": "Capitals", "description": "Around Europe", "tags": ["geo"], "published": True,
            "questions": [single()], **fields}


ALL_KINDS: list[dict[str, Any]] = [
    single(),
    {"kind": "multiple", "text": "Rivers?", "time_limit": 30, "points": 2000,
     "options": [{"text": "Rhine", "correct": True}, {"text": "Alps", "correct": False},
                 {"text": "Danube", "correct": True}]},
    {"kind": "true_false", "text": "Paris is in France", "time_limit": 20, "points": 1000, "correct": True},
    {"kind": "type", "text": "Capital of Italy?", "time_limit": 20, "points": 1000,
     "accepted": ["Rome", "Roma"]},
    {"kind": "slider", "text": "Year of the euro", "time_limit": 20, "points": 1000,
     "min": 1990, "max": 2010, "step": 1, "correct": 1999, "tolerance": 2},
    {"kind": "ordering", "text": "North to south", "time_limit": 20, "points": 1000,
     "options": [{"text": t} for t in ("Oslo", "Hamburg", "Berlin", "Munich", "Rome", "Palermo")]},
    {"kind": "poll", "text": "Favourite?", "time_limit": 20, "points": 0,
     "options": [{"text": "Paris"}, {"text": "Rome"}]},
]


def without_ids(view: dict[str, Any]) -> dict[str, Any]:
    """The quiz document inside an owner's view."""
    document = {key: view[key] for key in ("title", "description", "tags", "published")}
    document["questions"] = [{key: value for key, value in question.items() if key != "id"}
                             for question in view["questions"]]
    return document


@pytest.fixture
def author(client: httpx.AsyncClient, signup: Signup, db: Database) -> Callable[..., Awaitable[Author]]:
    async def make(name: str, role: str = "user") -> Author:
        return await new_author(client, signup, db, name, role)

    return make


async def create(client: httpx.AsyncClient, who: Author, document: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/quizzes", json=document, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


# ---- create and read --------------------------------------------------------------------------------

async def test_create_answers_the_owner_view(client: httpx.AsyncClient, author: Any) -> None:
    alice = await author("alice")
    document = quiz_doc(questions=ALL_KINDS)
    created = await create(client, alice, document)
    assert isinstance(created["id"], int)
    assert created["owner"] == {"id": alice.id, "username": "alice"}
    assert created["created_at"].endswith("Z") and created["updated_at"].endswith("Z")
    assert all(isinstance(question["id"], int) for question in created["questions"])
    assert without_ids(created) == document
    fetched = await client.get(f"/quizzes/{created['id']}", headers=alice.headers)
    assert fetched.status_code == 200
    assert fetched.json() == created


async def test_create_fills_defaults_and_normalises(client: httpx.AsyncClient, author: Any) -> None:
    alice = await author("alice")
    created = await create(client, alice, {
        "title": "  Spaced  ", "tags": [" Geo", "geo", "HISTORY "],
        "questions": [{"kind": "true_false", "text": " Line\r\nbreak ", "correct": False},
                      {"kind": "poll", "text": "Which?", "options": [{"text": "a"}, {"text": "b"}]}]})
    assert (created["title"], created["description"], created["published"]) == ("Spaced", "", False)
    assert created["tags"] == ["geo", "history"]
    true_false, poll = created["questions"]
    assert (true_false["text"], true_false["time_limit"], true_false["points"]) == ("Line\nbreak", 20, 1000)
    assert poll["points"] == 0


async def test_create_needs_a_token(client: httpx.AsyncClient, db: Database) -> None:
    response = await client.post("/quizzes", json=quiz_doc())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert await documents(db) == {}


async def test_create_refuses_mass_assignment(client: httpx.AsyncClient, author: Any, db: Database) -> None:
    alice = await author("alice")
    question = {**single(), "id": 7}
    body = quiz_doc(id=5, owner={"id": 99}, role="admin", owner_id=99, questions=[question])
    response = await client.post("/quizzes", json=body, headers=alice.headers)
    assert response.status_code == 422
    paths = {field["path"] for field in response.json()["error"]["fields"]}
    assert paths == {"id", "owner", "role", "owner_id", "questions.0.id"}
    assert await documents(db) == {}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


def _question(question: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return _set("questions.0", question)


ORDERING, SLIDER, TYPE = ALL_KINDS[5], ALL_KINDS[4], ALL_KINDS[3]
Q = "questions.0."
INVALID: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("empty title", _set("title", " "), "title", "at least 1 character"),
    ("long title", _set("title", "t" * 201), "title", "at most 200"),
    ("title with a line break", _set("title", "a\nb"), "title", "single line"),
    ("long description", _set("description", "d" * 2001), "description", "at most 2000"),
    ("too many tags", _set("tags", [f"t{n}" for n in range(11)]), "tags", "at most 10"),
    ("long tag", _set("tags", ["t" * 41]), "tags.0", "at most 40"),
    ("tag with a separator", _set("tags", ["a;b"]), "tags.0", "may not contain"),
    ("published as a string", _set("published", "yes"), "published", "valid boolean"),
    ("no questions", _set("questions", []), "questions", "at least 1"),
    ("too many questions", _set("questions", [single()] * 101), "questions", "at most 100"),
    ("empty question text", _set(Q + "text", ""), Q + "text", "at least 1"),
    ("long question text", _set(Q + "text", "q" * 501), Q + "text", "at most 500"),
    ("NUL in a text", _set(Q + "text", "a\x00b"), Q + "text", "control characters"),
    ("short time limit", _set(Q + "time_limit", 4), Q + "time_limit", "greater than or equal to 5"),
    ("long time limit", _set(Q + "time_limit", 241), Q + "time_limit", "less than or equal to 240"),
    ("time limit as a string", _set(Q + "time_limit", "20"), Q + "time_limit", "valid integer"),
    ("odd points", _set(Q + "points", 500), Q + "points", "0, 1000 or 2000"),
    ("unknown kind", _set(Q + "kind", "essay"), Q + "kind", "'single'"),
    ("question without a kind", _question({"text": "?"}), Q + "kind", "required"),
    ("question not an object", _set("questions.0", "?"), "questions.0", "object"),
    ("one option", _set(Q + "options", [{"text": "a", "correct": True}]), Q + "options", "at least 2"),
    ("seven options", _set(Q + "options", [{"text": f"{n}", "correct": n == 0} for n in range(7)]),
     Q + "options", "at most 6"),
    ("long option", _set(Q + "options.1.text", "o" * 121), Q + "options.1.text", "at most 120"),
    ("same option twice", _set(Q + "options.1.text", "Paris"), Q + "options", "different"),
    ("two correct in single", _set(Q + "options.1.correct", True), Q + "options", "exactly one correct"),
    ("none correct in multiple", _question({**ALL_KINDS[1], "options": [{"text": "a"}, {"text": "b"}]}),
     Q + "options", "at least one correct"),
    ("true_false with options", _question({**ALL_KINDS[2], "options": [{"text": "a"}]}), Q + "options",
     "Extra inputs"),
    ("true_false without answer", _question({"kind": "true_false", "text": "?"}), Q + "correct", "required"),
    ("type without answers", _question({**TYPE, "accepted": []}), Q + "accepted", "at least 1"),
    ("type with eleven answers", _question({**TYPE, "accepted": [f"a{n}" for n in range(11)]}),
     Q + "accepted", "at most 10"),
    ("type with a blank answer", _question({**TYPE, "accepted": ["Rome", " "]}), Q + "accepted.1",
     "at least 1"),
    ("slider max below min", _question({**SLIDER, "max": 1980}), Q + "max", "greater than min"),
    ("slider step zero", _question({**SLIDER, "step": 0}), Q + "step", "greater than 0"),
    ("slider answer out of range", _question({**SLIDER, "correct": 2011}), Q + "correct", "between"),
    ("slider negative tolerance", _question({**SLIDER, "tolerance": -1}), Q + "tolerance", "negative"),
    ("slider bound as a string", _question({**SLIDER, "min": "1990"}), Q + "min", "number"),
    ("slider bound as a boolean", _question({**SLIDER, "step": True}), Q + "step", "number"),
    ("ordering with a correct flag",
     _question({**ORDERING, "options": [{"text": "a", "correct": True}, {"text": "b"}]}),
     Q + "options.0.correct", "Extra inputs"),
    ("poll with points", _question({**ALL_KINDS[6], "points": 1000}), Q + "points", "points must be 0"),
]


@pytest.mark.parametrize(("change", "path", "message"), [case[1:] for case in INVALID],
                         ids=[case[0] for case in INVALID])
async def test_invalid_document_is_refused_with_its_path(client: httpx.AsyncClient, author: Any, db: Database,
                                                         change: Callable[[dict[str, Any]], None], path: str,
                                                         message: str) -> None:
    alice = await author("alice")
    document = copy.deepcopy(quiz_doc())
    change(document)
    response = await client.post("/quizzes", json=document, headers=alice.headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert any(field["path"] == path and message in field["message"] for field in error["fields"]), error
    assert await documents(db) == {}


async def test_unknown_quiz_is_404(client: httpx.AsyncClient, author: Any) -> None:
    alice = await author("alice")
    for quiz_id in (12345, 2**40):
        response = await client.get(f"/quizzes/{quiz_id}", headers=alice.headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_a_draft_is_not_found_by_anyone_but_its_owner_and_admins(client: httpx.AsyncClient,
                                                                       author: Any) -> None:
    alice, bob, root = await author("alice"), await author("bob"), await author("root", "admin")
    draft = await create(client, alice, quiz_doc(published=False))
    assert (await client.get(f"/quizzes/{draft['id']}")).status_code == 404
    assert (await client.get(f"/quizzes/{draft['id']}", headers=bob.headers)).status_code == 404
    assert (await client.get(f"/quizzes/{draft['id']}", headers=alice.headers)).json() == draft
    assert (await client.get(f"/quizzes/{draft['id']}", headers=root.headers)).json() == draft


async def test_others_see_a_published_quiz_without_solutions(client: httpx.AsyncClient, author: Any) -> None:
    alice, bob = await author("alice"), await author("bob")
    created = await create(client, alice, quiz_doc(questions=ALL_KINDS))
    for headers in ({}, bob.headers):
        view = (await client.get(f"/quizzes/{created['id']}", headers=headers)).json()
        assert view["owner"] == {"id": alice.id, "username": "alice"}
        for question, original in zip(view["questions"], created["questions"], strict=True):
            assert not {"correct", "accepted", "tolerance"} & question.keys()
            assert all(option.keys() == {"text"} for option in question.get("options", []))
            assert question["id"] == original["id"] and question["text"] == original["text"]
        slider = view["questions"][4]
        assert (slider["min"], slider["max"], slider["step"]) == (1990, 2010, 1)
    orders = set()
    for _ in range(6):
        view = (await client.get(f"/quizzes/{created['id']}", headers=bob.headers)).json()
        orders.add(tuple(option["text"] for option in view["questions"][5]["options"]))
    in_order = tuple(option["text"] for option in ORDERING["options"])
    assert all(sorted(order) == sorted(in_order) for order in orders)
    assert orders != {in_order}  # six shuffles of six items all in the right order: 1 in 720**6


async def test_load_quiz_document_is_the_whole_document_with_ids(client: httpx.AsyncClient, author: Any,
                                                                  db: Database) -> None:
    alice = await author("alice")
    created = await create(client, alice, quiz_doc(published=False, questions=ALL_KINDS))
    async with db.uow() as uow:
        snapshot = await load_quiz_document(uow, created["id"])
        missing = await load_quiz_document(uow, created["id"] + 1)
    assert missing is None
    assert snapshot == {"id": created["id"], "owner_id": alice.id, **without_ids(created),
                        "questions": created["questions"]}


# ---- replace and delete -----------------------------------------------------------------------------

async def test_put_replaces_the_whole_document(client: httpx.AsyncClient, author: Any, db: Database) -> None:
    alice = await author("alice")
    created = await create(client, alice, quiz_doc(questions=ALL_KINDS[:3]))
    replacement = quiz_doc(title="Rivers", description="", tags=["water"], published=False,
                           questions=[ALL_KINDS[6], ALL_KINDS[3]])
    response = await client.put(f"/quizzes/{created['id']}", json=replacement, headers=alice.headers)
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert without_ids(replaced) == replacement
    assert replaced["id"] == created["id"] and replaced["created_at"] == created["created_at"]
    assert replaced["updated_at"] >= created["updated_at"]
    assert (await client.get(f"/quizzes/{created['id']}", headers=alice.headers)).json() == replaced
    async with db.uow() as uow:
        positions = (await uow.session.scalars(select(Question.position).where(
            Question.quiz_id == created["id"]).order_by(Question.position))).all()
    assert positions == [0, 1]


async def test_put_refusals_change_nothing(client: httpx.AsyncClient, author: Any, db: Database) -> None:
    alice, bob = await author("alice"), await author("bob")
    published = await create(client, alice, quiz_doc())
    draft = await create(client, alice, quiz_doc(published=False))
    before = await documents(db)
    change = quiz_doc(title="Hijacked")
    cases = [
        (f"/quizzes/{published['id']}", {}, change, 401),
        (f"/quizzes/{published['id']}", bob.headers, change, 403),
        (f"/quizzes/{draft['id']}", bob.headers, change, 404),
        ("/quizzes/99999", alice.headers, change, 404),
        (f"/quizzes/{published['id']}", alice.headers, quiz_doc(questions=[]), 422),
        (f"/quizzes/{published['id']}", alice.headers, {**change, "owner": {"id": bob.id}}, 422),
    ]
    for path, headers, body, status in cases:
        response = await client.put(path, json=body, headers=headers)
        assert response.status_code == status, (path, status, response.text)
    assert await documents(db) == before


async def test_admin_may_change_and_delete_anyones_quiz(client: httpx.AsyncClient, author: Any,
                                                         db: Database) -> None:
    alice, root = await author("alice"), await author("root", "admin")
    draft = await create(client, alice, quiz_doc(published=False))
    edited = quiz_doc(title="Checked by an admin", published=False)
    response = await client.put(f"/quizzes/{draft['id']}", json=edited, headers=root.headers)
    assert response.status_code == 200
    assert response.json()["owner"] == {"id": alice.id, "username": "alice"}  # ownership stays
    assert without_ids(response.json()) == edited
    assert (await client.delete(f"/quizzes/{draft['id']}", headers=root.headers)).status_code == 204
    assert await documents(db) == {}


async def test_delete_removes_the_quiz_and_its_questions(client: httpx.AsyncClient, author: Any,
                                                         db: Database) -> None:
    alice = await author("alice")
    kept = await create(client, alice, quiz_doc(title="Kept"))
    gone = await create(client, alice, quiz_doc(questions=ALL_KINDS))
    response = await client.delete(f"/quizzes/{gone['id']}", headers=alice.headers)
    assert response.status_code == 204 and response.content == b""
    assert (await client.get(f"/quizzes/{gone['id']}", headers=alice.headers)).status_code == 404
    assert list(await documents(db)) == [kept["id"]]
    async with db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Question)) == 1


async def test_delete_refusals_change_nothing(client: httpx.AsyncClient, author: Any, db: Database) -> None:
    alice, bob = await author("alice"), await author("bob")
    published = await create(client, alice, quiz_doc())
    draft = await create(client, alice, quiz_doc(published=False))
    before = await documents(db)
    for path, headers, status in [(f"/quizzes/{published['id']}", {}, 401),
                                  (f"/quizzes/{published['id']}", bob.headers, 403),
                                  (f"/quizzes/{draft['id']}", bob.headers, 404),
                                  ("/quizzes/99999", alice.headers, 404)]:
        assert (await client.delete(path, headers=headers)).status_code == status, (path, status)
    assert await documents(db) == before


# ---- listing ----------------------------------------------------------------------------------------

async def _catalogue(client: httpx.AsyncClient, author: Any) -> tuple[Author, Author]:
    """alice: two published quizzes and a draft; bob: one published quiz and a draft."""
    alice, bob = await author("alice"), await author("bob")
    await create(client, alice, quiz_doc(title="Capitals of Europe", tags=["geo", "europe"]))
    await create(client, alice, quiz_doc(title="Rivers", tags=["geo"], published=False))
    await create(client, alice, quiz_doc(title="100% sure", description="facts_and figures", tags=["trivia"],
                                         questions=ALL_KINDS))
    await create(client, bob, quiz_doc(title="mountains", tags=["geo"]))
    await create(client, bob, quiz_doc(title="Bob's draft", published=False))
    return alice, bob


async def _titles(client: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None) -> list[str]:
    response = await client.get(f"/quizzes?{query}", headers=headers or {})
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_everyone_lists_published_quizzes_only(client: httpx.AsyncClient, author: Any) -> None:
    alice, bob = await _catalogue(client, author)
    page = (await client.get("/quizzes?sort=title")).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 20, 0)
    assert [item["title"] for item in page["items"]] == ["100% sure", "Capitals of Europe", "mountains"]
    sure = page["items"][0]
    assert set(sure) == {"id", "title", "description", "tags", "published", "owner", "question_count",
                         "created_at", "updated_at"}
    assert sure["owner"] == {"id": alice.id, "username": "alice"}
    assert (sure["question_count"], sure["tags"], sure["published"]) == (len(ALL_KINDS), ["trivia"], True)
    assert await _titles(client, "sort=title", bob.headers) == [item["title"] for item in page["items"]]


async def test_mine_lists_the_callers_quizzes_with_drafts(client: httpx.AsyncClient, author: Any) -> None:
    alice, bob = await _catalogue(client, author)
    assert await _titles(client, "mine=true&sort=title", alice.headers) == [
        "100% sure", "Capitals of Europe", "Rivers"]
    assert await _titles(client, "mine=true&sort=title", bob.headers) == ["Bob's draft", "mountains"]
    response = await client.get("/quizzes?mine=true")
    assert response.status_code == 401


async def test_search_is_case_insensitive_and_takes_wildcards_literally(client: httpx.AsyncClient,
                                                                        author: Any) -> None:
    alice, _ = await _catalogue(client, author)
    assert await _titles(client, "q=CAPITALS") == ["Capitals of Europe"]
    assert await _titles(client, "q=Figures") == ["100% sure"]  # in the description
    assert await _titles(client, "q=%25") == ["100% sure"]  # a literal %
    assert await _titles(client, "q=s_a") == ["100% sure"]  # a literal _ ("facts_and"), not "any character"
    assert await _titles(client, "q=rivers") == []  # a draft
    assert await _titles(client, "q=rivers&mine=true", alice.headers) == ["Rivers"]
    assert len(await _titles(client, "q=%20%20")) == 3  # blank means no filter


async def test_tag_filter(client: httpx.AsyncClient, author: Any) -> None:
    alice, _ = await _catalogue(client, author)
    assert await _titles(client, "tag=GEO&sort=title") == ["Capitals of Europe", "mountains"]
    mine = await _titles(client, "tag=geo&mine=true&sort=title", alice.headers)
    assert mine == ["Capitals of Europe", "Rivers"]
    assert await _titles(client, "tag=europe&q=capitals") == ["Capitals of Europe"]
    assert await _titles(client, "tag=nothing") == []


async def test_pages_cover_every_quiz_once(client: httpx.AsyncClient, author: Any) -> None:
    alice = await author("alice")
    for number in range(5):
        await create(client, alice, quiz_doc(title=f"Quiz {number}"))
    seen: list[str] = []
    for offset in (0, 2, 4):
        page = (await client.get(f"/quizzes?limit=2&offset={offset}&sort=created_at")).json()
        assert (page["total"], page["limit"], page["offset"]) == (5, 2, offset)
        seen += [item["title"] for item in page["items"]]
    assert seen == [f"Quiz {number}" for number in range(5)]
    beyond = (await client.get("/quizzes?offset=10")).json()
    assert beyond == {"items": [], "total": 5, "limit": 20, "offset": 10}


async def test_sort_orders(client: httpx.AsyncClient, author: Any) -> None:
    await _catalogue(client, author)
    assert await _titles(client, "sort=-title") == ["mountains", "Capitals of Europe", "100% sure"]
    assert await _titles(client, "sort=created_at") == ["Capitals of Europe", "100% sure", "mountains"]
    assert await _titles(client, "sort=-created_at") == ["mountains", "100% sure", "Capitals of Europe"]
    assert await _titles(client, "") == ["mountains", "100% sure", "Capitals of Europe"]  # -updated_at


@pytest.mark.parametrize(("query", "path"), [
    ("sort=owner_id", "sort"), ("sort=password_hash", "sort"), ("limit=101", "limit"), ("limit=0", "limit"),
    ("offset=-1", "offset"), ("offset=100001", "offset"), ("mine=perhaps", "mine"), ("q=" + "x" * 101, "q"),
])
async def test_list_parameters_are_capped_and_allow_listed(client: httpx.AsyncClient, query: str,
                                                           path: str) -> None:
    response = await client.get(f"/quizzes?{query}")
    assert response.status_code == 422
    assert [field["path"] for field in response.json()["error"]["fields"]] == [path]
