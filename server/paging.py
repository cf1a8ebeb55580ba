"""Shared bounds of list and lookup parameters: page sizes, offsets, and the largest id."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

MAX_LIMIT = 100
MAX_OFFSET = 100_000
MAX_ID = 2**31 - 1  # ids are 32-bit; a larger one names nothing (and would upset PostgreSQL)

# A list's `limit`: asking for more than 100 gets 100 (the answer says which limit applied).
Limit = Annotated[
    int, Field(ge=1, description=f"at most {MAX_LIMIT}"), AfterValidator(lambda v: min(v, MAX_LIMIT))
]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
