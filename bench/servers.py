"""The servers under test as subprocesses: started pinned to one core, measured, always killed."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import procstat

REPO = Path(__file__).resolve().parent.parent
GC_PROBE = Path(__file__).resolve().parent / "gcprobe"  # its sitecustomize logs long collections
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0


@dataclass
class ServerProcess:
    """A server under test: its process, port and log file (and how it was started, to start it
    again after a kill)."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    argv: list[str] | None = None
    env: dict[str, str] | None = None
    cwd: Path | None = None
    cpu: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        return procstat.cpu_seconds(self.pid)

    def rss_kib(self) -> int:
        return procstat.rss_kib(self.pid)

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL to its process group (a crash), waited for."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT_S)

    def start_again(self) -> None:
        """The same command, environment, port and core as before (after `kill`)."""
        assert self.argv is not None and self.env is not None
        self.process = _start(self.name, self.argv, self.env, self.cpu, self.log_path, self.port,
                              self.cwd).process

    def stop(self) -> None:
        """SIGTERM to its process group, SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        for sig, wait_s in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, STOP_TIMEOUT_S)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(wait_s)
                return
            except subprocess.TimeoutExpired:
                continue


def gc_pauses(server: ServerProcess | ServerGroup) -> list[tuple[float, float]]:
    """(perf_counter at start, seconds) of each long collection the server's probe logged so far
    (of every node, for a group)."""
    pauses = []
    members = server.members if isinstance(server, ServerGroup) else [server]
    lines = [line for m in members for line in m.log_path.read_text(errors="replace").splitlines()]
    for line in lines:
        if line.startswith("bench-gc "):
            _, start, took, _ = line.split()
            pauses.append((float(start), float(took)))
    return pauses


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(name: str, argv: list[str], env: dict[str, str], cpu: int | None, log_path: Path,
           port: int, cwd: Path | None = None) -> ServerProcess:
    def pin() -> None:
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    log = log_path.open("ab")  # a restarted server appends to its log
    try:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, preexec_fn=pin, start_new_session=True)
    finally:
        log.close()
    return ServerProcess(name, process, port, log_path, argv, env, cwd, cpu)


def snapshot(revision: str, into: Path) -> Path:
    """The repository's tree at `revision` (`git archive`), so a run measures one commit while the
    working tree keeps changing."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def start_quizarena(workdir: Path, cpu: int | None, source: Path | None = None,
                    extra_env: dict[str, str] | None = None, name: str = "quizarena") -> ServerProcess:
    """`quizarena serve` with its data in `workdir`, no demo content and join and socket limits
    raised; from the installed (working tree) code, or from the tree at `source`. `extra_env` adds
    settings (REDIS_URL, NODE_ID, a shared DATABASE_URL...); without it the node is the embedded
    default (rooms in memory, SQLite in `workdir`)."""
    port = free_port()
    env = {**os.environ, "QUIZARENA_DATA_DIR": str(workdir / "data"), "QUIZARENA_SEED_DEMO": "0",
           "JOINS_PER_ADDRESS_PER_MINUTE": "1000000", "WS_MAX_SOCKETS_PER_ADDRESS": "1000000"}
    for inherited in ("DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "NODE_ID", "LEASE_TTL_MS", "SECRET_KEY"):
        env.pop(inherited, None)
    env.update(extra_env or {})
    argv = [str(Path(sys.executable).with_name("quizarena"))]
    env["PYTHONPATH"] = str(GC_PROBE)
    if source is not None:
        env["PYTHONPATH"] += os.pathsep + str(source)
        argv = [sys.executable, "-m", "server.cli"]
    argv += ["serve", "--host", "127.0.0.1", "--port", str(port)]
    return _start(name, argv, env, cpu, workdir / f"{name}.log", port, cwd=source)


def with_max_connections(redis_url: str, max_connections: int | None) -> str:
    """`redis_url` with redis-py's `max_connections` query argument (the pool size of each node)."""
    if not max_connections:
        return redis_url
    return f"{redis_url}{'&' if '?' in redis_url else '?'}max_connections={max_connections}"


def node_env(root: Path, redis_url: str, prefix: str, node_id: str,
             lease_ttl_ms: int | None = None) -> dict[str, str]:
    """The settings of one node of a Redis deployment (as tests/cluster/cluster.py starts them): the
    same Redis and key prefix, the same database and secret; its own data directory and node id."""
    env = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "NODE_ID": node_id,
           "DATABASE_URL": f"sqlite+aiosqlite:///{root}/shared.db",
           "SECRET_KEY": "bench-cluster-secret-" + "x" * 32}
    if lease_ttl_ms is not None:
        env["LEASE_TTL_MS"] = str(lease_ttl_ms)
    return env


def start_nodes(root: Path, count: int, cpu: int | None, redis_url: str, prefix: str,
                source: Path | None = None, lease_ttl_ms: int | None = None) -> list[ServerProcess]:
    """`count` QuizArena nodes over one Redis, started one after another (each migrates the shared
    database first, so the next waits until the previous one listens). Node i is `node{i}`, its
    data in `root/node{i}`."""
    nodes: list[ServerProcess] = []
    try:
        for number in range(count):
            workdir = root / f"node{number}"
            workdir.mkdir(parents=True, exist_ok=True)
            env = node_env(root, redis_url, prefix, f"node{number}", lease_ttl_ms)
            node = start_quizarena(workdir, cpu, source, env, name=f"node{number}")
            nodes.append(node)
            wait_listening(node)
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    return nodes


class ServerGroup:
    """Several server processes measured as one (the nodes of one deployment): CPU and RSS are their
    sums; node 0 is the one the run talks REST to, so it opens (owns) the room."""

    def __init__(self, name: str, members: list[ServerProcess]):
        self.name = name
        self.members = members

    @property
    def port(self) -> int:
        return self.members[0].port

    @property
    def pid(self) -> int:
        return self.members[0].pid

    @property
    def pids(self) -> list[int]:
        return [member.pid for member in self.members]

    @property
    def log_path(self) -> Path:
        return self.members[0].log_path

    def cpu_seconds(self) -> float:
        return procstat.total_cpu_seconds(self.pids)

    def rss_kib(self) -> int:
        return sum(member.rss_kib() for member in self.members)

    def check_alive(self) -> None:
        for member in self.members:
            member.check_alive()

    def stop(self) -> None:
        for member in self.members:
            member.stop()


def start_baseline(workdir: Path, cpu: int | None, questions: int) -> ServerProcess:
    """`python -m bench.baseline` on a free port."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.baseline", "--port", str(port), "--questions", str(questions)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(GC_PROBE), str(REPO)))}
    return _start("baseline", argv, env, cpu, workdir / "baseline.log", port, cwd=REPO)


def wait_listening(server: ServerProcess | ServerGroup, timeout: float = READY_TIMEOUT_S) -> None:
    """Block until the server accepts TCP connections (it may run migrations first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server.check_alive()
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{server.name} did not listen on port {server.port} within {timeout:.0f} s")
