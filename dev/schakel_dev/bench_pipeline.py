"""The pipeline half of `make bench`: signals in at the public gateway, out as a full archive.

Starts SecantusDB and every service next to the benchmark's Kafka, posts signals from a few
concurrent clients (`bench_load`), then waits until the audit archive holds every event they
cause (6 per signal), following it from outside (`bench_follow`). Measures accepted signals/s,
end-to-end signals/s and events/s, the time from POST to a final signaler status for a sample
of receipts, the audit chain check, and where the time went: the delay per hop of the sampled
signals (from their CloudEvents times in the archive), handler time per service (from
`/metrics`, `bench_metrics`) and CPU seconds per process (from /proc, `bench_proc`).
That backlog run gives the saturation rate; then signals paced at half of it, and a burst with
the busiest service (most CPU) under cProfile (`bench_phases`). Each consuming service's lag is
sampled throughout (`bench_lag`). `bench_report` prints the figures and writes an SVG plot to
`.bench/`: signals accepted and signals fully archived over time (the gap is the backlog), and
below it the consumer lag per service.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from schakel_dev import repo_root
from schakel_dev.bench_deadline import Deadline
from schakel_dev.bench_follow import (
    EVENTS_PER_SIGNAL,
    ArchiveCheck,
    ArchiveWait,
    Endpoints,
    Probe,
    Progress,
    StatusSampler,
    auditor_headers,
    trace_archive,
    wait_for_archive,
)
from schakel_dev.bench_lag import LagSampler, shifted
from schakel_dev.bench_load import Post, post_signals
from schakel_dev.bench_metrics import ServiceLoad
from schakel_dev.bench_phases import (
    PACED_MAX,
    PacedResult,
    ProfileResult,
    busiest_service,
    paced,
    profile_busiest,
)
from schakel_dev.bench_proc import cpu_delta, cpu_seconds
from schakel_dev.kafka_server import KafkaServer
from schakel_dev.mongo_server import MongoServer
from schakel_dev.stack import Stack

HANDLING_SERVICES = ("triage", "matching", "followup", "feedback", "audit")
CONSUMING_SERVICES = ("intake", *HANDLING_SERVICES)  # a consumer group each: their lag
HTTP_TIMEOUT = 30.0
SAMPLER_GRACE = 10.0  # for the last sampled statuses, once the archive is complete
RESERVE_SECONDS = 20.0  # of the overall cap, kept for the final check and the figures
PHASE_SECONDS = 90.0  # the paced and the profiled part start only with this much time left
PACED_CLIENTS = 32  # connections for the paced POSTs: they must not queue for one


@dataclass(frozen=True)
class PipelineConfig:
    signals: int = 300
    clients: int = 8
    samples: int = 30
    paced_rate: float | None = None  # signals/s of the paced part; None: half the saturation


@dataclass
class PipelineResult:
    config: PipelineConfig
    posts: list[Post]
    posting_seconds: float
    wait: ArchiveWait
    end_to_end_seconds: float | None
    window_seconds: float  # from the first POST until the wait ended, reached or not
    final_latencies: list[float]
    sample_pass_seconds: float
    check: ArchiveCheck
    loads: list[ServiceLoad]
    # service -> "command collection" -> MongoDB commands it sent (since it started)
    round_trips: dict[str, dict[str, float]] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    hops: dict[str, list[float]] = field(default_factory=dict)
    # (seconds since the first POST, events audit archived by then), for the plot
    archive_trace: list[tuple[float, int]] = field(default_factory=list)
    # service -> (seconds since the first POST, records its group has not committed)
    lag: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    paced: PacedResult | None = None
    profile: ProfileResult | None = None

    @property
    def accepted(self) -> int:
        return sum(1 for p in self.posts if p.receipt is not None)


def run_pipeline(
    kafka: KafkaServer, data_dir: Path, config: PipelineConfig, deadline: Deadline
) -> PipelineResult | None:
    """Start SecantusDB and the services, measure; everything stopped on return."""
    with MongoServer(data_dir / "mongodb", sync_on_commit=True) as mongo:
        print(f"SecantusDB at {mongo.uri.split('/?')[0]}, ready in {mongo.startup_seconds:.1f} s")
        started = time.monotonic()
        with Stack(
            kafka.bootstrap_servers,
            mongo.uri,
            data_dir / "services",
            free_ports=True,
            launcher="schakel_dev.profiling",  # idle until the profiled part
        ) as stack:
            print(f"{len(stack)} services ready in {time.monotonic() - started:.1f} s")
            names = tuple(service.name for service in stack)
            run = _Setting(_endpoints(stack, kafka, mongo), config, stack.run_dir, kafka, names)
            return _run_measure(run, deadline)


def _endpoints(stack: Stack, kafka: KafkaServer, mongo: MongoServer) -> Endpoints:
    pids = {service.name: service.pid for service in stack}
    pids |= {"kafka": kafka.pid, "secantusd": mongo.pid, "bench client": os.getpid()}
    return Endpoints(
        gateway=stack["gateway"].url,
        services={name: stack[name].url for name in HANDLING_SERVICES},
        metrics_token=stack.metrics_token,
        pids={name: pid for name, pid in pids.items() if pid is not None},
        metered={service.name: service.url for service in stack},
    )


@dataclass(frozen=True)
class _Setting:
    endpoints: Endpoints
    config: PipelineConfig
    run_dir: Path  # the services' working directory, where a profile is written
    kafka: KafkaServer
    services: tuple[str, ...]  # every service's name, the gateway's too


def _run_measure(setting: _Setting, deadline: Deadline) -> PipelineResult | None:
    try:
        return asyncio.run(asyncio.wait_for(measure(setting, deadline), deadline.left()))
    except TimeoutError:
        print("\npipeline benchmark stopped: it reached the overall time cap")
        return None


async def measure(setting: _Setting, deadline: Deadline) -> PipelineResult:
    """The backlog run (saturation), then the paced and the profiled parts, with the
    consumer lag sampled throughout."""
    endpoints, config = setting.endpoints, setting.config
    waits = deadline.earlier(RESERVE_SECONDS)
    async with (
        _client(endpoints.gateway, config.clients) as posting,
        _client(endpoints.gateway, 4) as polling,
    ):
        probe = Probe(polling, endpoints, await auditor_headers(polling))
        sampler = StatusSampler(config.signals, config.samples)
        sampling = asyncio.create_task(sampler.run(polling, waits))
        lag = LagSampler(setting.kafka.bootstrap_servers, CONSUMING_SERVICES)
        lagging = asyncio.create_task(lag.run())
        run = await _post_and_wait(posting, probe, config, sampler, waits)
        await _finish(sampling, run.wait)
        result = await _collect(probe, config, run, sampler)
        if run.end_to_end_seconds is not None:
            saturation = result.accepted / run.end_to_end_seconds
            await _later_parts(setting, probe, posting, result, saturation, waits)
        lagging.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await lagging
        result.lag = shifted(lag.trace, min((p.started for p in run.posts), default=0.0))
        return result


async def _later_parts(
    setting: _Setting,
    probe: Probe,
    posting: httpx.AsyncClient,
    result: PipelineResult,
    saturation: float,
    deadline: Deadline,
) -> None:
    """Half the saturation rate (signals/s), then the busiest service profiled, each if
    time allows."""
    first = setting.config.signals  # correlation ids stay unique over the parts
    if deadline.left() > PHASE_SECONDS:
        async with _client(setting.endpoints.gateway, PACED_CLIENTS) as pacing:
            rate = setting.config.paced_rate or saturation / 2
            result.paced = await paced(pacing, probe, rate, first, deadline)
    busiest = busiest_service(result.cpu_seconds, setting.services)
    if busiest and deadline.left() > PHASE_SECONDS:
        result.profile = await profile_busiest(
            posting,
            probe,
            busiest,
            first + PACED_MAX,
            setting.run_dir,
            repo_root() / ".bench",
            deadline,
        )


@dataclass(frozen=True)
class _Run:
    posts: list[Post]
    posting_seconds: float
    wait: ArchiveWait
    end_to_end_seconds: float | None
    window_seconds: float
    cpu_seconds: dict[str, float]
    archive_trace: list[tuple[float, int]]


async def _post_and_wait(
    posting: httpx.AsyncClient,
    probe: Probe,
    config: PipelineConfig,
    sampler: StatusSampler,
    deadline: Deadline,
) -> _Run:
    """Post every signal, then wait for the archive; times start at the first POST."""
    archived, applied = (await probe.verify()).archived, await probe.audit_applied()
    progress = Progress(config.signals)
    cpu_before = cpu_seconds(probe.endpoints.pids)
    started = time.perf_counter()
    trace: list[tuple[float, int]] = []
    tracing = asyncio.create_task(trace_archive(probe, applied, started, trace))
    posts = await post_signals(
        posting, config.signals, config.clients, deadline, [sampler.offer, progress.posted]
    )
    posting_seconds = time.perf_counter() - started
    sampler.posting_done()
    accepted = sum(1 for p in posts if p.receipt is not None)
    wait = ArchiveWait(archived + EVENTS_PER_SIGNAL * accepted)
    await wait_for_archive(probe, wait, archived - applied, deadline, progress)
    tracing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await tracing
    cpu_used = cpu_delta(cpu_before, cpu_seconds(probe.endpoints.pids))
    window = time.perf_counter() - started
    done = None if wait.reached_at is None else wait.reached_at - started
    return _Run(posts, posting_seconds, wait, done, window, cpu_used, trace)


async def _finish(sampling: asyncio.Task[None], wait: ArchiveWait) -> None:
    """Let the sampler see its last final statuses; cut it short if the pipeline never did."""
    if wait.reached_at is None:
        sampling.cancel()
    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
        await asyncio.wait_for(sampling, SAMPLER_GRACE)


async def _collect(
    probe: Probe, config: PipelineConfig, run: _Run, sampler: StatusSampler
) -> PipelineResult:
    return PipelineResult(
        config=config,
        posts=run.posts,
        posting_seconds=run.posting_seconds,
        wait=run.wait,
        end_to_end_seconds=run.end_to_end_seconds,
        window_seconds=run.window_seconds,
        final_latencies=sampler.latencies,
        sample_pass_seconds=sampler.mean_pass_seconds,
        check=await probe.verify(),
        loads=await probe.loads(),
        round_trips=await probe.round_trips(),
        cpu_seconds=run.cpu_seconds,
        hops=await probe.hop_delays(sampler.sampled),
        archive_trace=run.archive_trace,
    )


def _client(base_url: str, connections: int) -> httpx.AsyncClient:
    # trust_env=False: loopback only, never through a proxy from the environment.
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(
        base_url=base_url, timeout=HTTP_TIMEOUT, limits=limits, trust_env=False
    )
