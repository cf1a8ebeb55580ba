"""Demo content: added once, valid, and playable."""

from __future__ import annotations

import httpx

from persistence.db import Database
from server.seed import seed_demo


async def test_seed_adds_demo_content_once(db: Database, client: httpx.AsyncClient) -> None:
    assert await seed_demo(db) is True
    assert await seed_demo(db) is False
    listing = (await client.get("/quizzes")).json()
    assert {item["title"] for item in listing["items"]} == {"World Capitals", "Science Sprint"}
    login = await client.post("/auth/login", json={"username": "host", "password": "host-password"})
    assert login.status_code == 200
