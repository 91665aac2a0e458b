"""The profile `make bench` writes of its busiest service: a summary names where time went."""

from __future__ import annotations

import cProfile
from pathlib import Path

from schakel_dev.profiling import stats_path, top_functions


def spin_for_the_profile(rounds: int) -> int:
    return sum(n * n for n in range(rounds))


def test_the_summary_lists_the_functions_that_took_the_time(tmp_path: Path) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    spin_for_the_profile(200_000)
    profiler.disable()
    stats = stats_path("schakel.audit", tmp_path)
    profiler.dump_stats(stats)
    summary = top_functions(stats, count=5)
    assert stats.name == "schakel.audit.prof"
    assert "=== top 5 by tottime" in summary
    assert "=== top 5 by cumulative" in summary
    assert "spin_for_the_profile" in summary
