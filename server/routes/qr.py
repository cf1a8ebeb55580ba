"""The join link of a game as a QR code, drawn here as SVG so the host page loads nothing from elsewhere."""

from __future__ import annotations

import io
from typing import Annotated

import segno
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from server.api import Api

api = Api("qr")

SVG_TYPE = "image/svg+xml"


class QrQuery(BaseModel):
    """Which game's join link to encode."""

    model_config = ConfigDict(extra="ignore")

    pin: Annotated[str, Field(pattern=r"^\d{6}$", description="the game's 6-digit PIN")]


def join_url(request: Request, pin: str) -> str:
    """The link phones open: `PUBLIC_URL` (what players can reach, e.g. behind a proxy) or else the
    address this request came to, then /play with the PIN filled in."""
    base = request.app.state.settings.public_url or str(request.base_url)
    return f"{base.rstrip('/')}/play?pin={pin}"


def qr_svg(data: str) -> bytes:
    """A QR code of `data` as a standalone SVG (medium error correction, a 4-module quiet zone)."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer, kind="svg", scale=8, border=4, dark="#1b1530", light="#ffffff", xmldecl=False,
        svgclass=None, lineclass=None, omitsize=True, title=data,
    )
    return buffer.getvalue()


@api.get("/qr.svg", "The join link of a game (`/play?pin=...`) as a QR code in SVG", query=QrQuery)
async def join_qr(request: Request, query: QrQuery) -> Response:
    """Only a PIN goes in, so this cannot be used to draw arbitrary codes; nothing about the game
    is revealed (the code is drawn whether or not a room holds that PIN)."""
    return Response(
        qr_svg(join_url(request, query.pin)),
        media_type=SVG_TYPE,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
