"""The app's shared behaviour: health, errors in PROTOCOL.md's shape, limits, OpenAPI, docs."""

from __future__ import annotations

import httpx


async def test_health_reports_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "disabled", "node": "test-node"}


async def test_unknown_path_is_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_wrong_method_is_json_405(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]


async def test_openapi_lists_every_route(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    assert "get" in doc["paths"]["/health"]
    assert doc["paths"]["/health"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]


async def test_docs_page_is_served_locally(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "http://" not in response.text and "https://" not in response.text
