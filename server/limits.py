"""Request body size limit as ASGI middleware: counted as it arrives, never trusted from headers alone."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import TooLarge, render


class BodySizeLimit:
    """Refuses HTTP bodies over `limit` bytes with 413 before a handler buffers them. `larger` gives a
    few paths (image uploads) their own limit and the message that says it in plain words."""

    def __init__(self, app: ASGIApp, limit: int, larger: Mapping[str, tuple[int, str]] | None = None):
        self.app = app
        self.limit = limit
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        default = (self.limit, f"Request body is over {self.limit} bytes")
        limit, refusal = self.larger.get(scope["path"], default)
        too_large = TooLarge(refusal)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await render(too_large)(scope, receive, send)
                return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large
            return message

        await self.app(scope, counting_receive, send)
