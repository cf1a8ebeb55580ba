"""Schemathesis against the app's own /openapi.json on SQLite: generated requests, valid and invalid,
for every operation, with every check it has; the description must match what the server does."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from persistence.db import Database
from persistence.models import Base
from server.accounts import create_user
from server.app import APIS, create_app
from server.config import Settings
from server.passwords import Passwords
from server.tokens import issue_access_token
from tests.conftest import TEST_SECRET, run_blocking

EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", 15))
load_all_checks()
EVERY_CHECK = CHECKS.get_all()  # not only the default set: 405s and Allow, auth, stale resources too
SOON = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
QUIZ_DOCUMENT_BODIES = {("POST", "/quizzes"), ("PUT", "/quizzes/{id}"), ("POST", "/quizzes/import")}


def _distinct_texts(options: list[Any]) -> None:
    seen: set[str] = set()
    for index, option in enumerate(options):
        if isinstance(option, dict) and isinstance(option.get("text"), str):
            text = option["text"].strip()
            if text in seen:
                text = option["text"] = f"option {index}"
            seen.add(text)


def _slider(question: dict[str, Any]) -> None:
    low, high = question.get("min"), question.get("max")
    numbers = (low, high, question.get("step"), question.get("correct"))
    if not all(isinstance(n, int | float) for n in numbers):
        return
    if low >= high:
        low, high = (high, low) if high < low else (low, low + 1) if low < 1e9 else (low - 1, low)
        question["min"], question["max"] = low, high
    question["step"] = min(question["step"], high - low)
    question["correct"] = min(max(question["correct"], low), high)


def satisfy_cross_field_rules(case: schemathesis.Case) -> schemathesis.Case:
    """Makes a generated quiz document keep the rules that tie one field to another, which JSON
    Schema cannot state and which the document's descriptions spell out: option texts differ once
    trimmed, and a slider's min < max, step <= max - min, min <= correct <= max; an analytics range's
    `from` is not after its `to`; an assignment's due date is in the future; a scheduled session
    starts within the year ahead and invites existing accounts. Everything else in
    the case is left as generated."""
    query = case.query if isinstance(case.query, dict) else {}
    if case.path.startswith("/analytics/") and str(query.get("from", "")) > str(query.get("to", "~")):
        query["from"], query["to"] = query["to"], query["from"]  # a range's `from` is not after its `to`
    if (case.method, case.path) == ("POST", "/assignments") and isinstance(case.body, dict):
        case.body["due_at"] = "2099-01-01T00:00:00Z"  # a due date is in the future
    if (case.method, case.path) == ("POST", "/games/scheduled") and isinstance(case.body, dict):
        case.body["starts_at"] = SOON  # within the year ahead, as its description says
        case.body["invitees"] = []  # existing accounts only
    if (case.method, case.path) in QUIZ_DOCUMENT_BODIES and isinstance(case.body, dict):
        for question in case.body.get("questions") or []:
            if not isinstance(question, dict):
                continue
            if isinstance(question.get("options"), list):
                _distinct_texts(question["options"])
            if question.get("kind") == "slider":
                _slider(question)
    return case


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[schemathesis.BaseSchema, dict[str, str]]]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('schemathesis')}/api.db"

    async def prepare() -> int:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        await engine.dispose()
        database = Database.from_url(url, poolclass=NullPool)
        async with database.uow() as uow:
            user = await create_user(uow, "schemathesis", "st@example.com", "a long password",
                                     passwords=Passwords(1, time_cost=1, memory_cost=1024, parallelism=1))
            await uow.commit()
        await database.dispose()
        return user.id

    holder: list[int] = []

    async def run() -> None:
        holder.append(await prepare())

    run_blocking(run())
    config = Settings(env="test", secret_key=TEST_SECRET, node_id="schemathesis", seed_demo=False,
                      data_dir=tmp_path_factory.mktemp("data"))  # uploaded images land here
    app = create_app(config, database=Database.from_url(url, poolclass=NullPool))
    app.state.password_hasher = Passwords(4, time_cost=1, memory_cost=1024, parallelism=1)
    token = issue_access_token(config, holder[0], "user")
    yield schemathesis.openapi.from_asgi("/openapi.json", app), {"Authorization": f"Bearer {token}"}


# Any text is a well-formed name or assignment code (a wrong one is a 404).
ANY_TEXT_PATHS = {
    ("GET", "/images/{name}"),
    ("GET", "/assignments/code/{code}"),
    ("POST", "/assignments/code/{code}/attempts"),
}


def _cases() -> list[tuple[str, str, GenerationMode]]:
    """Every operation with valid input, and with invalid input where some of its input can be
    invalid (a body, a query, or a path parameter that is not any text)."""
    cases = []
    for group in APIS:
        for op in group.operations:
            path = re.sub(r"{(\w+):\w+}", r"{\1}", op.path)
            cases.append((op.method, path, GenerationMode.POSITIVE))
            has_input = op.body is not None or op.query is not None or bool(op.raw_body) or "{" in path
            if has_input and (op.method, path) not in ANY_TEXT_PATHS:
                cases.append((op.method, path, GenerationMode.NEGATIVE))
    return sorted(cases, key=lambda case: (case[1], case[0], case[2].value))


CASES = _cases()


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES])
def test_the_api_does_what_its_description_says(
    api: tuple[schemathesis.BaseSchema, dict[str, str]], method: str, path: str, mode: GenerationMode
) -> None:
    schema, headers = api
    operation = schema[path][method]
    cases = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.POSITIVE:
        # A CSV import is any text to JSON Schema; what makes one valid is in its description and
        # tests/test_quiz_import_export.py.
        cases = cases.filter(lambda case: case.media_type != "text/csv").map(satisfy_cross_field_rules)

    @given(case=cases)
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
              database=None, derandomize=os.environ.get("SCHEMATHESIS_RANDOM") is None)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=EVERY_CHECK)

    check()
