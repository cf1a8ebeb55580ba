"""Real server processes on loopback ports sharing one database and one Redis: what the multi-node
and failure tests start, kill (SIGKILL, SIGSTOP/SIGCONT, SIGTERM) and talk to. Every wait is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from redis.asyncio import Redis
from redis.exceptions import RedisError

from tests.e2e.harness import WAIT_S, Client, free_port
from tests.services import REDIS_URL

START_S = 30.0  # migrations and the first import make a cold start slow on a busy CI machine
LEASE_TTL_MS = 1_500


@dataclass
class Node:
    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    async def ready(self) -> None:
        async with asyncio.timeout(START_S), httpx.AsyncClient(base_url=self.url) as http:
            while True:
                assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/health")).status_code == 200:
                        return
                await asyncio.sleep(0.2)

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        assert self.process is not None
        self.process.wait(WAIT_S)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(WAIT_S)


@dataclass
class Cluster:
    """Nodes of one deployment: same database, same Redis (a key prefix of its own), same secret."""

    root: Path
    redis_url: str = REDIS_URL
    extra_env: dict[str, str] = field(default_factory=dict)
    prefix: str = field(default_factory=lambda: f"test-{secrets.token_hex(4)}")
    nodes: list[Node] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)

    def add(self, name: str) -> Node:
        data = self.root / name
        data.mkdir(parents=True, exist_ok=True)  # each node spools its own results
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{self.root}/cluster.db",
            "REDIS_URL": self.redis_url,
            "REDIS_PREFIX": self.prefix,
            "LEASE_TTL_MS": str(LEASE_TTL_MS),
            "NODE_ID": name,
            "SECRET_KEY": "cluster-test-secret-" + "x" * 32,
            "QUIZARENA_DATA_DIR": str(data),
            "JOINS_PER_ADDRESS_PER_MINUTE": "10000",
            **self.extra_env,
        }
        node = Node(name, free_port(), env, self.root / f"{name}.log")
        self.nodes.append(node)
        return node

    async def connect(self, node: Node) -> Client:
        ws = await asyncio.wait_for(websockets.connect(node.ws_url, max_size=None), WAIT_S)
        client = Client(ws)
        self.clients.append(client)
        return client

    async def close(self) -> None:
        for client in self.clients:
            with contextlib.suppress(Exception):
                await client.close()
        for node in self.nodes:
            node.stop()


@contextlib.asynccontextmanager
async def cluster(
    root: Path, *names: str, redis_url: str = REDIS_URL, env: dict[str, str] | None = None
) -> AsyncIterator[Cluster]:
    """Start the named nodes one after another (each migrates the shared database first)."""
    group = Cluster(root, redis_url, env or {})
    try:
        for name in names:
            node = group.add(name)
            node.start()
            await node.ready()
        yield group
    finally:
        await group.close()
        redis = Redis.from_url(group.redis_url)
        with contextlib.suppress(OSError, RedisError):  # a private Redis may be gone already
            keys = [key async for key in redis.scan_iter(match=f"{group.prefix}:*")]
            if keys:
                await redis.delete(*keys)
        await redis.aclose()


async def host_a_game(node: Node) -> dict[str, Any]:
    """Sign in as the demo host and open a game of the demo quiz "World Capitals" on `node`."""
    async with httpx.AsyncClient(base_url=node.url, timeout=WAIT_S) as http:
        login = await http.post("/auth/login", json={"username": "host", "password": "host-password"})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        quizzes = (await http.get("/quizzes", params={"q": "World Capitals"})).json()["items"]
        created = await http.post("/games", json={"quiz_id": quizzes[0]["id"]}, headers=headers)
        assert created.status_code == 201, created.text
        return created.json()


@dataclass
class PrivateRedis:
    """A Redis server of the test's own on a free port, with an append-only file fsynced on every
    write, so it can be killed and started again with the rooms it held."""

    directory: Path
    program: str = "redis-server"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def launch(self) -> None:
        command = [
            self.program,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            str(self.directory),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def start(self) -> None:
        self.launch()
        redis = Redis.from_url(self.url)
        try:
            async with asyncio.timeout(START_S):
                while True:
                    with contextlib.suppress(OSError, RedisError):
                        if await redis.ping():
                            return
                    await asyncio.sleep(0.1)
        finally:
            await redis.aclose()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(WAIT_S)
