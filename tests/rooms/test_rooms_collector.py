"""One garbage-collection policy per process: rooms freeze what they keep, and the node collects
what closed rooms left only when it is quiet (or when that is overdue)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from rooms import collector
from rooms.collector import KEEP_EVERY, OVERDUE_MS, Collector


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    gc.unfreeze()
    collector.keep()  # starts the count from zero
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_joins_and_answers_of_all_rooms_count_towards_one_freeze_per_keep_every() -> None:
    for _ in range(KEEP_EVERY - 1):
        collector.kept()
    assert gc.get_freeze_count() == 0
    collector.kept()
    assert gc.get_freeze_count() > 0


def test_nothing_is_collected_while_no_room_has_closed() -> None:
    assert not Collector().tick(now_ms=0, quiet=True)


def test_what_a_closed_room_left_is_collected_at_the_first_quiet_moment() -> None:
    node = Collector()
    node.released(now_ms=1_000)
    assert not node.tick(now_ms=2_000, quiet=False)  # a question is open somewhere: not now
    assert node.tick(now_ms=3_000, quiet=True)
    assert gc.get_freeze_count() > 0  # what survived is frozen again
    assert not node.tick(now_ms=4_000, quiet=True)  # once


def test_a_node_that_is_never_quiet_still_collects_when_it_is_overdue() -> None:
    node = Collector()
    node.released(now_ms=0)
    node.released(now_ms=OVERDUE_MS - 1)  # the oldest release counts
    assert not node.tick(now_ms=OVERDUE_MS - 1, quiet=False)
    assert node.tick(now_ms=OVERDUE_MS, quiet=False)
