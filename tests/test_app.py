"""The app's shared behaviour: health, errors in PROTOCOL.md's shape, limits, OpenAPI, docs."""

from __future__ import annotations

import httpx


async def test_health_reports_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "disabled",
        "node": "test-node",
        "rooms": {"owned": 0, "served": 0, "draining": False},
    }


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


async def test_authentication_comes_before_body_validation(client: httpx.AsyncClient) -> None:
    response = await client.post("/quizzes", json={"title": ""})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_oversized_body_is_refused_with_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/auth/register",
        content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


async def test_malformed_json_is_a_clear_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/auth/login", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]


async def test_streamed_body_over_the_limit_is_refused_too(client: httpx.AsyncClient) -> None:
    async def chunks():  # no Content-Length: the limit is counted as the body arrives
        for _ in range(20):
            yield b" " * 65536

    response = await client.post(
        "/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_a_bug_answers_500_without_a_stack_trace(app: object) -> None:
    from starlette.routing import Route

    async def boom(request: object) -> None:
        raise RuntimeError("secret internals")

    app.router.routes.append(Route("/boom", boom))  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error", "message": "Internal server error"}}
    assert "secret internals" not in response.text


async def test_join_links_use_public_url_when_set(settings: object, db: object) -> None:
    from dataclasses import replace

    from server.app import create_app

    app = create_app(replace(settings, public_url="https://quiz.example/"), database=db)  # type: ignore[type-var]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://internal:8000") as http:
            svg = (await http.get("/qr.svg", params={"pin": "123456"})).text
    assert "https://quiz.example/play?pin=123456" in svg
    assert "internal" not in svg
