"""Duels on one or two in-process nodes: manual clock, memory store, bus and queue, fake sockets.
Nothing sleeps: the matcher's ticks, countdowns and deadlines fire when a test advances the clock."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from rooms.bus.memory import MemoryBus
from rooms.core.clock import ManualClock
from rooms.core.outcomes import NoRewards
from rooms.core.results import MemoryResultsSink
from rooms.core.state import Account
from rooms.duel.matchmaking import MatchRules
from rooms.duel.pool import MemorySeekerPool
from rooms.duel.ports import DuelQuiz, MemoryDuelGames, MemoryDuelQuestions, MemoryRatings
from rooms.duel.service import MATCH_TICK_MS, DuelService, DuelSetup, serve_duels
from rooms.edge.connection import Connection
from rooms.node import RoomNode
from rooms.store.memory import MemoryRoomStore
from tests.rooms.test_rooms_runner import QUIZ, FakePeer

QUIZ_ID = 3
MISSED = [{**QUIZ[0], "text": "The one you missed?"}]
RULES = MatchRules()
USERS = {"ann-token": Account(1, 0), "ben-token": Account(2, 0)}


async def authenticate(token: str) -> Account | None:
    return USERS.get(token)


class Socket:
    """A client socket on one node, as a test drives it."""

    def __init__(self, duels: Duels, node: RoomNode):
        self.duels, self.node = duels, node
        self.peer = FakePeer(duels.clock)
        self.connection = Connection(self.peer, address="10.0.0.1")
        node.connect(self.connection)

    async def send(self, **frame: Any) -> None:
        await self.node.handle(self.connection, orjson.dumps(frame))
        await self.duels.settle()

    async def close(self) -> None:
        await self.node.disconnected(self.connection)
        await self.duels.settle()

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.peer.of(kind)

    def last(self, kind: str) -> dict[str, Any]:
        return self.peer.last(kind)

    @property
    def types(self) -> list[str]:
        return [frame["type"] for frame in self.peer.frames]

    @property
    def player_id(self) -> str:
        return self.last("welcome")["player"]["id"]


class Duels:
    """One node (or two, `nodes=2`) sharing a store, a bus and the duel queue."""

    def __init__(self, nodes: int = 1, rules: MatchRules = RULES, ratings: dict[int, int] | None = None):
        self.clock = ManualClock()
        self.store = MemoryRoomStore(self.clock.now_ms)
        self.sink = MemoryResultsSink()
        self.games = MemoryDuelGames()
        bus, pool = MemoryBus(), MemorySeekerPool()
        quizzes = {QUIZ_ID: DuelQuiz(QUIZ_ID, "Capitals", QUIZ)}
        self.nodes: list[RoomNode] = []
        self.services: list[DuelService] = []
        for n in range(nodes):
            node = RoomNode(
                self.store,
                bus,
                self.clock,
                self.sink,
                NoRewards(),
                authenticate,
                node_id=f"n{n}",
            )
            setup = DuelSetup(
                MemoryRatings(ratings), MemoryDuelQuestions(quizzes, {1: MISSED}), self.games, pool, rules
            )
            self.services.append(serve_duels(node, setup))
            self.nodes.append(node)

    async def start(self) -> Duels:
        for node in self.nodes:
            await node.start()  # its duel service too
        return self

    def socket(self, node: int = 0) -> Socket:
        return Socket(self, self.nodes[node])

    async def queue(self, nickname: str, node: int = 0, **fields: Any) -> Socket:
        socket = self.socket(node)
        await socket.send(type="queue", nickname=nickname, **fields)
        return socket

    async def settle(self) -> None:
        for _ in range(4):
            await asyncio.sleep(0)
            for service in self.services:
                await service.idle()
            for node in self.nodes:
                for runner in list(node.runners.values()):
                    await runner.idle()

    async def advance(self, ms: int) -> None:
        """Move time in matcher ticks, letting each tick's work finish before the next."""
        while ms > 0:
            step = min(ms, MATCH_TICK_MS)
            self.clock.advance(step)
            await self.settle()
            ms -= step

    def runner(self, pin: str):  # noqa: ANN201 - the DuelRunner of `pin`, wherever it runs
        return next(node.runners[pin] for node in self.nodes if pin in node.runners)
