"""The shipped nginx configuration (deploy/nginx.conf) in front of two real nodes, as compose.yaml
runs it: WebSocket upgrade, no sticky sessions, and a player whose node dies resumes through nginx
on the other one."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.cluster import Node, cluster, host_a_game
from tests.cluster.test_cluster import accepted, option, seat_retrying
from tests.e2e.harness import free_port
from tests.services import need_program, need_redis

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parent.parent.parent


@contextlib.contextmanager
def nginx_in_front(nginx: str, root: Path, nodes: list[Node]) -> Iterator[Node]:
    """nginx with deploy/nginx.conf, its upstreams pointed at `nodes`; yields its address as a Node."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{(port := free_port())};")
    for name, node in zip(("app-1:8000", "app-2:8000"), nodes, strict=True):
        site = site.replace(name, f"127.0.0.1:{node.port}")
    work = root / "nginx"
    work.mkdir()
    (work / "site.conf").write_text(site)
    temp = "".join(
        f" {kind}_temp_path {work}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (work / "nginx.conf").write_text(
        f"daemon off; pid {work}/nginx.pid; error_log {work}/error.log; events {{}}\n"
        f"http {{ access_log off;{temp} include {work}/site.conf; }}\n"
    )
    process = subprocess.Popen([nginx, "-c", str(work / "nginx.conf"), "-p", str(work)])
    try:
        yield Node("nginx", port, {}, work / "error.log", process)
    finally:
        process.terminate()
        process.wait(10)


async def test_nginx_in_front_of_two_nodes_carries_a_game_through_a_node_dying(tmp_path: Path) -> None:
    need_redis()
    nginx = need_program("nginx", "nginx-light")
    async with cluster(tmp_path, "a", "b") as group:
        with nginx_in_front(nginx, tmp_path, group.nodes) as front:
            await front.ready()
            game = await host_a_game(front)
            host = await group.connect(front)
            await seat_retrying(host, type="host", pin=game["pin"], token=game["host_token"])
            players = []
            for name in ("Ann", "Ben", "Cid", "Dee"):
                client = await group.connect(front)
                await seat_retrying(client, type="join", pin=game["pin"], nickname=name)
                players.append(client)
            await host.send(type="start")
            questions = [await player.expect("question") for player in players]
            assert len({q["seq"] for q in questions}) == 1  # one room, whichever node each socket is on
            await players[0].send(type="answer", question=0, answer=option(questions[0], "Paris"))
            await accepted(players[0])

            group.nodes[0].kill()  # the owner: the room moves to node b; its sockets resume through nginx
            resumed = []
            for player, question in zip(players, questions, strict=True):
                token = player.frames[0]["resume_token"]
                client = await group.connect(front)
                welcome = await seat_retrying(client, type="resume", token=token, last_seq=question["seq"])
                resumed.append((client, welcome))
            assert resumed[0][1]["state"]["answered"]  # Ann's acked answer survived
            for client, _ in resumed[1:]:
                await client.send(type="answer", question=0, answer=option(questions[0], "Lyon"))
            results = [await client.expect("result") for client, _ in resumed]
            assert [r["correct"] for r in results] == [True, False, False, False]
