"""Loaded by a server under test through PYTHONPATH: logs each garbage collection of 5 ms or more
as `bench-gc <perf_counter at start> <seconds> <generation>` on stderr, for `bench.loadgen` to
attribute to the phase it fell in. Nothing else changes in the server."""

import gc
import sys
import time

MIN_PAUSE_S = 0.005
_started = [0.0]


def _probe(phase: str, info: dict[str, int]) -> None:
    now = time.perf_counter()
    if phase == "start":
        _started[0] = now
        return
    took = now - _started[0]
    if took >= MIN_PAUSE_S:
        sys.stderr.write(f"bench-gc {_started[0]:.6f} {took:.6f} {info['generation']}\n")


gc.callbacks.append(_probe)
