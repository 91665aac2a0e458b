"""The pipeline benchmark's parts after the backlog run that finds the saturation rate.

Paced: signals at half that rate, each POSTed when due (an open load), for about
`PACED_SECONDS`; then the time from each sampled POST to its final status (feedback's
"doorgezet" event, by its CloudEvents time in the audit archive). That is where a new signal's
path ends today: matching proposes only after the owner's first conversation, which no
benchmark signal gets, so "signal to proposal" would need a scripted owner conversation per
signal; signal to final status is the nearest honest end point, with the same hops but one.

Profile: the busiest service (most CPU in the backlog run) is run under
`schakel_dev.profiling`; cProfile is switched on for a further burst of signals and its
statistics written to `.bench/` with a top-N text summary.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from schakel_dev.bench_deadline import Deadline
from schakel_dev.bench_follow import (
    EVENTS_PER_SIGNAL,
    ArchiveWait,
    Probe,
    Progress,
    wait_for_archive,
)
from schakel_dev.bench_load import Post, post_paced, post_signals
from schakel_dev.profiling import START, STOP, stats_path, top_functions

PACED_SECONDS = 20.0
PACED_MAX = 1000  # signals, whatever the rate
PACED_SAMPLES = 100  # signals timed to their final status through the archive
PROFILE_SIGNALS = 100
PROFILE_CLIENTS = 8
PROFILE_TOP = 25


@dataclass(frozen=True)
class PacedResult:
    rate: float  # signals/s asked for
    posts: list[Post]
    seconds: float  # from the first POST to the last answer
    final_latencies: list[float]  # POST to final status, of the sampled signals that had one
    sampled: int
    wait: ArchiveWait

    @property
    def accepted(self) -> int:
        return sum(1 for p in self.posts if p.receipt is not None)


@dataclass(frozen=True)
class ProfileResult:
    service: str
    signals: int
    stats: Path
    summary: Path
    complete: bool  # the archive held every event of the burst when profiling stopped


def paced_count(rate: float, seconds: float = PACED_SECONDS, most: int = PACED_MAX) -> int:
    """How many signals a paced part of about `seconds` at `rate`/s sends (at least one)."""
    return max(1, min(most, round(rate * seconds)))


def spread(posts: Sequence[Post], count: int) -> list[Post]:
    """Up to `count` accepted posts, evenly spread over the part (first, ..., last)."""
    accepted = [p for p in posts if p.receipt is not None]
    if len(accepted) <= count:
        return accepted
    return [accepted[k * (len(accepted) - 1) // (count - 1)] for k in range(count)]


async def paced(
    client: httpx.AsyncClient, probe: Probe, rate: float, first: int, deadline: Deadline
) -> PacedResult:
    """POST at `rate`/s, wait for the archive, time the sampled signals to a final status."""
    count = paced_count(rate)
    print(f"  paced: {count} signals at {rate:.1f} signals/s")
    before = await _archive_position(probe)
    started = time.perf_counter()
    posts = await post_paced(client, rate, count, first, deadline)
    seconds = time.perf_counter() - started
    wait = await _settle(probe, before, posts, deadline)
    sampled = spread(posts, PACED_SAMPLES)
    latencies = []
    for post in sampled:
        times = await probe.milestones(post)
        if "final" in times:
            latencies.append((times["final"] - times["posted"]).total_seconds())
    return PacedResult(rate, posts, seconds, latencies, len(sampled), wait)


async def profile_busiest(
    client: httpx.AsyncClient,
    probe: Probe,
    service: str,
    first: int,
    run_dir: Path,
    out_dir: Path,
    deadline: Deadline,
) -> ProfileResult | None:
    """Profile `service` (started by `schakel_dev.profiling`) over a burst of signals."""
    print(f"  profile: {service} under cProfile for a burst of {PROFILE_SIGNALS} signals")
    pid = probe.endpoints.pids[service]
    before = await _archive_position(probe)
    os.kill(pid, START)
    try:
        posts = await post_signals(client, PROFILE_SIGNALS, PROFILE_CLIENTS, deadline, [], first)
        wait = await _settle(probe, before, posts, deadline)
    finally:
        os.kill(pid, STOP)
    dumped = await _dumped(stats_path(f"schakel.{service}", run_dir), deadline)
    if dumped is None:
        print(f"  profile: {service} wrote no statistics")
        return None
    return _keep(service, dumped, out_dir, len(posts), wait.reached_at is not None)


async def _archive_position(probe: Probe) -> tuple[int, int]:
    """(entries in the archive, events audit applied since its start), read together."""
    return (await probe.verify()).archived, await probe.audit_applied()


async def _settle(
    probe: Probe, before: tuple[int, int], posts: Sequence[Post], deadline: Deadline
) -> ArchiveWait:
    archived, applied = before
    accepted = sum(1 for p in posts if p.receipt is not None)
    wait = ArchiveWait(archived + EVENTS_PER_SIGNAL * accepted)
    await wait_for_archive(probe, wait, archived - applied, deadline, Progress(len(posts)))
    return wait


async def _dumped(path: Path, deadline: Deadline) -> Path | None:
    """The statistics file once written (the service writes it in its signal handler)."""
    size = -1
    while not deadline.passed:
        now = _size(path)
        if now > 0 and now == size:
            return path
        size = now
        await asyncio.sleep(0.5)
    return None


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else -1


def _keep(service: str, dumped: Path, out_dir: Path, signals: int, complete: bool) -> ProfileResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    stats = out_dir / f"profile-{service}-{stamp}.prof"
    shutil.copyfile(dumped, stats)
    summary = stats.with_suffix(".txt")
    summary.write_text(top_functions(stats, PROFILE_TOP))
    return ProfileResult(service, signals, stats, summary, complete)


def busiest_service(cpu: dict[str, float], services: Sequence[str]) -> str | None:
    """The service (not Kafka, SecantusDB or the benchmark) that used the most CPU."""
    candidates = {name: seconds for name, seconds in cpu.items() if name in services}
    return max(candidates, key=lambda name: candidates[name], default=None)
