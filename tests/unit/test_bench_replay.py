"""The replay part of `make bench`: peak memory noted at each share of the history as the
replay's progress lines pass, and the figures printed with whether each goal is met."""

from __future__ import annotations

from schakel.audit.domain.chain import ChainHead
from schakel_dev.bench_kafka import Throughput
from schakel_dev.bench_replay import ReplayBench, ReplayRun, _follow, report_lines
from schakel_dev.seed_history import Seeded

MIB = 2**20


def _replayed(peaks: list[int]) -> ReplayRun:
    run = ReplayRun()
    lines = [
        f"replay: {done}/1000 events ({done // 10}%), 50 events/s" for done in (250, 500, 1000)
    ]
    for line, peak in zip(lines, peaks, strict=True):
        _follow(line, run, peak)
    _follow("replay: 1000 events (seq 1..1000) in 20.0 s, 50 events/s", run, peaks[-1])
    _follow("replay: audit: 1000 applied, 0 not its events, 0 unreadable, 0 failed", run, 0)
    run.exit_code = 0
    return run


def _lines(run: ReplayRun, raw_per_second: float) -> list[str]:
    seeded = Seeded(1000, 100, 2.0, {"t/0": ChainHead(1000, "h")}, 357_000)
    raw = Throughput("consume", 1000, 357, 1000 / raw_per_second)
    return list(report_lines(ReplayBench(seeded, raw, run)))


def test_peaks_are_noted_at_a_quarter_half_and_all_of_the_history() -> None:
    run = _replayed([100 * MIB, 101 * MIB, 102 * MIB])
    assert run.peaks == {0.25: 100 * MIB, 0.5: 101 * MIB, 1.0: 102 * MIB}
    assert (run.events, run.rate) == (1000, 50.0)


def test_a_slow_replay_and_growing_memory_are_printed_as_goals_not_met() -> None:
    lines = _lines(_replayed([100 * MIB, 150 * MIB, 200 * MIB]), raw_per_second=1000.0)
    assert "5.0% of raw consume (goal at least 50%: NOT met)" in lines[2]
    assert "+100% from a quarter to all" in lines[3] and "NOT met" in lines[3]
    assert lines[4] == "  replay: audit: 1000 applied, 0 not its events, 0 unreadable, 0 failed"


def test_a_fast_replay_in_flat_memory_is_printed_as_goals_met() -> None:
    lines = _lines(_replayed([100 * MIB, 100 * MIB, 104 * MIB]), raw_per_second=80.0)
    assert "62.5% of raw consume (goal at least 50%: met)" in lines[2]
    assert lines[3].endswith(": met)")


def test_a_replay_that_failed_prints_its_last_lines() -> None:
    run = ReplayRun(exit_code=-9, lines=["Traceback", "RuntimeError: no archive"])
    _follow("replay: 200/1000 events (20%), 5 events/s", run, 0)
    lines = _lines(run, raw_per_second=1000.0)
    assert lines[2].startswith("replay     FAILED (exit -9")
    assert lines[3:] == [
        "  Traceback",
        "  RuntimeError: no archive",
        "  replay: 200/1000 events (20%), 5 events/s",
    ]
