"""The browser pages (static/*.html): served with a Content-Security-Policy that allows nothing but
this server, as a second line behind the pages' own rule of inserting every user text as text."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
PAGES = {
    "/": "index.html",
    "/play": "play.html",
    "/host": "host.html",
    "/author": "author.html",
    "/me": "me.html",
    "/duel": "duel.html",
    "/leaderboard": "leaderboard.html",
    "/reports": "reports.html",
    "/report": "report.html",
    "/analytics": "analytics.html",
    "/assign": "assignments.html",
    "/assignment": "assignment.html",
}
# Scripts, styles, images and sockets from this origin only ('self' covers ws:/wss: to it); the
# answer-tick image in the stylesheet is a data: URL. No framing: the host screen cannot be
# overlaid by another site.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}


def _page(filename: str):  # noqa: ANN202 - a Starlette endpoint
    async def page(request: Request) -> Response:
        return FileResponse(STATIC_DIR / filename, media_type="text/html", headers=HEADERS)

    return page


routes = [Route(path, _page(name), include_in_schema=False) for path, name in PAGES.items()]
