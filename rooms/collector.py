"""The process's garbage collector, one policy for every room on the node.

At 10,000 players a full collection walks about a million objects (~100 ms): no room may meet one in
a round or a burst of joins, and since the collector belongs to the process, no room may decide it
alone (one room unfreezing would expose every other room's players to the next full collection).
- Young collections run less often (a higher first threshold): a burst of answers makes fewer.
- What rooms keep (seated players, an open question's frames, its scored answers) is frozen out of
  the older generations' collections as it is made: `gc.freeze()` is O(1), so any room asks for it
  when it opens a question (`keep`), and every room's joins and answers count towards one freeze per
  `KEEP_EVERY` of them in the process (`kept`): a burst of 10,000 answers (about 70,000 objects
  that live until the question closes) never piles up into one long walk.
- Frozen objects are still freed by reference counting; only cycles among them wait. A room that
  closes may leave such cycles, so the node collects them once, when no question is open on it, or
  at the latest `OVERDUE_MS` after a room closed (a node that is never quiet pays one full
  collection every ten minutes rather than growing).
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

YOUNG_THRESHOLD = 10_000
KEEP_EVERY = 1_000  # joins or answers, in all rooms
OVERDUE_MS = 10 * 60_000

_since_kept = 0


def configure() -> None:
    """The process's thresholds (called once by whatever runs the node: the server, a bench)."""
    gc.set_threshold(YOUNG_THRESHOLD, 20, 100)


def keep() -> None:
    """Everything alive now is long-lived (players just seated, a question just opened)."""
    global _since_kept
    _since_kept = 0
    gc.freeze()


def kept() -> None:
    """A room made something that lives for a while (a seat, a scored answer): one freeze for
    every `KEEP_EVERY` of them, whichever rooms they came from."""
    global _since_kept
    _since_kept += 1
    if _since_kept >= KEEP_EVERY:
        keep()


class Collector:
    """Collects what closed rooms left behind, at the node's quiet moments."""

    def __init__(self) -> None:
        self._released_at: int | None = None

    def released(self, now_ms: int) -> None:
        """A room closed: cycles among what it froze may be garbage now."""
        if self._released_at is None:
            self._released_at = now_ms

    def tick(self, now_ms: int, quiet: bool) -> bool:
        """From the node's sweep: collect when a room closed and the node is quiet (or it is
        overdue). True when it collected."""
        if self._released_at is None or (not quiet and now_ms - self._released_at < OVERDUE_MS):
            return False
        self._released_at = None
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        log.info("collected what closed rooms left in %.0f ms", (time.perf_counter() - started) * 1000)
        return True
