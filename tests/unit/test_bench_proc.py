"""The benchmark's CPU figures from /proc/<pid>/stat."""

from __future__ import annotations

import os
import sys
import time

import pytest

from schakel_dev.bench_proc import cpu_delta, cpu_seconds, stat_cpu_seconds

# Fields 14 and 15 (utime, stime) are 250 and 50 ticks; the command name holds a space and
# a parenthesis, as `(python -m x)` or a renamed thread may.
STAT = (
    "4242 (java (kafka) x) S 1 4242 4242 0 -1 4194560 81234 0 12 0 250 50 3 1 20 0 61 0 "
    "123456 4123456789 98765 18446744073709551615 1 1 0 0 0 0 0 4096 1260 0 0 0 17 1 0 0 0 0 0"
)


def test_user_and_system_ticks_are_added_and_scaled() -> None:
    assert stat_cpu_seconds(STAT, 100) == pytest.approx(3.0)
    assert stat_cpu_seconds(STAT, 1000) == pytest.approx(0.3)


def test_a_delta_covers_the_processes_read_both_times() -> None:
    before = {"triage": 1.5, "audit": 2.0, "gone": 4.0}
    after = {"triage": 2.0, "audit": 5.25, "new": 1.0}
    assert cpu_delta(before, after) == {"triage": 0.5, "audit": 3.25}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux /proc")
def test_this_process_is_read_and_a_process_that_is_gone_is_left_out() -> None:
    busy_until = time.process_time() + 0.1
    while time.process_time() < busy_until:  # at least 10 ticks of CPU time
        pass
    used = cpu_seconds({"me": os.getpid(), "nobody": 2**22 + 1})  # above any pid_max
    assert set(used) == {"me"}
    assert 0.05 <= used["me"] <= time.process_time() + 0.05
