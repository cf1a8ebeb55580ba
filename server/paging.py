"""Shared bounds of ids, list and lookup parameters: the largest id, page sizes and offsets.

Every integer id the REST surface takes, in a body, a path or a query, is bounded here once, so an id
no database column can hold is refused (422 in a body, 404 in a path) instead of overflowing SQLite's
64-bit or PostgreSQL's 32-bit integers.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, Strict
from starlette.requests import Request

from server.errors import NotFound

MAX_LIMIT = 100
MAX_OFFSET = 100_000
MAX_ID = 2**31 - 1  # ids are 32-bit; a larger one names nothing (and would upset PostgreSQL)

# An id in a JSON body: a whole number (not `true`, not "7") from 1 to MAX_ID.
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID, description="an id", examples=[1])]
# What the OpenAPI document says of an `{id}` in a path.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

# A list's `limit`: asking for more than 100 gets 100 (the answer says which limit applied).
Limit = Annotated[
    int, Field(ge=1, description=f"at most {MAX_LIMIT}"), AfterValidator(lambda v: min(v, MAX_LIMIT))
]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


def path_id(request: Request, missing: str, name: str = "id") -> int:
    """The `{name:int}` of the path; NotFound(`missing`) when no row can have it (0 or past MAX_ID)."""
    value: int = request.path_params[name]
    if not 1 <= value <= MAX_ID:
        raise NotFound(missing)
    return value
