"""The servers under test as subprocesses: started pinned to one core, measured, always killed."""

from __future__ import annotations

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
    """A server under test: its process, port and log file."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

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


def gc_pauses(server: ServerProcess) -> list[tuple[float, float]]:
    """(perf_counter at start, seconds) of each long collection the server's probe logged so far."""
    pauses = []
    for line in server.log_path.read_text(errors="replace").splitlines():
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

    log = log_path.open("wb")
    try:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, preexec_fn=pin, start_new_session=True)
    finally:
        log.close()
    return ServerProcess(name, process, port, log_path)


def snapshot(revision: str, into: Path) -> Path:
    """The repository's tree at `revision` (`git archive`), so a run measures one commit while the
    working tree keeps changing."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def start_quizarena(workdir: Path, cpu: int | None, source: Path | None = None) -> ServerProcess:
    """`quizarena serve` with its data in `workdir`, no demo content and join limits raised; from
    the installed (working tree) code, or from the tree at `source`."""
    port = free_port()
    env = {**os.environ, "QUIZARENA_DATA_DIR": str(workdir / "data"), "QUIZARENA_SEED_DEMO": "0",
           "JOINS_PER_ADDRESS_PER_MINUTE": "1000000"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    argv = [str(Path(sys.executable).with_name("quizarena"))]
    env["PYTHONPATH"] = str(GC_PROBE)
    if source is not None:
        env["PYTHONPATH"] += os.pathsep + str(source)
        argv = [sys.executable, "-m", "server.cli"]
    argv += ["serve", "--host", "127.0.0.1", "--port", str(port)]
    return _start("quizarena", argv, env, cpu, workdir / "quizarena.log", port, cwd=source)


def start_baseline(workdir: Path, cpu: int | None, questions: int) -> ServerProcess:
    """`python -m bench.baseline` on a free port."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.baseline", "--port", str(port), "--questions", str(questions)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(GC_PROBE), str(REPO)))}
    return _start("baseline", argv, env, cpu, workdir / "baseline.log", port, cwd=REPO)


def wait_listening(server: ServerProcess, timeout: float = READY_TIMEOUT_S) -> None:
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
