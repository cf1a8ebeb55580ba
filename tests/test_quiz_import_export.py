"""Quiz import and export: exact JSON and CSV round trips for every kind, permissions, and error reports."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from persistence.db import Database
from server.quiz_csv import COLUMNS
from tests.test_quizzes import Author, Signup, documents, new_author, quiz_doc, without_ids

CSV_HEADERS = {"Content-Type": "text/csv"}

# Every kind, with texts that CSV and JSON must carry exactly: separators, quotes, line breaks,
# unicode, formula-like starts, and `;` and `\` in accepted answers.
TRICKY: dict[str, Any] = {
    "title": 'Quotes "and", commas — ünïcödé 🎉',
    "description": 'Line one,\nline "two"\n=not a formula',
    "tags": ["geo", "ünï", "-dash"],
    "published": True,
    "questions": [
        {"kind": "single", "text": 'Capital, of "France"?\nPick one', "time_limit": 5, "points": 2000,
         "options": [{"text": "Paris, obviously", "correct": True}, {"text": "=1+1", "correct": False},
                     {"text": "'quoted'", "correct": False}]},
        {"kind": "multiple", "text": "Rivers 🌊", "time_limit": 240, "points": 1000,
         "options": [{"text": "Rhine", "correct": True}, {"text": "Alps", "correct": False},
                     {"text": "Donau\nDanube", "correct": True}, {"text": "@handle", "correct": False},
                     {"text": "+plus", "correct": False}, {"text": "-minus", "correct": True}]},
        {"kind": "true_false", "text": "Ist Köln am Rhein?", "time_limit": 20, "points": 0, "correct": True},
        {"kind": "true_false", "text": "false?", "time_limit": 20, "points": 1000, "correct": False},
        {"kind": "type", "text": "Name it", "time_limit": 30, "points": 1000,
         "accepted": ["'=x", "Paris, France", "a;b", "back\\slash", "trailing\\", "Zürich \"Z\""]},
        {"kind": "slider", "text": "Pi-ish", "time_limit": 20, "points": 1000,
         "min": -10, "max": 10.5, "step": 0.1, "correct": 3.14, "tolerance": 0.05},
        {"kind": "slider", "text": "Whole", "time_limit": 20, "points": 2000,
         "min": 0, "max": 100.0, "step": 1, "correct": 42, "tolerance": 0},
        {"kind": "ordering", "text": "Order", "time_limit": 20, "points": 1000,
         "options": [{"text": 'first, "1"'}, {"text": "second\nline"}, {"text": "dritter"}]},
        {"kind": "poll", "text": "Favourite?", "time_limit": 20, "points": 0,
         "options": [{"text": "🍕"}, {"text": "寿司"}]},
    ],
}


@pytest.fixture
def author(client: httpx.AsyncClient, signup: Signup, db: Database) -> Callable[..., Awaitable[Author]]:
    async def make(name: str, role: str = "user") -> Author:
        return await new_author(client, signup, db, name, role)

    return make


async def export(client: httpx.AsyncClient, who: Author, quiz_id: int, fmt: str) -> httpx.Response:
    response = await client.get(f"/quizzes/{quiz_id}/export?format={fmt}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response


async def import_csv(client: httpx.AsyncClient, who: Author, text: str | bytes) -> httpx.Response:
    content = text.encode() if isinstance(text, str) else text
    return await client.post("/quizzes/import", content=content, headers={**who.headers, **CSV_HEADERS})


async def test_json_round_trip_is_exact_for_every_kind(client: httpx.AsyncClient, author: Any) -> None:
    alice = await author("alice")
    created = (await client.post("/quizzes", json=TRICKY, headers=alice.headers)).json()
    exported = await export(client, alice, created["id"], "json")
    assert exported.headers["content-type"] == "application/json"
    assert exported.headers["content-disposition"] == (
        f'attachment; filename="quiz-{created["id"]}-quotes-and-commas-unicode.json"')
    assert exported.json() == TRICKY
    imported = await client.post("/quizzes/import", content=exported.content,
                                 headers={**alice.headers, "Content-Type": "application/json"})
    assert imported.status_code == 201, imported.text
    assert imported.json()["id"] != created["id"]
    assert without_ids(imported.json()) == TRICKY
    assert (await export(client, alice, imported.json()["id"], "json")).content == exported.content


async def test_csv_round_trip_is_exact_for_every_kind(client: httpx.AsyncClient, author: Any) -> None:
    alice = await author("alice")
    created = (await client.post("/quizzes", json=TRICKY, headers=alice.headers)).json()
    exported = await export(client, alice, created["id"], "csv")
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.headers["content-disposition"].endswith('.csv"')
    imported = await import_csv(client, alice, exported.content)
    assert imported.status_code == 201, imported.text
    assert without_ids(imported.json()) == TRICKY
    assert (await export(client, alice, imported.json()["id"], "csv")).content == exported.content


async def test_csv_export_layout(client: httpx.AsyncClient, author: Any) -> None:
    alice = await author("alice")
    created = (await client.post("/quizzes", json=TRICKY, headers=alice.headers)).json()
    rows = list(csv.reader(io.StringIO((await export(client, alice, created["id"], "csv")).text, newline="")))
    assert rows[:4] == [["title", TRICKY["title"]], ["description", TRICKY["description"]],
                        ["tags", "geo;ünï;-dash"], ["published", "true"]]
    assert rows[4] == list(COLUMNS)
    cells = [dict(zip(COLUMNS, row, strict=True)) for row in rows[5:]]
    assert [row["kind"] for row in cells] == [question["kind"] for question in TRICKY["questions"]]
    single, multiple, true_false, _, typed, slider, _, ordering, _ = cells
    assert (single["option2"], single["option3"], single["correct"]) == ("'=1+1", "''quoted'", "1")
    assert (multiple["option4"], multiple["correct"]) == ("'@handle", "1;3;6")
    assert true_false["correct"] == "true" and true_false["option1"] == ""
    assert typed["accepted"] == "''=x;Paris, France;a\\;b;back\\\\slash;trailing\\\\;Zürich \"Z\""
    slider_cells = [slider[column] for column in ("min", "max", "step", "correct", "tolerance")]
    assert slider_cells == ["-10", "10.5", "0.1", "3.14", "0.05"]
    assert ordering["correct"] == "" and ordering["option2"] == "second\nline"


HAND_WRITTEN = """\ufefftitle,Capitals
published,TRUE

