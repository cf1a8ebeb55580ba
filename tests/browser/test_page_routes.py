"""The server side of the pages (no browser needed): the pages and their security headers, and
GET /qr.svg, the join link of a PIN as a QR code drawn on the server."""

from __future__ import annotations

import httpx

from server.routes.pages import PAGES
from server.routes.qr import qr_svg


async def test_qr_code_of_the_join_link(client: httpx.AsyncClient) -> None:
    response = await client.get("/qr.svg", params={"pin": "012345"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["x-content-type-options"] == "nosniff"
    svg = response.text
    assert svg.startswith("<svg") and "viewBox" in svg  # scales to any size in an <img>
    assert "<title>http://testserver/play?pin=012345</title>" in svg
    assert svg == qr_svg("http://testserver/play?pin=012345").decode()


async def test_qr_code_takes_only_a_pin(client: httpx.AsyncClient) -> None:
    for params in ({"pin": "12345"}, {"pin": "abcdef"}, {"pin": "https://evil.example"}, {}):
        response = await client.get("/qr.svg", params=params)
        assert response.status_code == 422
        assert response.json()["error"]["fields"][0]["path"] == "pin"



async def test_pages_are_served_with_a_strict_content_security_policy(client: httpx.AsyncClient) -> None:
    for path in PAGES:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "http://" not in response.text and "https://" not in response.text  # nothing from elsewhere
        assert "<script type=\"module\" src=\"/static/js/" in response.text
