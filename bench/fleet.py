"""The load generator's bot processes: spawned, told what to do, waited for with a timeout, ended."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from bench import worker

JOIN_TIMEOUT_S = 2.0


Entry = Callable[[Connection, int, int, float, int], None]


class Fleet:
    """`procs` processes sharing `players` bots; every call to `ask` has a deadline.

    Each process runs `entry(pipe, count, first, window_s, seed)`: by default `worker.run`, with
    `count` bots numbered from `first`; another entry may share out other units (bench.classrooms
    shares out whole rooms)."""

    def __init__(self, players: int, procs: int, window_s: float, seed: int, entry: Entry = worker.run):
        sizes = [players // procs + (1 if n < players % procs else 0) for n in range(procs)]
        context = multiprocessing.get_context("spawn")
        self.sizes = [size for size in sizes if size]
        self.pipes: list[Connection] = []
        self.processes: list[BaseProcess] = []
        first = 0
        for number, size in enumerate(self.sizes):
            ours, theirs = context.Pipe()
            process = context.Process(target=entry, args=(theirs, size, first, window_s, seed + number),
                                      name=f"bench-bots-{number}", daemon=True)
            process.start()
            theirs.close()
            self.pipes.append(ours)
            self.processes.append(process)
            first += size

    @property
    def pids(self) -> list[int]:
        return [os.getpid(), *(p.pid for p in self.processes if p.pid is not None)]

    def tell(self, command: Any) -> None:
        for pipe in self.pipes:
            pipe.send(command)

    def tell_each(self, commands: list[Any]) -> None:
        """A command of its own to each process, in order."""
        for pipe, command in zip(self.pipes, commands, strict=True):
            pipe.send(command)

    async def replies(self, within_s: float) -> list[Any]:
        """One reply from every process, all within `within_s` seconds."""
        async with asyncio.timeout(within_s):
            return [await worker.receive(pipe) for pipe in self.pipes]

    async def ask(self, command: Any, within_s: float) -> list[Any]:
        self.tell(command)
        return await self.replies(within_s)

    def close(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(JOIN_TIMEOUT_S)
            if process.is_alive():
                process.kill()
                process.join(JOIN_TIMEOUT_S)
        for pipe in self.pipes:
            pipe.close()
