"""The bench's own arithmetic (no servers): targets, the owner-stamp split by node, the table's
ratio columns and the Redis URL option."""

from __future__ import annotations

import argparse
import math

import pytest

from bench import loadgen, servers, stats


def test_targets_parse_sets_and_lists() -> None:
    assert loadgen.parse_targets("both") == ("baseline", "quizarena")
    assert loadgen.parse_targets("all") == ("baseline", "quizarena", "redis")
    assert loadgen.parse_targets("baseline, redis") == ("baseline", "redis")
    with pytest.raises(argparse.ArgumentTypeError):
        loadgen.parse_targets("quizarena,nope")


def test_owner_stamp_split_by_node_round_robin() -> None:
    # Bots 0 and 2 sit on node 0 (the owner), 1 and 3 on node 1; bot 3 never got the question.
    t0, t0_ms, server_time_ms = 100.0, 1_000_000.0, 1_000_010.0
    series = {
        "arrive": [100.020, 100.050, 100.030, math.nan],
        "sent_ms": [1_000_015.0, 1_000_040.0, math.nan, math.nan],
    }
    figures = loadgen.node_figures(t0, t0_ms, series, server_time_ms, nodes=2)
    assert figures["stamp_owner_p50"] == pytest.approx(10.0)
    assert figures["stamp_owner_max"] == pytest.approx(20.0)
    assert figures["stamp_remote_max"] == pytest.approx(40.0)
    assert figures["span_owner"] == 5.0 and figures["span_remote"] == 30.0


def test_table_gives_each_target_a_ratio_to_the_baseline_and_drops_empty_rows() -> None:
    results = {
        "baseline": {"players": 10.0, "round": (100.0, 110.0)},
        "quizarena": {"players": 10.0, "round": (120.0, 130.0)},
        "redis": {"players": 10.0, "round": (150.0, 160.0), "nodes": 2.0},
    }
    table = stats.table(results)
    assert "| figure | baseline | quizarena | redis | quizarena / baseline | redis / baseline |" in table
    row = "| whole round: question out -> last ack (ms) | 100.0 (110.0) | 120.0 (130.0) | 150.0 (160.0) |"
    assert row + " 1.20 | 1.50 |" in table
    assert "server nodes" in table and "| - | - |" in table  # no ratio for a count of nodes
    assert "answer ack p50" not in table  # no target has it


def test_max_connections_goes_into_the_redis_url() -> None:
    assert servers.with_max_connections("redis://h:1/0", None) == "redis://h:1/0"
    assert servers.with_max_connections("redis://h:1/0", 500) == "redis://h:1/0?max_connections=500"
    assert servers.with_max_connections("redis://h:1/0?a=1", 5) == "redis://h:1/0?a=1&max_connections=5"
