"""Fast JSON in and out (orjson), shared by REST and the WebSocket edge."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


loads = orjson.loads
JSONDecodeError = orjson.JSONDecodeError


def json_response(value: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(value), status_code=status_code, headers=headers, media_type="application/json")
