"""The OpenAPI document, generated from the same operations and pydantic models that validate input."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from server.api import Operation

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


def _models(operations: list[Operation]) -> list[type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {}
    for op in operations:
        for model in (op.body, op.response):
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
            "schema": {"type": "integer" if kind == "int" else "string"},
        }
        for name, kind in re.findall(r"{(\w+)(?::(\w+))?}", path)
    ]


def build_openapi(operations: list[Operation], title: str, version: str) -> dict[str, Any]:
    """One OpenAPI 3.1 document describing every operation with its request and response shapes."""
    refs, defs = models_json_schema([(m, "validation") for m in _models(operations)], ref_template=REF)
    schemas = {**defs.get("$defs", {}), "Error": ERROR_SCHEMA}
    ref_of = {key[0].__name__: value for key, value in refs.items()}
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        entry: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "operationId": op.handler.__name__,
            "parameters": _path_parameters(op.path),
        }
        if op.handler.__doc__:
            entry["description"] = op.handler.__doc__.strip()
        if op.query is not None:
            entry["parameters"] += _query_parameters(op.query)
        content: dict[str, Any] = {}
        if op.body is not None:
            content["application/json"] = {"schema": ref_of[op.body.__name__]}
            if op.accepts_form:
                content["application/x-www-form-urlencoded"] = {"schema": ref_of[op.body.__name__]}
        for media_type, description in op.raw_body.items():
            content[media_type] = {"schema": {"type": "string", "description": description}}
        if content:
            entry["requestBody"] = {"required": True, "content": content}
        ok: dict[str, Any] = {"description": "Success"}
        if op.response is not None:
            ok["content"] = {"application/json": {"schema": _schema_of(op.response, ref_of)}}
        entry["responses"] = {
            str(op.status): ok,
            "default": {
                "description": "Error",
                "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
            },
        }
        if op.auth:
            entry["security"] = [{"bearer": []}]
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
