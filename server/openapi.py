"""The OpenAPI document, generated from the same operations and pydantic models that validate input."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from server.api import Operation
from server.api_examples import EXAMPLES, RAW_EXAMPLES
from server.paging import ID_SCHEMA

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "path": {"type": "string"},
                            "line": {"type": "integer"},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        }
    },
}
REF = "#/components/schemas/{model}"
ERROR_REF = {"$ref": REF.format(model="Error")}
RETRY_AFTER = {
    "Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}
}
INTERNAL_ERROR = {"error": {"code": "internal_error", "message": "Internal server error"}}
# Each error status: its code, when it happens, and an example body.
ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "the body is not a JSON document (or not of a type this operation takes)",
          "Request body is not valid JSON"),
    401: ("unauthorized", "no bearer token where one is needed, or one that is invalid or expired",
          "Authentication required"),
    403: ("forbidden", "the caller may see this but not do this", "Only the owner or an admin may do this"),
    404: ("not_found", "nothing with this id (or not visible to the caller)", "No such quiz"),
    409: ("conflict", "taken already", "That username is already taken"),
    413: ("too_large", "the body is larger than MAX_BODY_BYTES", "Request body is too large"),
    422: ("validation_error", "the input breaks a rule: `fields` says where and which",
          "Input is not valid"),
    429: ("rate_limited", "too many attempts; wait `Retry-After` seconds",
          "Too many login attempts; try again later"),
    503: ("unavailable", "the database is not answering; try again after `Retry-After` seconds",
          "The database is not answering; try again shortly"),
}


def _models(operations: list[Operation]) -> list[type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {}
    for op in operations:
        for model in (op.body, op.response, *op.raw_body.values()):
            if isinstance(model, type) and issubclass(model, BaseModel):
                seen[model.__name__] = model
    return list(seen.values())


def _schema_of(value: Any, refs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, type) and issubclass(value, BaseModel):
        return refs[value.__name__]
    return TypeAdapter(value).json_schema(ref_template=REF)


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": ID_SCHEMA if kind == "int" else {"type": "string"},
        }
        for name, kind in re.findall(r"{(\w+)(?::(\w+))?}", path)
    ]


def _error_statuses(op: Operation, path_parameters: bool) -> list[int]:
    """The error statuses an operation can answer: those its shape implies, and its own."""
    statuses = set(op.errors) | {422}  # an unknown query parameter is a 422 anywhere
    if op.auth or op.optional_auth:
        statuses.add(401)
    if op.body is not None or op.raw_body:
        statuses |= {400, 413}
    if path_parameters:
        statuses.add(404)
    if op.tag != "health":  # /health reports an outage in its own shape
        statuses.add(503)
    return sorted(statuses)


def _error_response(status: int) -> dict[str, Any]:
    code, when, message = ERRORS[status]
    example: dict[str, Any] = {"error": {"code": code, "message": message}}
    if status == 422:
        example["error"]["fields"] = [{"path": "quiz_id", "message": "Field required"}]
    response: dict[str, Any] = {
        "description": f"`{code}`: {when}",
        "content": {"application/json": {"schema": ERROR_REF, "example": example}},
    }
    if status in (429, 503):
        response["headers"] = RETRY_AFTER
    return response


def build_openapi(operations: list[Operation], title: str, version: str) -> dict[str, Any]:
    """One OpenAPI 3.1 document describing every operation with its request and response shapes."""
    refs, defs = models_json_schema([(m, "validation") for m in _models(operations)], ref_template=REF)
    schemas = {**defs.get("$defs", {}), "Error": ERROR_SCHEMA}
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name] = {**schemas[name], "examples": [example]}
    ref_of = {key[0].__name__: value for key, value in refs.items()}
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        entry: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "operationId": op.handler.__name__,
            "parameters": _path_parameters(op.path),
        }
        path_parameters = bool(entry["parameters"])
        if op.handler.__doc__:
            entry["description"] = op.handler.__doc__.strip()
        if op.query is not None:
            entry["parameters"] += _query_parameters(op.query)
        content: dict[str, Any] = {}
        if op.body is not None:
            content["application/json"] = {"schema": ref_of[op.body.__name__]}
            if op.accepts_form:
                content["application/x-www-form-urlencoded"] = {"schema": ref_of[op.body.__name__]}
        for media_type, shape in op.raw_body.items():
            if isinstance(shape, str):
                content[media_type] = {"schema": {"type": "string", "description": shape}}
                if media_type.startswith("image/"):  # a file: Swagger UI offers a file picker
                    content[media_type]["schema"]["format"] = "binary"
                if media_type in RAW_EXAMPLES:
                    content[media_type]["example"] = RAW_EXAMPLES[media_type]
            else:
                content[media_type] = {"schema": ref_of[shape.__name__]}
        if content:
            entry["requestBody"] = {"required": True, "content": content}
        ok: dict[str, Any] = {"description": "Success"}
        if op.response is not None:
            ok["content"] = {"application/json": {"schema": _schema_of(op.response, ref_of)}}
        for media_type, description in op.alternatives.items():
            text = {"type": "string", "description": description}
            ok.setdefault("content", {})[media_type] = {"schema": text}
        entry["responses"] = {
            str(op.status): ok,
            **{str(status): _error_response(status) for status in _error_statuses(op, path_parameters)},
            "default": {"description": "`internal_error`: a bug (no details)", "content": {
                "application/json": {"schema": ERROR_REF, "example": INTERNAL_ERROR}}},
        }
        if op.tag == "health":
            entry["responses"]["503"] = {"description": "`degraded`: a dependency is down", **ok}
        if op.auth:
            entry["security"] = [{"bearer": []}]
        elif op.optional_auth:
            entry["security"] = [{}, {"bearer": []}]
        paths.setdefault(re.sub(r"{(\w+):\w+}", r"{\1}", op.path), {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
