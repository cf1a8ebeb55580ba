"""The many-rooms bench's arithmetic (no servers): acks counted and lost ones found, the worst
1-second window, periodic stalls told from scattered ones, per-room fan-out and close times, and the
rooms shared out over the bot processes."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from bench import classroom_figures as figures
from bench import classrooms, profile_top
from bench.classroom_worker import RoomReport
from bench.players import SERIES
from bench.worker import JoinReport, RoundReport

NAN = math.nan


def round_report(question: int, server_time_ms: float, **series: list[float]) -> RoundReport:
    count = len(next(iter(series.values())))
    full = {name: series.get(name, [NAN] * count) for name in SERIES}
    return RoundReport(question, full, server_time_ms)


def steady_acks(seconds: float, per_second: int, latency_ms: float) -> tuple[list[float], list[float]]:
    sent = [n / per_second for n in range(int(seconds * per_second))]
    return sent, [latency_ms] * len(sent)


def with_stalls(sent: list[float], latency: list[float], every_s: float, stall_ms: float) -> list[float]:
    """Answers sent during the `stall_ms` after each multiple of `every_s` wait for the stall's end."""
    out = []
    for at, ms in zip(sent, latency, strict=True):
        into = (at % every_s) * 1000
        out.append(stall_ms - into + ms if into < stall_ms else ms)
    return out


def test_acks_pair_answers_with_acks_and_count_the_lost_ones() -> None:
    first = round_report(0, 0.0, answered=[1.0, 2.0, NAN], ack=[1.004, NAN, NAN])
    second = round_report(1, 0.0, answered=[5.0, 5.5, 6.0], ack=[5.010, 5.502, 6.001])
    room = RoomReport(0, JoinReport(0.0, [0.01] * 3, 0.02), rounds=[first, second])
    found = figures.acks([room])
    assert found.unacked == 1  # the answer sent at 2.0 never got its ack; NaN answers were never sent
    assert found.sent == [1.0, 5.0, 5.5, 6.0]
    assert found.latency_ms == pytest.approx([4.0, 10.0, 2.0, 1.0])


def test_the_worst_window_is_the_second_with_the_slow_acks() -> None:
    sent, latency = steady_acks(10, 100, 2.0)
    latency = [300.0 if 6.0 <= at < 6.5 else ms for at, ms in zip(sent, latency, strict=True)]
    p99s = figures.window_p99s(figures.Acks(sent, latency, 0))
    assert len(p99s) == 10
    worst_at, worst = max(p99s, key=lambda pair: pair[1])
    assert (worst_at, worst) == (6.0, 300.0)
    assert p99s[0] == (0.0, 2.0)


def test_a_window_with_too_few_acks_has_no_p99() -> None:
    p99s = figures.window_p99s(figures.Acks([0.0, 0.5, 2.1], [1.0, 1.0, 1.0], 0), min_acks=2)
    assert p99s[0] == (0.0, 1.0)
    assert math.isnan(p99s[1][1]) and math.isnan(p99s[2][1])


def test_stalls_every_five_seconds_have_a_five_second_period() -> None:
    sent, latency = steady_acks(60, 200, 1.0)
    stalled = with_stalls(sent, latency, every_s=5.0, stall_ms=120.0)
    found = figures.Acks(sent, stalled, 0)
    starts = figures.stall_starts(found, figures.stall_threshold(1.0))
    assert starts == pytest.approx([5.0 * n for n in range(12)])
    assert figures.period(starts) == pytest.approx(5.0)
    timeline = figures.timeline(figures.window_p99s(found))
    assert timeline == "+____" * 12  # the beat is visible: one slow second in five


def test_scattered_stalls_have_no_period_and_a_quiet_run_has_no_stalls() -> None:
    assert math.isnan(figures.period([0.0, 1.0, 7.5, 8.0, 20.0]))
    assert math.isnan(figures.period([0.0, 5.0]))  # two stalls are no beat
    sent, latency = steady_acks(20, 100, 3.0)
    noisy = [ms + random.Random(n).uniform(0, 5) for n, ms in enumerate(latency)]
    assert figures.stall_starts(figures.Acks(sent, noisy, 0), figures.stall_threshold(3.0)) == []


