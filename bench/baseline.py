"""The raw baseline: a plain `websockets` server doing the least QuizArena's protocol needs.

Rooms keyed by PIN, each made by the first `join` or `host` that names it (bench.loadgen plays one,
bench.classrooms hundreds). Players `join` and get `welcome` and a `ping`; the host's `start`/`next` sends
the question to every player with one `websockets.broadcast()`; every `answer` gets an
`answer_ack`; once every player has answered (or on `close_question`) it sends `reveal`, a
personal `result` and `scoreboard`; `next` after the last question sends `finished`. No
validation beyond what that needs, no store, no deadlines: the floor QuizArena is measured against.

    python -m bench.baseline --port 8765 --questions 5
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import orjson
from websockets.asyncio.server import ServerConnection, broadcast, serve

from bench.quiz import question_frame

MAX_FRAME_BYTES = 64 * 1024


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def encode(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


class Room:
    """One room: its players, the open question and who answered it."""

    def __init__(self, total: int):
        self.total = total
        self.players: dict[ServerConnection, str] = {}
        self.host: ServerConnection | None = None
        self.seq = 0
        self.index = -1
        self.open = False
        self.answered: dict[ServerConnection, int] = {}  # -> when the answer was received (epoch ms)
        self.sent_ms = 0  # when the open question's broadcast returned

    async def handle(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "answer":
            await self.answer(ws, frame)
        elif kind == "join":
            await self.join(ws, frame)
        elif kind == "host":
            self.host = ws
            welcome = {"type": "welcome", "role": "host", "pin": frame.get("pin"), "seq": self.seq}
            await ws.send(encode(welcome))
        elif kind in ("start", "next") and ws is self.host:
            await self.advance()
        elif kind == "close_question" and ws is self.host:
            await self.close()
        elif kind == "ping":
            await pong(ws, frame)

    async def join(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        player_id = f"p{len(self.players)}"
        self.players[ws] = player_id
        player = {"id": player_id, "nickname": frame.get("nickname")}
        now = now_ms()
        await ws.send(encode({"type": "welcome", "role": "player", "pin": frame.get("pin"), "player": player,
                              "resume_token": player_id, "server_time": now, "seq": self.seq}))
        await ws.send(encode({"type": "ping", "t": now}))

    async def answer(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        received = now_ms()
        accepted = self.open and frame.get("question") == self.index and ws not in self.answered
        ack: dict[str, Any] = {"type": "answer_ack", "question": frame.get("question"), "accepted": accepted}
        if not accepted:
            ack["reason"] = "closed" if not self.open else "duplicate"
        await ws.send(encode(ack))
        if accepted:
            self.answered[ws] = received
            if len(self.answered) >= len(self.players):
                await self.close()

    async def advance(self) -> None:
        if self.open:
            return
        if self.index + 1 >= self.total:
            self.seq += 1
            broadcast(self.everyone(), encode({"type": "finished", "seq": self.seq, "podium": []}))
            return
        self.index += 1
        self.seq += 1
        self.open, self.answered = True, {}
        broadcast(self.everyone(), question_frame(self.index, self.total, self.seq, now_ms()))
        self.sent_ms = now_ms()

    async def close(self) -> None:
        if not self.open:
            return
        self.open = False
        self.seq += 1
        broadcast(self.everyone(), encode({"type": "reveal", "seq": self.seq, "question": self.index}))
        for ws in list(self.players):
            await ws.send(encode(self.result(ws)))
        self.seq += 1
        scoreboard = {"type": "scoreboard", "seq": self.seq, "top": [], "players": len(self.players)}
        broadcast(self.everyone(), encode(scoreboard))

    def result(self, ws: ServerConnection) -> dict[str, Any]:
        """A player's result; its receipt has QuizArena's `sent` and `received` stamps (epoch ms)."""
        received = self.answered.get(ws)
        result: dict[str, Any] = {"type": "result", "question": self.index, "correct": received is not None}
        if received is not None:
            result["receipt"] = {"sent": self.sent_ms, "received": received, "rtt_ms": None,
                                 "credited_ms": received - self.sent_ms}
        return result

    def everyone(self) -> list[ServerConnection]:
        return [*self.players, *([self.host] if self.host else [])]

    def drop(self, ws: ServerConnection) -> None:
        self.players.pop(ws, None)
        self.answered.pop(ws, None)
        if ws is self.host:
            self.host = None


async def pong(ws: ServerConnection, frame: dict[str, Any]) -> None:
    await ws.send(encode({"type": "pong", "t": frame.get("t"), "server_time": now_ms()}))


class Rooms:
    """Every room of the server by PIN; a socket belongs to the room its first `join`/`host` names."""

    def __init__(self, questions: int):
        self.questions = questions
        self.by_pin: dict[str, Room] = {}

    def of(self, frame: dict[str, Any]) -> Room | None:
        """The room a first frame enters (made on first use); None for any other frame."""
        if frame.get("type") not in ("join", "host"):
            return None
        pin = str(frame.get("pin"))
        room = self.by_pin.get(pin)
        if room is None:
            room = self.by_pin[pin] = Room(self.questions)
        return room


async def serve_rooms(host: str, port: int, questions: int) -> None:
    rooms = Rooms(questions)

    async def handler(ws: ServerConnection) -> None:
        room: Room | None = None
        try:
            async for message in ws:
                frame = orjson.loads(message)
                room = room or rooms.of(frame)
                if room is not None:
                    await room.handle(ws, frame)
                elif frame.get("type") == "ping":
                    await pong(ws, frame)
        finally:
            if room is not None:
                room.drop(ws)

    async with serve(handler, host, port, compression=None, max_size=MAX_FRAME_BYTES, ping_interval=20.0,
                     backlog=2048) as server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop",
                        help="event loop; uvloop by default, as uvicorn picks it for QuizArena")
    args = parser.parse_args(argv)
    coroutine = serve_rooms(args.host, args.port, args.questions)
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(coroutine)
    else:
        asyncio.run(coroutine)


if __name__ == "__main__":
    main()