text,kind,option1,option2,option3,correct,accepted,min,max,step
Capital of France?,single,Paris,,Lyon,3,,,,
Rivers?,multiple,Rhine,Alps,Danube, 1 ; 3 ,,,,
Is Paris in France?,true_false,,,,False,,,,
Capital of Italy?,type,,,,,Rome;;Roma;C:\\Roma;,,,
How many?,slider,,,,7,,0,10,1
"""


async def test_csv_import_of_a_hand_written_sheet(client: httpx.AsyncClient, author: Any) -> None:
    """Columns in any order or left out, a BOM, blank rows, a gap in the options, spaces, any case."""
    alice = await author("alice")
    response = await import_csv(client, alice, HAND_WRITTEN)
    assert response.status_code == 201, response.text
    single, multiple, true_false, typed, slider = response.json()["questions"]
    assert response.json()["title"] == "Capitals" and response.json()["published"] is True
    assert single["options"] == [{"text": "Paris", "correct": False}, {"text": "Lyon", "correct": True}]
    assert [option["correct"] for option in multiple["options"]] == [True, False, True]
    assert (true_false["correct"], true_false["time_limit"], true_false["points"]) == (False, 20, 1000)
    assert typed["accepted"] == ["Rome", "Roma", "C:\\Roma"]
    assert (slider["min"], slider["max"], slider["correct"], slider["tolerance"]) == (0, 10, 7, 0)


BAD_ROWS = """title,Broken
kind,text,time_limit,points,option1,option2,option3,correct,accepted,min,max,step,tolerance
single,Fine,20,1000,a,b,,1,,,,,
single,Two right,20,1000,a,b,,1;2,,,,,
essay,What?,,,,,,,,,,,
true_false,"A text
over two lines",abc,750,x,,,maybe,,,,,
slider,Range,,,,,,50,,100,0,1,
ordering,Order,,,a,b,,2,,,,,
type,,,,,,,,Rome,,,,
multiple,Gap,,,a,,c,1;2,,,,,
"""


async def test_a_bad_csv_reports_every_bad_row_and_imports_nothing(client: httpx.AsyncClient, author: Any,
                                                                   db: Database) -> None:
    alice = await author("alice")
    response = await import_csv(client, alice, BAD_ROWS)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    found = {(field["line"], field["path"]) for field in error["fields"]}
    assert found == {
        (4, "correct"),  # two correct options in a single choice question
        (5, "kind"),
        (6, "option1"), (6, "time_limit"), (6, "points"), (6, "correct"),  # the row starts on line 6
        (8, "max"),  # max 0 is below min 100
        (9, "correct"),  # ordering takes no correct
        (10, "text"),
        (11, "correct"),  # option2 is empty
    }
    messages = {(field["line"], field["path"]): field["message"] for field in error["fields"]}
    assert "exactly one correct" in messages[(4, "correct")]
    assert "true or false" in messages[(6, "correct")]
    assert "option2 is empty" in messages[(11, "correct")]
    assert await documents(db) == {}


@pytest.mark.parametrize(("text", "expected"), [
    ("kind,text\nsingle,x\n", {(None, "title"), (2, "options")}),
    ("title,\ntitle,Again\ncolour,red\npublished,maybe\nkind,text\ntrue_false,x,\n",
     {(1, "title"), (2, "title"), (3, "colour"), (4, "published"), (6, "correct")}),
    ("title,T\nkind,text,colour,points,points\n", {(2, "colour"), (2, "points")}),
    ("title,T\nkind,points\n", {(2, "text")}),
    ("title,T\nkind,text\n", {(None, "questions")}),
    ("title,T\nsingle,x,a,b\n", {(None, "header")}),
    ("title,T\nkind,text\npoll,x,extra\n", {(3, "row"), (3, "options")}),
    ("title,T\nkind,text\n" + "poll,x\n" * 101,  # rows past the 100th are not read
     {(103, "questions"), *{(line, "options") for line in range(3, 103)}}),
    ("title,T\ndescription,kind\nkind,text\npoll,x,a,b\n", {(4, "row"), (4, "options")}),
])
async def test_csv_structure_problems(client: httpx.AsyncClient, author: Any, db: Database, text: str,
                                      expected: set[tuple[int | None, str]]) -> None:
    alice = await author("alice")
    response = await import_csv(client, alice, text)
    assert response.status_code == 422, response.text
    assert {(field.get("line"), field["path"]) for field in response.json()["error"]["fields"]} == expected
    assert await documents(db) == {}


async def test_import_refusals(client: httpx.AsyncClient, author: Any, db: Database) -> None:
    alice = await author("alice")
    json_headers = {**alice.headers, "Content-Type": "application/json"}
    anonymous = await client.post("/quizzes/import", json=quiz_doc())
    assert anonymous.status_code == 401
    bad_document = await client.post("/quizzes/import", json=quiz_doc(owner=1), headers=alice.headers)
    assert bad_document.status_code == 422
    fields = bad_document.json()["error"]["fields"]
    assert fields == [{"path": "owner", "message": "Extra inputs are not permitted"}]
    assert (await client.post("/quizzes/import", content=b"{", headers=json_headers)).status_code == 400
    xml = await client.post("/quizzes/import", content=b"<quiz/>",
                            headers={**alice.headers, "Content-Type": "application/xml"})
    assert xml.status_code == 400
    latin1 = await import_csv(client, alice, "title,Café\nkind,text\npoll,x,a,b\n".encode("latin-1"))
    assert latin1.status_code == 400
    assert await documents(db) == {}


async def test_only_the_owner_and_admins_may_export(client: httpx.AsyncClient, author: Any) -> None:
    alice, bob, root = await author("alice"), await author("bob"), await author("root", "admin")
    published = (await client.post("/quizzes", json=quiz_doc(), headers=alice.headers)).json()
    draft = (await client.post("/quizzes", json=quiz_doc(published=False), headers=alice.headers)).json()
    cases = [(published, {}, "json", 401), (published, bob.headers, "json", 403),
             (published, bob.headers, "csv", 403), (draft, bob.headers, "csv", 404),
             ({"id": 99999}, alice.headers, "json", 404), (published, alice.headers, "xml", 422)]
    for quiz, headers, fmt, status in cases:
        response = await client.get(f"/quizzes/{quiz['id']}/export?format={fmt}", headers=headers)
        assert response.status_code == status, (quiz["id"], fmt, status)
        assert "correct" not in response.text
    assert (await export(client, root, draft["id"], "json")).json() == quiz_doc(published=False)
    assert (await export(client, alice, published["id"], "json")).json() == quiz_doc()