def test_the_stall_threshold_follows_the_median_above_a_floor() -> None:
    assert figures.stall_threshold(1.0) == figures.STALL_FLOOR_MS
    assert figures.stall_threshold(10.0) == 40.0
    assert figures.stall_threshold(NAN) == figures.STALL_FLOOR_MS


def test_histogram_shares_and_labels() -> None:
    shares = figures.histogram([0.5, 1.0, 3.0, 700.0], edges=(1.0, 5.0, 500.0))
    assert shares == [25.0, 50.0, 0.0, 25.0]
    assert figures.histogram_labels((1.0, 5.0, 500.0)) == ["0-1", "1-5", "5-500", ">= 500"]
    assert all(math.isnan(share) for share in figures.histogram([], edges=(1.0,)))


def test_round_figures_read_the_servers_stamp_and_the_rooms_last_answer() -> None:
    # perf_counter 100.0 s is epoch 1,000,000 ms; the server stamped the question at 1,000,010 ms.
    offset_ms = 1_000_000.0 - 100_000.0
    report = round_report(
        0, 1_000_010.0,
        arrive=[100.012, 100.020],
        answered=[101.0, 101.5],
        reveal=[101.503, 101.510],
        scoreboard=[101.505, NAN],
    )
    room = RoomReport(0, JoinReport(99.0, [0.01, 0.02], 99.5), commands=[100.005], rounds=[report],
                      finish_command=103.0, finished=[103.004, 103.006])
    found = figures.round_figures([room], offset_ms)
    assert found["open_p50"] == pytest.approx(5.0)
    assert found["fanout_p50"] == pytest.approx(2.0) and found["fanout_max"] == pytest.approx(10.0)
    assert found["reveal_p50"] == pytest.approx(3.0) and found["reveal_p99"] == pytest.approx(10.0)
    assert found["scoreboard_p99"] == pytest.approx(5.0)
    assert found["finished_p99"] == pytest.approx(6.0)
    assert (found["no_question"], found["no_scoreboard"], found["no_finished"]) == (0, 1, 0)


def test_join_figures_per_player_and_per_room() -> None:
    rooms = [RoomReport(0, JoinReport(10.0, [0.010, 0.030], 10.040)),
             RoomReport(1, JoinReport(11.0, [0.020], 11.020, Counter({"room_full": 1})))]
    found = figures.join_figures(rooms)
    assert found["players"] == 3 and found["join_failures"] == 1
    assert found["join_p50"] == pytest.approx(20.0)
    assert found["room_join_p99"] == pytest.approx(40.0)


def test_rooms_are_shared_out_whole_and_in_order() -> None:
    assert classrooms.shares(list(range(5)), [3, 2]) == [[0, 1, 2], [3, 4]]


def test_profile_top_counts_self_and_inclusive_samples_per_function() -> None:
    stacks = [
        "run (server/cli.py:10);handle (rooms/node.py:5);encode (rooms/edge/wire.py:7) 3",
        "run (server/cli.py:10);handle (rooms/node.py:6) 2",
        "read (redis/connection.py:9) 1",
        "run (server/cli.py:10);Runner.run (asyncio/runners.py:118) 4",
        "garbage",
    ]
    own, under, total, left_out = profile_top.tally(stacks, [profile_top.NATIVE_LOOP])
    assert (total, left_out) == (6, 4)
    assert own == {"encode (rooms/edge/wire.py)": 3, "handle (rooms/node.py)": 2,
                   "read (redis/connection.py)": 1}
    assert under["handle (rooms/node.py)"] == 5 and under["run (server/cli.py)"] == 5
    mine = profile_top.ours(under, ("rooms/",))
    assert set(mine) == {"handle (rooms/node.py)", "encode (rooms/edge/wire.py)"}
