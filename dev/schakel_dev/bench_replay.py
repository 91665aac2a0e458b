"""The replay part of `make bench`: seed a referral history (`seed_history`) onto a topic of
the benchmark's Kafka and into a fresh audit archive on a SecantusDB of its own, consume the
topic raw, then run `python -m schakel.audit replay --restart --no-compare` as its own process
and print its events/s next to the raw consume, and its peak memory (resident set, sampled
from /proc) after a quarter, half and all of the history: flat means bounded by design, not
by the history's size. Printed, never asserted."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from schakel_dev.bench_deadline import Deadline
from schakel_dev.bench_kafka import Throughput, consume
from schakel_dev.kafka_server import KafkaServer
from schakel_dev.mongo_server import MongoServer
from schakel_dev.seed_history import Seeded, seed

ARCHIVE_DATABASE = "schakel_audit"  # the audit's default, as the replay process reads it
SHARES = (0.25, 0.5, 1.0)  # of the history, where the peak memory is reported
RSS_EVERY = 0.2  # seconds between samples of the replay's resident set
HALF = 0.5  # the goal: replay at least half as fast as consuming the topic raw
FLAT = 0.10  # growth of peak memory from a quarter to all of the history counted as flat
_PROGRESS = re.compile(r"^replay: (\d+)/(\d+) events")
_SUMMARY = re.compile(r"^replay: (\d+) events .* in ([0-9.]+) s")


@dataclass
class ReplayRun:
    events: int = 0
    seconds: float = 0.0
    exit_code: int | None = None
    peaks: dict[float, int] = field(default_factory=dict)  # share of history -> peak RSS bytes
    lines: list[str] = field(default_factory=list)  # the replay's own report
    progress: str = ""  # its last progress line

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class ReplayBench:
    seeded: Seeded
    raw: Throughput
    replay: ReplayRun


def rss_bytes(pid: int) -> int | None:
    """The process's resident set now (Linux /proc; None when gone or elsewhere)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


class PeakSampler:
    """Samples a process's resident set in a thread; ``mark`` notes the peak so far."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        found = rss_bytes(self._pid)
        if found is not None:
            self.peak = max(self.peak, found)

    def _run(self) -> None:
        while not self._stop.wait(RSS_EVERY):
            self.sample()


def replay_environment(mongodb_uri: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHAKEL_")}
    env.update(SCHAKEL_ENV="development", SCHAKEL_MONGODB_URI=mongodb_uri)
    return env


def run_replay(env: Mapping[str, str], deadline: Deadline) -> ReplayRun:
    """Run the replay command, following its progress lines to note the peak memory at each
    share of the history."""
    command = [sys.executable, "-m", "schakel.audit", "replay", "--restart", "--no-compare"]
    run = ReplayRun()
    with subprocess.Popen(
        command, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        timer = threading.Timer(max(deadline.left(), 1.0), proc.kill)
        timer.start()
        try:
            with PeakSampler(proc.pid) as sampler:
                assert proc.stdout is not None
                for line in proc.stdout:
                    sampler.sample()
                    _follow(line.rstrip(), run, sampler.peak)
        except BaseException:  # interrupted: stop the replay too, not only wait for it
            proc.kill()
            raise
        finally:
            timer.cancel()
        run.exit_code = proc.wait()
        run.peaks.setdefault(1.0, sampler.peak)
    return run


def _follow(line: str, run: ReplayRun, peak: int) -> None:
    if progress := _PROGRESS.match(line):
        run.progress = line
        done, total = int(progress[1]), int(progress[2])
        for share in SHARES:
            if total and done >= share * total:
                run.peaks.setdefault(share, peak)
        return
    if summary := _SUMMARY.match(line):
        run.events, run.seconds = int(summary[1]), float(summary[2])
    run.lines.append(line)


def measure(kafka: KafkaServer, data_dir: Path, events: int, deadline: Deadline) -> ReplayBench:
    topic = f"bench-replay-{os.getpid()}-{int(time.time())}"
    with MongoServer(data_dir / "replay-mongodb") as mongo:
        seeded = asyncio.run(
            seed(events, kafka.bootstrap_servers, mongo.uri, ARCHIVE_DATABASE, topic=topic)
        )
        raw = asyncio.run(
            asyncio.wait_for(
                consume(kafka.bootstrap_servers, topic, seeded.events, seeded.mean_size),
                deadline.left(),
            )
        )
        replay = run_replay(replay_environment(mongo.uri), deadline)
    return ReplayBench(seeded, raw, replay)


def report_lines(bench: ReplayBench) -> Iterator[str]:
    seeded, raw, replay = bench.seeded, bench.raw, bench.replay
    yield (
        f"seeded     {seeded.events} events of {seeded.referrals} referrals in "
        f"{seeded.seconds:.1f} s ({seeded.rate:,.0f} events/s), produced and archived"
    )
    yield f"raw        {raw.line()} (the same topic, one consumer)"
    if replay.exit_code != 0 or not replay.events:
        yield f"replay     FAILED (exit {replay.exit_code}; -9: killed at the time cap):"
        yield from (f"  {line}" for line in [*replay.lines[-20:], replay.progress] if line)
        return
    share = replay.rate / raw.per_second if raw.per_second else 0.0
    met = "met" if share >= HALF else "NOT met"
    yield (
        f"replay     {replay.events} events in {replay.seconds:.1f} s: {replay.rate:,.0f} "
        f"events/s = {share:.1%} of raw consume (goal at least {HALF:.0%}: {met})"
    )
    yield _memory_line(replay, seeded.events)
    yield from (
        f"  {line}" for line in replay.lines if line.startswith("replay: ") and ":" in line[8:]
    )


def _memory_line(replay: ReplayRun, events: int) -> str:
    peaks = [(share, replay.peaks[share]) for share in SHARES if share in replay.peaks]
    listed = ", ".join(
        f"{_mib(peak)} after {share:.0%} ({int(share * events)} events)" for share, peak in peaks
    )
    if len(peaks) < 2 or not peaks[0][1]:
        return f"replay peak RSS: {listed or 'not measured'}"
    growth = peaks[-1][1] / peaks[0][1] - 1
    flat = "met" if growth <= FLAT else "NOT met"
    return (
        f"replay peak RSS: {listed}: {growth:+.0%} from a quarter to all "
        f"(goal flat, at most {FLAT:+.0%}: {flat})"
    )


def _mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB"


def print_replay(bench: ReplayBench) -> None:
    for line in report_lines(bench):
        print(f"  {line}")
