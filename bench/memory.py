"""`python -m bench.memory`: what one connected player costs the server, and where.

The resident memory each server process gains per socket, measured in four steps with the same
client code: the raw baseline (bench/baseline.py, the `websockets` library's own server), uvicorn
serving a do-nothing ASGI app with the settings `quizarena serve` uses (the floor of our socket
stack), QuizArena with the sockets open but not in a room (uvicorn plus our gateway, peer and
connection), and QuizArena once they joined one room (room state, the store's copy, the edge's read
model). Then, in process and traced (`tracemalloc`), where a joined player's room memory goes.

    python -m bench.memory --sockets 3000
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench import rest, servers
from bench.worker import raise_fd_limit

SETTLE_S = 1.0


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The least an ASGI WebSocket app can do: accept, and answer each frame with a pong."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "websocket":
        return
    await receive()
    await send({"type": "websocket.accept"})
    while (await receive())["type"] != "websocket.disconnect":
        await send({"type": "websocket.send", "text": '{"type":"pong","t":1}'})


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


async def open_sockets(uri: str, count: int) -> list[ClientConnection]:
    sockets = []
    for _ in range(count):
        socket = await connect(uri, compression=None, max_size=None, open_timeout=30)
        await socket.send('{"type": "ping", "t": 1}')
        await socket.recv()
        sockets.append(socket)
    return sockets


async def join_all(sockets: list[ClientConnection], pin: str) -> None:
    for index, socket in enumerate(sockets):
        await socket.send(f'{{"type": "join", "pin": "{pin}", "nickname": "p{index}"}}')
    for socket in sockets:
        await welcomed(socket)


async def welcomed(socket: ClientConnection) -> None:
    """Reads the socket's frames up to its `welcome` (a `lobby` frame may come first)."""
    frame = ""
    while '"welcome"' not in frame:
        frame = str(await socket.recv())


async def per_socket(pid: int, uri: str, count: int, pin: str | None) -> tuple[float, float]:
    """KiB per open socket, and KiB more per socket once joined (0 without a room)."""
    before = rss_kib(pid)
    sockets = await open_sockets(uri, count)
    await asyncio.sleep(SETTLE_S)
    opened = rss_kib(pid)
    joined = opened
    if pin is not None:
        await join_all(sockets, pin)
        await asyncio.sleep(SETTLE_S)
        joined = rss_kib(pid)
    for socket in sockets:
        await socket.close()
    return (opened - before) / count, (joined - opened) / count


def start_echo(port: int) -> subprocess.Popen[bytes]:
    code = (
        "import resource, uvicorn; resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000)); "
        f"uvicorn.run('bench.memory:echo_app', port={port}, ws='websockets-sansio', "
        "ws_per_message_deflate=False, log_level='warning')"
    )
    return subprocess.Popen([sys.executable, "-c", code])


async def measure_processes(count: int) -> dict[str, tuple[float, float]]:
    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    figures: dict[str, tuple[float, float]] = {}
    baseline = servers.start_baseline(work, None, 1)
    try:
        servers.wait_listening(baseline)
        figures["baseline (websockets server)"] = await per_socket(
            baseline.process.pid, f"ws://127.0.0.1:{baseline.port}/ws", count, "000000"
        )
    finally:
        baseline.stop()
    port = servers.free_port()
    echo = start_echo(port)
    try:
        await asyncio.sleep(2)  # uvicorn offers no readiness signal here
        figures["uvicorn, do-nothing ASGI app"] = await per_socket(
            echo.pid, f"ws://127.0.0.1:{port}/", count, None
        )
    finally:
        echo.terminate()
        echo.wait()
    node = servers.start_quizarena(work, None)
    try:
        servers.wait_listening(node)
        seat = rest.create_game(f"http://127.0.0.1:{node.port}", 3, count)
        figures["QuizArena"] = await per_socket(
            node.process.pid, f"ws://127.0.0.1:{node.port}/ws", count, seat.pin
        )
    finally:
        node.stop()
    return figures


async def traced_room(count: int) -> list[tuple[str, float]]:
    """Bytes per joined player by the line that allocated them, room code only (no sockets)."""
    from bench.roomprofile import Bench

    bench = Bench(count, 3, None)
    pin = await bench.open()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    await bench.join_all(pin)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    keep = ("rooms/", "server/")
    lines = [
        (f"{stat.traceback[0].filename.rsplit('/', 2)[-2]}/{stat.traceback[0].filename.rsplit('/', 1)[-1]}"
         f":{stat.traceback[0].lineno}", stat.size_diff / count)
        for stat in after.compare_to(before, "lineno")
        if any(part in stat.traceback[0].filename for part in keep)
    ]
    return sorted(lines, key=lambda line: -line[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=3000)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    raise_fd_limit()
    print(f"| server | KiB per open socket | KiB more once joined | total ({args.sockets:,} sockets) |")
    print("|---|---|---|---|")
    for name, (opened, joined) in asyncio.run(measure_processes(args.sockets)).items():
        print(f"| {name} | {opened:.1f} | {joined:.1f} | {opened + joined:.1f} |")
    lines = asyncio.run(traced_room(args.sockets))
    print(f"\nroom code, traced: {sum(size for _, size in lines):.0f} bytes per joined player")
    for where, size in lines[: args.top]:
        print(f"{size:8.0f}  {where}")


if __name__ == "__main__":
    main()
