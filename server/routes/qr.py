"""The join link of a game as a QR code, drawn here as SVG so the host page loads nothing from elsewhere."""

from __future__ import annotations

import io
import ipaddress
import socket
from pathlib import Path
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


ALL_INTERFACES = frozenset({"0.0.0.0", "::", ""})
# A UDP socket "connected" to an address outside the machine sends nothing, but makes the kernel
# pick the interface of the default route: the address other devices on the network see.
ROUTE_PROBE = ("10.255.255.255", 1)


def is_loopback(host: str | None) -> bool:
    """Whether `host` (a name or an address) only reaches this machine."""
    if not host:
        return False
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local or ip.is_multicast)


def lan_address() -> str | None:
    """This machine's IPv4 address on the local network (the default route's interface), or None
    when it has none (offline, loopback only)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(ROUTE_PROBE)
            address = probe.getsockname()[0]
        if _usable(address):
            return str(address)
    except OSError:
        pass  # no default route: try the addresses the host name resolves to
    try:
        candidates = socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        return None
    return next((address for address in candidates if _usable(address)), None)


CONTAINER_MARKERS = (Path("/.dockerenv"), Path("/run/.containerenv"))  # Docker, Podman


def in_container(markers: tuple[Path, ...] = CONTAINER_MARKERS) -> bool:
    """Whether this process runs in a container, whose own address (a bridge network's) is not the
    one phones reach: there only `PUBLIC_URL` can say it."""
    return any(marker.exists() for marker in markers)


def join_base(request: Request) -> str:
    """The base URL players' phones should open. `PUBLIC_URL` when set (e.g. behind a proxy);
    else, when the host's browser came in over loopback and the server listens on the network
    (`lan_address` is set), this machine's LAN address on the same port; else the address this
    request came to."""
    settings = request.app.state.settings
    if settings.public_url:
        return str(settings.public_url).rstrip("/")
    url = request.base_url
    if settings.lan_address and is_loopback(url.hostname):
        port = f":{url.port}" if url.port else ""
        return f"{url.scheme}://{settings.lan_address}{port}"
    return str(url).rstrip("/")


def join_url(request: Request, pin: str) -> str:
    """The link phones open: the join base, then /play with the PIN filled in."""
    return f"{join_base(request)}/play?pin={pin}"


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
