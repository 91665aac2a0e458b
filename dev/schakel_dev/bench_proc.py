"""CPU time of the benchmark's processes, from Linux /proc."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def cpu_seconds(pids: Mapping[str, int]) -> dict[str, float]:
    """User plus system CPU seconds of each process so far (Linux /proc; empty elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used = {}
    for name, pid in pids.items():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        used[name] = stat_cpu_seconds(stat, ticks)
    return used


def stat_cpu_seconds(stat: str, ticks_per_second: int) -> float:
    """User plus system CPU seconds in the text of a `/proc/<pid>/stat`."""
    fields = stat.rsplit(")", 1)[1].split()  # after "(comm)", which may hold spaces
    return (int(fields[11]) + int(fields[12])) / ticks_per_second  # utime, stime


def cpu_delta(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """CPU seconds used between two readings, for the processes present in both."""
    return {name: after[name] - before[name] for name in after if name in before}
