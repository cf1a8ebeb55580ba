"""Liveness and readiness: is the database (and Redis, when configured) answering, and which rooms
this node owns and serves."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from starlette.requests import Request

from server.api import Api
from server.jsonio import json_response

api = Api("health")


class Rooms(BaseModel):
    owned: int  # rooms whose lease this node holds (it runs their clocks)
    served: int  # rooms this node has sockets in (owned or not)
    draining: bool  # shutting down: no new rooms here


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "down"]
    redis: Literal["ok", "down", "disabled"]
    node: str
    rooms: Rooms


async def _redis_state(request: Request) -> Literal["ok", "down", "disabled"]:
    redis = getattr(request.app.state, "redis", None)
    if redis is None:
        return "disabled"
    try:
        await redis.ping()
        return "ok"
    except Exception:  # any failure means "down"; this endpoint exists to report it
        return "down"


@api.get("/health", "Health of this node and its dependencies", response=Health)
async def health(request: Request) -> object:
    """`ok` with 200 when every dependency answers; `degraded` with 503 otherwise."""
    database: Literal["ok", "down"] = "ok" if await request.app.state.db.ping() else "down"
    redis = await _redis_state(request)
    node = request.app.state.node
    # A draining node answers 503 too, so a load balancer stops sending it new players.
    healthy = database == "ok" and redis != "down" and node.accepting
    body = Health(
        status="ok" if healthy else "degraded",
        database=database,
        redis=redis,
        node=request.app.state.settings.node_id,
        rooms=Rooms(owned=len(node.runners), served=len(node.edges), draining=not node.accepting),
    )
    return json_response(body.model_dump(), status_code=200 if healthy else 503)
