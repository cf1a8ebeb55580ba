"""Declaring REST operations once: the route, its input validation, and its OpenAPI entry.

A handler is `async def handler(request, **inputs)`; the decorator validates the JSON (or form)
body and the query string against pydantic models and passes them as `body=` and `query=`.
A returned Response goes out as is; any other value is encoded as JSON with the declared status.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.auth import require_user
from server.errors import BadRequest, FieldError, ValidationFailed
from server.jsonio import JSONDecodeError, json_response, loads

Handler = Callable[..., Awaitable[Any]]
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class Operation:
    """One method on one path, with what it takes and gives, for routing and for OpenAPI."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    auth: bool = False
    accepts_form: bool = False
    raw_body: dict[str, str] = field(default_factory=dict)  # content type -> description, for imports


class Api:
    """A group of operations (one REST area) that turns into Starlette routes."""

    def __init__(self, tag: str):
        self.tag = tag
        self.operations: list[Operation] = []

    def operation(self, method: str, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.operations.append(Operation(method, path, handler, summary, self.tag, **options))
            return handler

        return register

    def get(self, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.operation("GET", path, summary, **options)

    def post(self, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.operation("POST", path, summary, status=options.pop("status", 200), **options)

    def put(self, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.operation("PUT", path, summary, **options)

    def delete(self, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.operation("DELETE", path, summary, status=options.pop("status", 204), **options)

    def routes(self) -> list[Route]:
        return [Route(op.path, _endpoint(op), methods=[op.method]) for op in self.operations]


def _endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        inputs: dict[str, Any] = {}
        if op.auth:  # who you are comes before what you sent: anonymous gets 401, not 422
            await require_user(request)
        if op.body is not None:
            # Bodies parse strictly: JSON has types, so `true` is no id and "5" is no number. (A
            # form's values are all strings; the operations that take forms take only strings.)
            inputs["body"] = validate(op.body, await read_payload(request, op.accepts_form), strict=True)
        if op.query is not None:
            inputs["query"] = validate(op.query, dict(request.query_params))
        result = await op.handler(request, **inputs)
        if isinstance(result, Response):
            return result
        if result is None:
            return Response(status_code=op.status)
        return json_response(_plain(result), status_code=op.status)

    endpoint.__name__ = op.handler.__name__
    endpoint.__doc__ = inspect.getdoc(op.handler)
    return endpoint


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


async def read_payload(request: Request, accepts_form: bool = False) -> Any:
    """The body as a JSON value (or a form, where the operation accepts one)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if accepts_form and content_type in FORM_TYPES:
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    raw = await request.body()
    if not raw.strip():
        raise BadRequest("Request body must be a JSON document")
    try:
        return loads(raw)
    except JSONDecodeError as exc:
        raise BadRequest(f"Request body is not valid JSON: {exc}") from None


def field_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as PROTOCOL.md `fields`: a dotted path and a readable message."""
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in err["loc"]) or "$"
        message = err["msg"].removeprefix("Value error, ")
        out.append(FieldError(path=path, message=message))
    return out


def validate(model: type[BaseModel], data: Any, strict: bool | None = None) -> Any:
    """`data` as `model`, or ValidationFailed with every field at fault. Query strings are validated
    laxly (everything in them is text); JSON bodies strictly."""
    try:
        return model.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise ValidationFailed("Input is not valid", fields=field_errors(exc)) from None
