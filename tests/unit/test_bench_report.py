"""The figures `make bench` prints for a pipeline run, from a run made up here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schakel_dev.bench_follow import ArchiveCheck, ArchiveWait
from schakel_dev.bench_load import Post
from schakel_dev.bench_metrics import ServiceLoad
from schakel_dev.bench_phases import PacedResult
from schakel_dev.bench_pipeline import PipelineConfig, PipelineResult
from schakel_dev.bench_report import (
    figures,
    paced_lines,
    percentile,
    progress_series,
    report_lines,
    yardstick_share,
)
from schakel_dev.bench_yardstick import YardstickResult

SENT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("q", "expected"), [(0, 15.0), (30, 20.0), (40, 20.0), (50, 35.0), (95, 50.0), (100, 50.0)]
)
def test_percentiles_are_nearest_rank(q: float, expected: float) -> None:
    assert percentile([50.0, 15.0, 40.0, 20.0, 35.0], q) == expected


def test_the_percentile_of_nothing_is_zero() -> None:
    assert percentile([], 50) == 0.0


def result(end_to_end: float | None = 6.0, stalled: bool = False) -> PipelineResult:
    posts = [
        Post(0, SENT, 100.0, 0.5, 202, "r0"),
        Post(1, SENT, 100.5, 0.25, 202, "r1"),
        Post(2, SENT, 101.0, 2.0, 503, None),
        Post(3, SENT, 101.5, 0.5, 202, "r3"),
    ]
    archived = 9 if end_to_end else 6
    return PipelineResult(
        config=PipelineConfig(signals=4, clients=2, samples=2),
        posts=posts,
        posting_seconds=2.0,
        wait=ArchiveWait(expected=9, archived=archived, stalled=stalled),
        end_to_end_seconds=end_to_end,
        window_seconds=6.0,
        final_latencies=[2.0, 3.0],
        sample_pass_seconds=0.125,
        check=ArchiveCheck(True, 9, 9, 0.01, 0.02),
        loads=[ServiceLoad("triage", 6, 3, 0.3), ServiceLoad("audit", 12, 12, 3.0)],
        cpu_seconds={"kafka": 1.5, "audit": 3.0},
        hops={"gateway+intake": [0.6, 0.4], "->triage": [1.0, 2.0], "->matching": []},
        archive_trace=[(1.0, 0), (3.0, 3), (6.0, 9)],
    )


def test_the_plot_shows_accepted_signals_against_archived_ones() -> None:
    accepted, archived = progress_series(result()).values()
    # Each accepted signal counts once its POST was answered, from the first POST on.
    assert accepted == [(0.0, 0.0), (0.5, 1.0), (0.75, 2.0), (2.0, 3.0)]
    assert archived == [(1.0, 0.0), (3.0, 1.0), (6.0, 3.0)]  # three events make one signal


def test_a_run_that_reached_the_end_reports_rates_and_where_the_time_went() -> None:
    lines = list(report_lines(result(), raw_produce_per_second=3000.0))
    assert lines[0] == (
        "accepted   3/4 signals in 2.0 s at the gateway: 1.5 signals/s (refused: HTTP 503); "
        "POST p50 500 ms, p95 2000 ms, max 2000 ms"
    )
    assert lines[1] == (
        "end to end 3 signals, 9 events archived in 6.0 s (from the first POST): "
        "0.5 signals/s, 1.5 events/s"
    )
    assert lines[2] == (
        "POST to final status, 2 sampled receipts (one pass every 0.12 s): "
        "p50 2.0 s, p95 3.0 s, max 3.0 s"
    )
    assert lines[3] == "audit chain intact: 9 of 9 entries verified in 0.01 s (0.02 s round trip)"
    assert lines[4] == (
        "vs raw broker: 1.5 pipeline events/s vs 3,000 raw produce msg/s = 0.05% (1 : 2,000)"
    )
    assert line(lines, "hops") == (
        "hops of the sampled signals, p50/p95 s: gateway+intake 0.4/0.6, ->triage 1.0/2.0"
    )
    assert next(line for line in lines if line.startswith("where")) == (
        "where the time goes: audit's handler was the busiest, 50% of the run (250 ms per "
        "event); the slowest hop is ->triage; audit used the most CPU "
        "(50% of one CPU)"
    )


@pytest.mark.parametrize(("stalled", "why"), [(True, "it stalled"), (False, "time ran out")])
def test_a_run_that_did_not_reach_the_end_says_how_far_it_got(stalled: bool, why: str) -> None:
    lines = list(report_lines(result(end_to_end=None, stalled=stalled), 3000.0))
    assert lines[1] == f"end to end NOT reached: 6/9 events archived ({why})"
    assert lines[4] == "vs raw broker: no comparison (no raw baseline or no end-to-end figure)"


def line(lines: list[str], start: str) -> str:
    return next(text for text in lines if text.startswith(start))


def test_the_pipeline_is_compared_with_the_yardstick_one_signal_per_event() -> None:
    # 2 events/s through four hops, 1.5 ms of CPU per event
    yardstick = YardstickResult(1200, 1200, 1200 / 2.0, {"hop0": 0.6, "secantusd": 1.2})
    assert yardstick_share(result(), yardstick) == 0.25  # 0.5 signals/s
    lines = list(report_lines(result(), 3000.0, yardstick))
    assert line(lines, "vs yardstick CPU") == (
        "vs yardstick CPU: 1500.0 ms per signal vs 1.5 ms per yardstick event = 1000.0 times"
    )
    assert line(lines, "vs yardstick").startswith(
        "vs yardstick: 0.5 signals/s vs 2.0 events/s through 4 hops = 25% (one signal counted "
        "as one yardstick event"
    )
    assert yardstick_share(result(end_to_end=None), yardstick) is None
    assert yardstick_share(result(), None) is None


def test_cpu_per_signal_is_per_process_and_summed_without_the_load_generator() -> None:
    run = result()
    run.cpu_seconds = {"kafka": 1.5, "audit": 3.0, "bench client": 0.3}
    lines = list(report_lines(run, None))
    assert line(lines, "CPU ms per signal") == (
        "CPU ms per signal: audit 1000.0, kafka 500.0, bench client 100.0; sum 1500.0 "
        "(without the bench client)"
    )
    assert figures(run, None).cpu_ms_per_signal == 1500.0


def test_the_lag_of_each_service_is_reported_highest_first() -> None:
    run = result()
    run.lag = {"triage": [(0.0, 2.0), (1.0, 0.0)], "audit": [(0.0, 9.0), (1.0, 4.0)]}
    assert line(list(report_lines(run, None)), "consumer lag") == (
        "consumer lag, records, highest/at the end: audit 9/4, triage 2/0"
    )


def paced() -> PacedResult:
    posts = [Post(n, SENT, float(n), 0.010 * (n + 1), 202, f"r{n}") for n in range(10)]
    return PacedResult(
        rate=5.0,
        posts=posts,
        seconds=2.0,
        final_latencies=[0.5, 0.7, 1.5],
        sampled=4,
        wait=ArchiveWait(expected=30, archived=30, reached_at=1.0),
    )


def test_half_saturation_gives_post_and_final_status_percentiles() -> None:
    assert paced_lines(paced()) == [
        "at half saturation: 10/10 signals accepted at 5.0 signals/s in 2.0 s; POST p50 50 ms, "
        "p95 100 ms, p99 100 ms",
        "  POST to final status (feedback's event time in the archive), 3 of 4 sampled: "
        "p50 0.70 s, p95 1.50 s, p99 1.50 s",
        "  signal to proposal: not measurable here (nothing is proposed before the owner's "
        "first conversation; it would need a scripted conversation per signal)",
    ]
    run = result()
    run.paced = paced()
    judged = figures(run, None)
    assert (judged.final_p99_seconds, judged.post_p50_seconds) == (1.5, 0.05)
    assert judged.signals_per_second == 0.5


def test_round_trips_are_reported_per_accepted_signal_busiest_service_first() -> None:
    run = result()
    run.round_trips = {
        "triage": {"find processed_events": 3.0},
        "audit": {"insert archive": 6.0, "find chains": 3.0, "commitTransaction": 3.0},
    }
    lines = list(report_lines(run, 3000.0))
    start = next(i for i, text in enumerate(lines) if text.startswith("MongoDB round trips"))
    assert lines[start : start + 3] == [
        "MongoDB round trips per signal: 5.0 (the services' commands since they started, "
        "background work included):",
        "  audit       4.0: insert archive 2.0, find chains 1.0, commitTransaction 1.0",
        "  triage      1.0: find processed_events 1.0",
    ]
