"""What a question image costs the server when a room fetches it: every player at the same moment
(a question that opens with a picture nobody preloaded) against the same fetches spread over the
lobby (what the play page does: it preloads a game's pictures while players wait).

    .venv/bin/python -m bench.images --players 2000 --connections 200 --spread-s 20 [--server-cpu 0]

One `quizarena serve` on its embedded defaults; one JPEG (a 1280x720 gradient, about 32 KiB)
uploaded over REST; then `--players` GETs of it, `--connections` at a time. Prints the wall
time, latency percentiles, bytes and the server's CPU seconds for each way.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import secrets
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx
from PIL import Image

from bench import rest, servers
from bench.stats import percentile


def photo_like_jpeg() -> bytes:
    """A 1280x720 JPEG with smooth colour gradients (compresses like a photo, not like noise)."""
    width, height = 1280, 720
    image = Image.new("RGB", (width, height))
    image.putdata(
        [
            ((x * 255) // width, (y * 255) // height, ((x + y) * 255) // (width + height))
            for y in range(height)
            for x in range(width)
        ]
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def host_token(base: str) -> str:
    """A fresh account's access token (uploading an image needs one)."""
    name, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    post_json(
        base, "/auth/register", {"username": name, "email": f"{name}@example.com", "password": password}
    )
    return str(post_json(base, "/auth/login", {"username": name, "password": password})["access_token"])


def post_json(base: str, path: str, body: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(
        base + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=rest.TIMEOUT_S) as response:
        result: dict[str, object] = json.loads(response.read())
    return result


def upload(base: str, token: str, data: bytes) -> str:
    request = urllib.request.Request(
        base + "/images",
        data,
        {"Content-Type": "image/jpeg", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=rest.TIMEOUT_S) as response:
        return str(json.loads(response.read())["url"])


async def fetch_all(base: str, url: str, players: int, connections: int, spread_s: float) -> dict[str, float]:
    """`players` GETs of `url`, at most `connections` in flight, starting at once or spread evenly."""
    gate = asyncio.Semaphore(connections)
    latencies: list[float] = []
    received = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as http:
        start = time.perf_counter()

        async def one(n: int) -> None:
            nonlocal received
            if spread_s:
                await asyncio.sleep(start + spread_s * n / players - time.perf_counter())
            async with gate:
                began = time.perf_counter()
                response = await http.get(url)
                latencies.append((time.perf_counter() - began) * 1000)
                response.raise_for_status()
                received += len(response.content)

        await asyncio.gather(*(one(n) for n in range(players)))
        wall = time.perf_counter() - start
    latencies.sort()
    return {
        "wall_s": wall,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "mib": received / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--players", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=200, help="GETs in flight at once")
    parser.add_argument(
        "--spread-s", type=float, default=20.0, help="the lobby time the preload spreads over"
    )
    parser.add_argument("--server-cpu", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        server = servers.start_quizarena(Path(work), args.server_cpu)
        try:
            servers.wait_listening(server)
            base = f"http://127.0.0.1:{server.port}"
            token = host_token(base)
            data = photo_like_jpeg()
            url = upload(base, token, data)
            print(
                f"image: {len(data) / 1024:.0f} KiB JPEG at {url}; {args.players} players, "
                f"{args.connections} connections"
            )
            for label, spread in (
                ("all at question start", 0.0),
                (f"preloaded over {args.spread_s:g} s", args.spread_s),
            ):
                cpu_before = server.cpu_seconds()
                figures = asyncio.run(fetch_all(base, url, args.players, args.connections, spread))
                cpu = server.cpu_seconds() - cpu_before
                print(
                    f"{label:>26}: wall {figures['wall_s']:.2f} s, latency p50 {figures['p50_ms']:.1f} ms, "
                    f"p99 {figures['p99_ms']:.1f} ms, max {figures['max_ms']:.1f} ms, "
                    f"{figures['mib']:.0f} MiB sent, server CPU {cpu:.2f} s"
                )
        finally:
            server.kill()


if __name__ == "__main__":
    main()
