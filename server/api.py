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
    # Bodies the handler reads itself (imports): content type -> the model it validates against, or
    # a description of the text it parses.
    raw_body: dict[str, type[BaseModel] | str] = field(default_factory=dict)
    # Error statuses beyond those the operation's shape implies (see server/openapi.py).
    errors: tuple[int, ...] = ()
    optional_auth: bool = False  # a bearer token is optional, and a bad one is a 401
    # Other media types the success answer may come in (e.g. text/csv), with what they hold.
    alternatives: dict[str, str] = field(default_factory=dict)


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
        """One route per path, so that a 405 and an OPTIONS answer (server/errors.py) list every method
        of the path in `Allow`."""
        by_path: dict[str, dict[str, Operation]] = {}
        for op in self.operations:
            by_path.setdefault(op.path, {})[op.method] = op
        return [Route(path, _dispatch(ops), methods=list(ops)) for path, ops in by_path.items()]


def _dispatch(ops: dict[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
    endpoints = {method: _endpoint(op) for method, op in ops.items()}

    async def endpoint(request: Request) -> Response:
        # The route itself answers 405 for a method it does not list; HEAD is a GET.
        return await endpoints[request.method if request.method in endpoints else "GET"](request)

    first = next(iter(ops.values()))
    endpoint.__name__ = first.handler.__name__
    return endpoint


def _endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        inputs: dict[str, Any] = {}
        if op.auth:  # who you are comes before what you sent: anonymous gets 401, not 422
            await require_user(request)
        if op.body is not None:
            # Bodies parse strictly: JSON has types, so `true` is no id and "5" is no number. (A
            # form's values are all strings; the operations that take forms take only strings.)
            inputs["body"] = validate(op.body, await read_payload(request, op.accepts_form), strict=True)
        _refuse_unknown_parameters(op, request)
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


def _refuse_unknown_parameters(op: Operation, request: Request) -> None:
    """A query parameter the operation does not declare is a mistake worth saying (a misspelt
    `limt=5` would otherwise be ignored in silence), as the OpenAPI document says."""
    declared = op.query.model_fields if op.query is not None else {}
    known = {info.alias or name for name, info in declared.items()}  # `from` is the field `from_`
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        fields = [FieldError(path=name, message="unknown parameter") for name in unknown]
        raise ValidationFailed("Unknown query parameter", fields=fields)


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
        return whole_numbers(loads(raw))
    except JSONDecodeError as exc:
        raise BadRequest(f"Request body is not valid JSON: {exc}") from None


def whole_numbers(value: Any) -> Any:
    """`value` with every integral float made an int: JSON has one number type, and JSON Schema (so
    our OpenAPI document) counts 20.0 as an integer, while strict validation would refuse it."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {key: whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_numbers(item) for item in value]
    return value


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
