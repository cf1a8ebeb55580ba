"""The owner over the bus: requests from an edge to the node that holds a room's lease, and the
service on that node that answers them.

A request names the asking node's reply channel and an id; the owner answers at once (the edge places
a seat among the room's events by their `seq`, whichever arrives first). Notices (answered,
presence, question sent) carry no id and are batched per loop tick: a burst of 10,000 answers on one
edge costs the owner a handful of messages, not 10,000.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from rooms.bus.base import Bus, Subscription
from rooms.core import codec
from rooms.core.events import RoomError
from rooms.core.protocol import Frame, FrameError, parse_frame
from rooms.core.state import Account, StoredAnswer
from rooms.core.types import PlayerId
from rooms.owner.base import Notice, Owner, Seat

log = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 3.0


def owner_channel(pin: str) -> str:
    return f"room:{{{pin}}}:owner"


def node_channel(node_id: str) -> str:
    return f"node:{node_id}"


class OwnerClient:
    """This node's side of every remote room: its reply channel, the requests waiting for an
    answer, and the notices waiting for the end of the loop tick."""

    def __init__(self, bus: Bus, node_id: str, holder: Callable[[str], Awaitable[str | None]]):
        self._bus = bus
        self._holder = holder  # who holds a room's lease now (None between an owner's death and a takeover)
        self._reply_channel = node_channel(node_id)
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._notices: dict[str, list[list[Any]]] = {}
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        self._subscription = await self._bus.subscribe(self._reply_channel, self._on_reply)

    async def close(self) -> None:
        if self._subscription is not None:
            await self._subscription.close()
        for future in self._waiting.values():
            future.cancel()

    def owner(self, pin: str) -> RemoteOwner:
        return RemoteOwner(self, pin)

    async def _on_reply(self, message: bytes) -> None:
        reply = orjson.loads(message)
        future = self._waiting.pop(reply.get("id"), None)
        if future is not None and not future.done():
            future.set_result(reply)

    async def request(self, pin: str, op: str, **fields: Any) -> dict[str, Any]:
        if await self._holder(pin) is None:
            # Nobody owns the room this moment (its node died, a takeover is coming): say so at once
            # rather than after the request timeout, so the client's retry lands on the new owner.
            raise RoomError("unavailable", "This room is moving to another server; try again in a moment")
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        message = orjson.dumps({"op": op, "id": request_id, "reply": self._reply_channel, **fields})
        try:
            await self._bus.publish(owner_channel(pin), message)
            reply = await asyncio.wait_for(future, REQUEST_TIMEOUT_S)
        except (TimeoutError, OSError, ConnectionError):
            raise RoomError(
                "unavailable", "This room's server is not answering; try again in a moment"
            ) from None
        finally:
            self._waiting.pop(request_id, None)
        if "error" in reply:
            raise RoomError(*reply["error"])
        return reply

    def notify(self, pin: str, notice: Notice) -> None:
        batch = self._notices.setdefault(pin, [])
        answer = None if notice.answer is None else codec.plain(notice.answer)
        batch.append([notice.kind, notice.players, notice.connected, notice.question, notice.at_ms, answer])
        if len(batch) == 1:
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self._send_notices(pin)))

    async def _send_notices(self, pin: str) -> None:
        batch = self._notices.pop(pin, [])
        if batch:
            with contextlib.suppress(OSError, ConnectionError):  # lost notices are repaired on takeover
                await self._bus.publish(owner_channel(pin), orjson.dumps({"op": "notices", "notices": batch}))


class RemoteOwner:
    """`Owner` for a room whose lease another node holds."""

    def __init__(self, client: OwnerClient, pin: str):
        self._client, self._pin = client, pin

    async def _seat(self, op: str, **fields: Any) -> Seat:
        reply = await self._client.request(self._pin, op, **fields)
        return codec.decode(orjson.dumps(reply["seat"]), Seat)

    async def join(self, nickname: str, account: Account | None, resume_hash: str) -> Seat:
        raw_account = None if account is None else {"user_id": account.user_id, "xp": account.xp}
        return await self._seat("join", nickname=nickname, account=raw_account, resume_hash=resume_hash)

    async def seat(self, player_id: PlayerId) -> Seat:
        return await self._seat("seat", player=player_id)

    async def seat_host(self) -> Seat:
        return await self._seat("seat_host")

    async def command(self, frame: Frame) -> None:
        await self._client.request(self._pin, "command", frame=frame.model_dump())

    async def leave(self, player_id: PlayerId) -> None:
        await self._client.request(self._pin, "leave", player=player_id)

    async def notify(self, notice: Notice) -> None:
        self._client.notify(self._pin, notice)


Reply = Callable[[str, bytes], None]  # how the owning node answers: publish (channel, message) at once


async def serve_request(owner: Owner, request: dict[str, Any], reply: Reply) -> None:
    """Answer one request (or apply a batch of notices) on the owning node."""
    op = request.get("op")
    if op == "notices":
        for kind, players, connected, question, at_ms, recorded in request["notices"]:
            stored = None if recorded is None else codec.from_plain(recorded, StoredAnswer)
            await owner.notify(Notice(kind, tuple(players), connected, question, at_ms, stored))
        return
    answer: dict[str, Any] = {"id": request.get("id")}
    try:
        seat = await _dispatch(owner, op, request)
        if seat is not None:
            answer["seat"] = orjson.loads(codec.encode(seat))
    except RoomError as exc:
        answer["error"] = [exc.code, exc.message]
    except FrameError as exc:
        answer["error"] = [exc.code, exc.message]
    reply(request["reply"], orjson.dumps(answer))


async def _dispatch(owner: Owner, op: Any, request: dict[str, Any]) -> Seat | None:
    match op:
        case "join":
            raw = request.get("account")
            account = None if raw is None else Account(user_id=raw["user_id"], xp=raw["xp"])
            return await owner.join(request["nickname"], account, request["resume_hash"])
        case "seat":
            return await owner.seat(request["player"])
        case "seat_host":
            return await owner.seat_host()
        case "command":
            await owner.command(parse_frame(orjson.dumps(request["frame"])))
        case "leave":
            await owner.leave(request["player"])
        case _:
            raise RoomError("bad_request", f"unknown owner request {op!r}")
    return None


def serving(owner: Owner, reply: Reply) -> Callable[[bytes], Awaitable[None]]:
    """The owner channel's listener: each request is answered in its own task, so a slow one (a
    join waiting for the room's lock) never holds up the bus reader."""

    async def listener(message: bytes) -> None:
        request = orjson.loads(message)
        task = asyncio.get_running_loop().create_task(serve_request(owner, request, reply))
        task.add_done_callback(_log_failure)

    return listener


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("owner request failed", exc_info=task.exception())
