"""Demo content for a fresh install: two accounts and two published quizzes, added once."""

from __future__ import annotations

import json
from pathlib import Path

from persistence.db import Database
from persistence.models import Quiz
from server.accounts import create_user
from server.quiz_document import QuizDocument
from server.quiz_views import apply_meta, question_rows, tag_rows

DEMO_QUIZZES = Path(__file__).with_name("demo_quizzes.json")
DEMO_USERS = (("host", "host@example.com", "host-password"), ("demo", "demo@example.com", "demo-password"))


async def seed_demo(database: Database) -> bool:
    """Adds the demo users and quizzes unless the `host` user exists; returns whether it added them."""
    async with database.uow() as uow:
        if await uow.users.by_username("host") is not None:
            return False
        users = [await create_user(uow, *credentials) for credentials in DEMO_USERS]
        for raw in json.loads(DEMO_QUIZZES.read_text()):
            document = QuizDocument.model_validate(raw)
            quiz = Quiz(owner_id=users[0].id)
            apply_meta(quiz, document)
            await uow.quizzes.create(quiz, question_rows(document), tag_rows(document))
        await uow.commit()
    return True
