"""/health with and without Redis, and /openapi.json covering every declared operation."""

from __future__ import annotations

import secrets

import httpx
import pytest

from persistence.db import Database
from rooms.core.settings import GameSettings
from rooms.node import NewRoom
from server.app import _operations, create_app
from server.config import Settings
from tests.services import REDIS_URL, need_redis


async def _health(settings: Settings, db: Database) -> httpx.Response:
    app = create_app(settings, database=db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.get("/health")


@pytest.mark.redis
async def test_health_checks_redis_when_configured(settings: Settings, db: Database) -> None:
    need_redis()
    prefix = f"test-{secrets.token_hex(4)}"  # this node's rooms and channels: nobody else's
    settings = Settings(**{**settings.__dict__, "redis_url": REDIS_URL, "redis_prefix": prefix})
    response = await _health(settings, db)
    assert response.status_code == 200
    assert response.json()["redis"] == "ok"


async def test_health_counts_the_rooms_and_a_draining_node_is_degraded(
    settings: Settings, db: Database
) -> None:
    app = create_app(settings, database=db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            node = app.state.node
            assert await node.store.reserve_pin("123456")
            await node.open_game("123456", NewRoom(1, "Quiz", GameSettings(), [], "token", None))
            body = (await http.get("/health")).json()
            assert body["rooms"] == {"owned": 1, "served": 0, "draining": False}
            node.accepting = False  # SIGTERM: the load balancer must stop sending players here
            response = await http.get("/health")
            assert response.status_code == 503 and response.json()["rooms"]["draining"] is True


async def test_health_is_degraded_when_redis_is_down(settings: Settings, db: Database) -> None:
    settings = Settings(**{**settings.__dict__, "redis_url": "redis://127.0.0.1:1/0"})
    response = await _health(settings, db)
    assert response.status_code == 503
    assert response.json()["status"] == "degraded" and response.json()["redis"] == "down"


async def test_openapi_describes_every_operation(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    for op in _operations():
        path = op.path.replace(":int", "")
        entry = doc["paths"][path][op.method.lower()]
        assert entry["summary"], path
        assert entry["responses"]["default"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/Error"
        )
        if op.body is not None:
            assert entry["requestBody"]["content"]["application/json"]["schema"], path
        if op.response is not None:
            assert entry["responses"][str(op.status)]["content"]["application/json"]["schema"], path
        if op.auth:
            assert entry["security"] == [{"bearer": []}]
    for ref in _refs(doc["paths"]):
        assert ref.split("/")[-1] in doc["components"]["schemas"], ref


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
