"""The pipeline half of `make bench`: signals in at the public gateway, out as a full archive.

Starts SecantusDB and every service next to the benchmark's Kafka, posts signals from a few
concurrent clients, then waits until the audit archive holds every event they cause (6 per
signal). Prints accepted signals/s, end-to-end signals/s and events/s, the time from POST to a
final signaler status for a sample of receipts, the audit chain check, and where the time went:
the delay per hop of the sampled signals (from their CloudEvents times in the archive), handler
time per service (from `/metrics`) and CPU seconds per process (from /proc). Writes an SVG plot
of signals accepted and signals fully archived over time to `.bench/`: the gap is the backlog.

Progress is read from audit's `/metrics` (a counter, cheap) and confirmed with
`GET /api/v1/audit/verify`, which scans the whole archive inside audit, the busiest service:
polling it all along would slow down the pipeline being measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from schakel_dev.servers import KafkaServer, MongoServer, repo_root
from schakel_dev.stack import Stack
from schakel_dev.svgplot import line_chart

EVENTS_PER_SIGNAL = 6  # received, triaged, match-proposed or waitlisted, 3 feedback-recorded
FINAL_STATUSES = frozenset({"hulp_voorgesteld", "wachtlijst"})
AUDITOR_LOGIN = {"username": "auditor", "password": "demo-auditor"}  # demo account only
HANDLING_SERVICES = ("triage", "matching", "feedback", "audit")
HTTP_TIMEOUT = 30.0
SAMPLE_PAUSE = 0.1  # between two polling passes over the sampled receipts
PROGRESS_PAUSE = 0.25  # between two reads of audit's counter
TRACE_PAUSE = 0.5  # between two samples for the plot
STALL_SECONDS = 60.0  # give up waiting when the archive has not grown for this long
SAMPLER_GRACE = 10.0  # for the last sampled statuses, once the archive is complete
RESERVE_SECONDS = 20.0  # of the overall cap, kept for the final check and the figures

# Varied so that triage and matching take different paths (districts, grades, urgency).
POSTCODES = ("3562 KA", "3554 HB", "3563 CE", "3526 XC", "3543 BD", "3512 GH", "3554 CK")
ROLES = ("apotheker", "fietskoerier", "thuiskok", "buurtbewoner", "supermarkt", "zelf")
AGE_BANDS = ("80+", "70-79", "50-69", "30-49", "18-29")
OBSERVATIONS = (
    ("alleen_wonend", "somber", "weinig_contact"),
    ("niet_gesproken", "alleen_wonend"),
    ("ondervoeding", "somber"),
    ("verwaarlozing", "weinig_contact"),
    ("wil_contact", "recent_verlies"),
    ("mantelzorger", "somber"),
    ("fysieke_beperking", "wil_contact"),
)
# Milestones of one signal, in order; each hop is the outbox relay, Kafka, the queue in
# front of the next service and that service's handler.
HOPS = (
    ("gateway+intake", "posted", "received"),
    ("->triage", "received", "triaged"),
    ("->matching", "triaged", "decided"),
    ("->feedback", "decided", "final"),
)


@dataclass(frozen=True)
class Deadline:
    at: float  # time.monotonic()

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def earlier(self, seconds: float) -> Deadline:
        return Deadline(self.at - seconds)

    def left(self) -> float:
        return max(0.0, self.at - time.monotonic())

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.at


@dataclass(frozen=True)
class PipelineConfig:
    signals: int = 300
    clients: int = 8
    samples: int = 30


@dataclass(frozen=True)
class Endpoints:
    gateway: str
    services: dict[str, str]  # the handling services' own URLs, for /metrics
    metrics_token: str
    pids: dict[str, int]  # every process of the run, for its CPU time


@dataclass(frozen=True)
class Post:
    index: int
    sent_at: datetime  # wall clock, to compare with the events' times
    started: float  # time.perf_counter() when the request was sent
    seconds: float
    status_code: int  # 0: no answer at all
    receipt: str | None  # set only when accepted (202)


@dataclass(frozen=True)
class ArchiveCheck:
    intact: bool
    checked: int
    archived: int
    server_seconds: float
    round_trip_seconds: float


@dataclass
class ArchiveWait:
    expected: int
    archived: int = 0
    reached_at: float | None = None  # time.perf_counter()
    stalled: bool = False


@dataclass(frozen=True)
class ServiceLoad:
    name: str
    consumed: int  # records read, including those of types it does not handle
    handled: int
    handler_seconds: float

    @property
    def mean(self) -> float:
        return self.handler_seconds / self.handled if self.handled else 0.0


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
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    hops: dict[str, list[float]] = field(default_factory=dict)
    # (seconds since the first POST, events audit archived by then), for the plot
    archive_trace: list[tuple[float, int]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(1 for p in self.posts if p.receipt is not None)


# ---------------------------------------------------------------- running it


def run_pipeline(
    kafka: KafkaServer,
    data_dir: Path,
    config: PipelineConfig,
    deadline: Deadline,
    raw_produce_per_second: float | None,
) -> PipelineResult | None:
    """Start SecantusDB and the services, measure, print; everything stopped on return."""
    with MongoServer(data_dir / "mongodb", sync_on_commit=True) as mongo:
        print(f"SecantusDB at {mongo.uri.split('/?')[0]}, ready in {mongo.startup_seconds:.1f} s")
        started = time.monotonic()
        with Stack(
            kafka.bootstrap_servers, mongo.uri, data_dir / "services", free_ports=True
        ) as stack:
            print(f"{len(stack)} services ready in {time.monotonic() - started:.1f} s")
            result = _run_measure(_endpoints(stack, kafka, mongo), config, deadline)
    if result is not None:
        print_report(result, raw_produce_per_second)
    return result


def _endpoints(stack: Stack, kafka: KafkaServer, mongo: MongoServer) -> Endpoints:
    pids = {service.name: service.pid for service in stack}
    pids |= {"kafka": kafka.pid, "secantusd": mongo.pid, "bench client": os.getpid()}
    return Endpoints(
        gateway=stack["gateway"].url,
        services={name: stack[name].url for name in HANDLING_SERVICES},
        metrics_token=stack.metrics_token,
        pids={name: pid for name, pid in pids.items() if pid is not None},
    )


def _run_measure(
    endpoints: Endpoints, config: PipelineConfig, deadline: Deadline
) -> PipelineResult | None:
    try:
        return asyncio.run(asyncio.wait_for(measure(endpoints, config, deadline), deadline.left()))
    except TimeoutError:
        print("\npipeline benchmark stopped: it reached the overall time cap")
        return None


async def measure(
    endpoints: Endpoints, config: PipelineConfig, deadline: Deadline
) -> PipelineResult:
    waits = deadline.earlier(RESERVE_SECONDS)
    async with (
        _client(endpoints.gateway, config.clients) as posting,
        _client(endpoints.gateway, 4) as polling,
    ):
        probe = Probe(polling, endpoints, await auditor_headers(polling))
        sampler = StatusSampler(config.signals, config.samples)
        sampling = asyncio.create_task(sampler.run(polling, waits))
        run = await _post_and_wait(posting, probe, config, sampler, waits)
        await _finish(sampling, run.wait)
        return await _collect(probe, config, run, sampler)


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
    posts = await post_signals(posting, config, deadline, [sampler.offer, progress.posted])
    posting_seconds = time.perf_counter() - started
    sampler.posting_done()
    accepted = sum(1 for p in posts if p.receipt is not None)
    wait = ArchiveWait(archived + EVENTS_PER_SIGNAL * accepted)
    await wait_for_archive(probe, wait, archived - applied, deadline, progress)
    tracing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await tracing
    cpu_used = _cpu_delta(cpu_before, cpu_seconds(probe.endpoints.pids))
    window = time.perf_counter() - started
    done = None if wait.reached_at is None else wait.reached_at - started
    return _Run(posts, posting_seconds, wait, done, window, cpu_used, trace)


async def trace_archive(
    probe: Probe, applied_before: int, started: float, trace: list[tuple[float, int]]
) -> None:
    """Sample how many events audit archived, from the first POST on, until cancelled."""
    while True:
        with contextlib.suppress(httpx.HTTPError):
            archived = await probe.audit_applied() - applied_before
            trace.append((time.perf_counter() - started, archived))
        await asyncio.sleep(TRACE_PAUSE)


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


# ---------------------------------------------------------------- posting signals


def signal_body(index: int) -> dict[str, Any]:
    """A fictional signal; the fields cycle independently so combinations vary."""
    return {
        "signaler_role": ROLES[index % len(ROLES)],
        "person": {"name": f"Benchpersoon {index}", "postcode": POSTCODES[index % len(POSTCODES)]},
        "age_band": AGE_BANDS[index % len(AGE_BANDS)],
        "observations": list(OBSERVATIONS[(index // 7) % len(OBSERVATIONS)]),
        "consent_to_contact": index % 3 != 0,
    }


def correlation_id(index: int) -> str:
    """Follows one signal through every service's log and the audit archive."""
    return f"bench-{os.getpid()}-{index}"


async def post_signals(
    client: httpx.AsyncClient,
    config: PipelineConfig,
    deadline: Deadline,
    listeners: Sequence[Callable[[Post], None]],
) -> list[Post]:
    """`config.signals` POSTs from `config.clients` concurrent clients; stops at the deadline."""
    indices = iter(range(config.signals))
    posts: list[Post] = []

    async def client_loop() -> None:
        for index in indices:  # shared: each index goes to exactly one client
            if deadline.passed:
                return
            post = await post_one(client, index)
            posts.append(post)
            for listener in listeners:
                listener(post)

    await asyncio.gather(*(client_loop() for _ in range(config.clients)))
    return posts


async def post_one(client: httpx.AsyncClient, index: int) -> Post:
    headers = {"X-Correlation-ID": correlation_id(index)}
    sent_at, started = datetime.now(UTC), time.perf_counter()
    try:
        answer = await client.post("/api/v1/signals", json=signal_body(index), headers=headers)
    except httpx.HTTPError:
        return Post(index, sent_at, started, time.perf_counter() - started, 0, None)
    seconds = time.perf_counter() - started
    receipt = str(answer.json()["receipt"]) if answer.status_code == 202 else None
    return Post(index, sent_at, started, seconds, answer.status_code, receipt)


# ---------------------------------------------------------------- following the pipeline


class Progress:
    """One updating line on the terminal, rewritten at most every `PROGRESS_PAUSE` s."""

    def __init__(self, signals: int) -> None:
        self.signals = signals
        self.done = 0
        self.refused = 0
        self._shown_at = 0.0

    def posted(self, post: Post) -> None:
        self.done += 1
        self.refused += post.receipt is None
        refused = f", {self.refused} refused" if self.refused else ""
        self.show(f"posted {self.done}/{self.signals} signals{refused}", self.done == self.signals)

    def archived(self, wait: ArchiveWait, seconds: float) -> None:
        done = wait.archived >= wait.expected
        self.show(f"archived {wait.archived}/{wait.expected} events ({seconds:.0f} s)", done)

    def show(self, text: str, last: bool = False) -> None:
        now = time.monotonic()
        if last or now - self._shown_at >= PROGRESS_PAUSE:
            self._shown_at = now
            print(f"\r  {text:<60}", end="", flush=True)

    @staticmethod
    def end() -> None:
        print()


async def auditor_headers(client: httpx.AsyncClient) -> dict[str, str]:
    answer = await client.post("/api/v1/auth/token", json=AUDITOR_LOGIN)
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


class Probe:
    """What the benchmark reads from the running services besides the signal statuses."""

    def __init__(
        self, client: httpx.AsyncClient, endpoints: Endpoints, auditor: Mapping[str, str]
    ) -> None:
        self.client = client
        self.endpoints = endpoints
        self.auditor = dict(auditor)

    async def verify(self) -> ArchiveCheck:
        """`GET /api/v1/audit/verify` at the gateway, as an auditor."""
        started = time.perf_counter()
        answer = await self.client.get("/api/v1/audit/verify", headers=self.auditor)
        answer.raise_for_status()
        body = answer.json()
        return ArchiveCheck(
            intact=bool(body["report"]["intact"]),
            checked=int(body["report"]["checked"]),
            archived=int(body["archived"]),
            server_seconds=float(body["seconds"]),
            round_trip_seconds=time.perf_counter() - started,
        )

    async def metrics(self, service: str) -> str:
        answer = await self.client.get(
            f"{self.endpoints.services[service]}/metrics",
            headers={"Authorization": f"Bearer {self.endpoints.metrics_token}"},
        )
        answer.raise_for_status()
        return answer.text

    async def audit_applied(self) -> int:
        """Events audit archived since it started (each applied event is one entry)."""
        text = await self.metrics("audit")
        return int(metric_total(text, "schakel_events_consumed_total", 'outcome="applied"'))

    async def loads(self) -> list[ServiceLoad]:
        return [_load(name, await self.metrics(name)) for name in self.endpoints.services]

    async def hop_delays(self, sampled: Sequence[Post]) -> dict[str, list[float]]:
        """Seconds per hop for each sampled signal, from its events' times in the archive."""
        hops: dict[str, list[float]] = {name: [] for name, _, _ in HOPS}
        for post in sampled:
            answer = await self.client.get(
                f"/api/v1/audit/correlations/{correlation_id(post.index)}", headers=self.auditor
            )
            if answer.status_code != 200:
                continue
            times = {"posted": post.sent_at, **milestones(answer.json()["events"])}
            for name, start, end in HOPS:
                if start in times and end in times:
                    hops[name].append((times[end] - times[start]).total_seconds())
        return hops


def _load(name: str, text: str) -> ServiceLoad:
    return ServiceLoad(
        name,
        consumed=int(metric_total(text, "schakel_events_consumed_total")),
        handled=int(metric_total(text, "schakel_handler_seconds_count")),
        handler_seconds=metric_total(text, "schakel_handler_seconds_sum"),
    )


def metric_total(text: str, name: str, having: str = "") -> float:
    """The sum of every sample of `name` (Prometheus text format) whose line has `having`."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith((f"{name}{{", f"{name} ")) and having in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def milestones(events: Sequence[Mapping[str, Any]]) -> dict[str, datetime]:
    """When one signal was received, triaged, decided (proposed or waitlisted), and when
    feedback recorded its final status, from the events' CloudEvents times."""
    found = {}
    for event in events:
        name = str(event["type"]).rsplit(".", 2)[-2]  # nl.schakel.referral.<name>.v<n>
        if name in ("match-proposed", "waitlisted"):
            name = "decided"
        elif name == "feedback-recorded":
            final = event["data"].get("signaler_status") in FINAL_STATUSES
            name = "final" if final else "feedback"
        found[name] = datetime.fromisoformat(str(event["time"]))
    return found


async def wait_for_archive(
    probe: Probe, wait: ArchiveWait, offset: int, deadline: Deadline, progress: Progress
) -> None:
    """Follow the archive (audit's applied counter + `offset`) until it holds
    `wait.expected` entries as verify counts them, stalls, or time runs out."""
    started, grew_at = time.perf_counter(), time.monotonic()
    while not deadline.passed:
        archived = offset + await probe.audit_applied()
        seen_at = time.perf_counter()
        if archived > wait.archived:
            wait.archived, grew_at = archived, time.monotonic()
        progress.archived(wait, seen_at - started)
        if archived >= wait.expected and (await probe.verify()).archived >= wait.expected:
            wait.reached_at = seen_at
            break
        if time.monotonic() - grew_at > STALL_SECONDS:
            wait.stalled = True
            break
        await asyncio.sleep(PROGRESS_PAUSE)
    progress.end()


class StatusSampler:
    """Polls a sample of receipts (spread over the run) at the public status URL until each
    shows a final status; one request at a time, so it adds little load."""

    def __init__(self, signals: int, samples: int) -> None:
        count = min(samples, signals)
        self._wanted = {k * signals // count for k in range(count)} if count else set()
        self._pending: dict[str, float] = {}  # receipt -> when its POST was sent
        self._posting = True
        self._passes: list[float] = []
        self.sampled: list[Post] = []
        self.latencies: list[float] = []

    @property
    def mean_pass_seconds(self) -> float:
        return sum(self._passes) / len(self._passes) if self._passes else 0.0

    def offer(self, post: Post) -> None:
        if post.index in self._wanted and post.receipt is not None:
            self._pending[post.receipt] = post.started
            self.sampled.append(post)

    def posting_done(self) -> None:
        self._posting = False

    async def run(self, client: httpx.AsyncClient, deadline: Deadline) -> None:
        while (self._posting or self._pending) and not deadline.passed:
            started = time.perf_counter()
            for receipt in list(self._pending):
                if await final_status(client, receipt):
                    self.latencies.append(time.perf_counter() - self._pending.pop(receipt))
            self._passes.append(time.perf_counter() - started + SAMPLE_PAUSE)
            await asyncio.sleep(SAMPLE_PAUSE)


async def final_status(client: httpx.AsyncClient, receipt: str) -> bool:
    """Whether the public status of `receipt` is final (404 means not known yet)."""
    try:
        answer = await client.get(f"/api/v1/signals/{receipt}/status")
    except httpx.HTTPError:
        return False
    return answer.status_code == 200 and answer.json().get("status") in FINAL_STATUSES


def cpu_seconds(pids: Mapping[str, int]) -> dict[str, float]:
    """User plus system CPU seconds of each process so far (Linux /proc; empty elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used = {}
    for name, pid in pids.items():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "(comm)", which may hold spaces
        used[name] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return used


def _cpu_delta(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    return {name: after[name] - before[name] for name in after if name in before}


# ---------------------------------------------------------------- report


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def print_report(result: PipelineResult, raw_produce_per_second: float | None) -> None:
    for line in report_lines(result, raw_produce_per_second):
        print(f"  {line}")
    path = write_plot(result, repo_root() / ".bench")
    print(f"  plot: {path.relative_to(repo_root())} (open it in a browser)")


def progress_series(result: PipelineResult) -> dict[str, list[tuple[float, float]]]:
    """Signals accepted at the gateway and signals through to the archive, over time: the
    gap between the two lines is the work in flight."""
    first = min((p.started for p in result.posts), default=0.0)
    accepted = sorted(p.started + p.seconds - first for p in result.posts if p.receipt)
    return {
        "signals accepted at the gateway": [(0.0, 0.0)]
        + [(t, float(n)) for n, t in enumerate(accepted, start=1)],
        f"signals fully archived (events / {EVENTS_PER_SIGNAL})": [
            (t, n / EVENTS_PER_SIGNAL) for t, n in result.archive_trace
        ],
    }


def write_plot(result: PipelineResult, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = directory / f"pipeline-{stamp}.svg"
    title = f"{result.accepted} signals from {result.config.clients} clients through every service"
    path.write_text(
        line_chart(
            progress_series(result),
            title=title,
            x_label="seconds since the first POST",
            y_label="signals",
        )
    )
    return path


def report_lines(result: PipelineResult, raw_produce_per_second: float | None) -> Iterator[str]:
    yield _accepted_line(result)
    yield _end_to_end_line(result)
    yield _latency_line(result)
    yield _audit_line(result)
    yield _comparison_line(result, raw_produce_per_second)
    yield _hop_line(result)
    yield from _load_lines(result)
    yield _cpu_line(result)
    yield _where_line(result)


def _accepted_line(result: PipelineResult) -> str:
    seconds = [p.seconds for p in result.posts]
    rate = result.accepted / result.posting_seconds if result.posting_seconds else 0.0
    codes = sorted({p.status_code for p in result.posts if p.receipt is None})
    refused = f" (refused: HTTP {', '.join(map(str, codes))})" if codes else ""
    return (
        f"accepted   {result.accepted}/{result.config.signals} signals in "
        f"{result.posting_seconds:.1f} s at the gateway: {rate:.1f} signals/s{refused}; POST "
        f"p50 {_ms(percentile(seconds, 50))}, p95 {_ms(percentile(seconds, 95))}, "
        f"max {_ms(max(seconds, default=0.0))}"
    )


def _end_to_end_line(result: PipelineResult) -> str:
    wait, seconds = result.wait, result.end_to_end_seconds
    if seconds is None:
        why = "it stalled" if wait.stalled else "time ran out"
        return f"end to end NOT reached: {wait.archived}/{wait.expected} events archived ({why})"
    events = EVENTS_PER_SIGNAL * result.accepted
    return (
        f"end to end {result.accepted} signals, {events} events archived in {seconds:.1f} s "
        f"(from the first POST): {result.accepted / seconds:.1f} signals/s, "
        f"{events / seconds:.1f} events/s"
    )


def _latency_line(result: PipelineResult) -> str:
    found = result.final_latencies
    return (
        f"POST to final status, {len(found)} sampled receipts (one pass every "
        f"{result.sample_pass_seconds:.2f} s): p50 {percentile(found, 50):.1f} s, "
        f"p95 {percentile(found, 95):.1f} s, max {max(found, default=0.0):.1f} s"
    )


def _audit_line(result: PipelineResult) -> str:
    check = result.check
    state = "intact" if check.intact else "BROKEN"
    return (
        f"audit chain {state}: {check.checked} of {check.archived} entries verified in "
        f"{check.server_seconds:.2f} s ({check.round_trip_seconds:.2f} s round trip)"
    )


def _comparison_line(result: PipelineResult, raw_produce_per_second: float | None) -> str:
    seconds = result.end_to_end_seconds
    if seconds is None or not raw_produce_per_second:
        return "vs raw broker: no comparison (no raw baseline or no end-to-end figure)"
    events_per_second = EVENTS_PER_SIGNAL * result.accepted / seconds
    ratio = events_per_second / raw_produce_per_second
    return (
        f"vs raw broker: {events_per_second:.1f} pipeline events/s vs "
        f"{raw_produce_per_second:,.0f} raw produce msg/s = {ratio:.2%} (1 : {1 / ratio:,.0f})"
    )


def _hop_line(result: PipelineResult) -> str:
    parts = [
        f"{name} {percentile(delays, 50):.1f}/{percentile(delays, 95):.1f}"
        for name, delays in result.hops.items()
        if delays
    ]
    return "hops of the sampled signals, p50/p95 s: " + (", ".join(parts) or "none")


def _load_lines(result: PipelineResult) -> Iterator[str]:
    yield f"consumers (handler busy share of the {result.window_seconds:.1f} s measured):"
    for load in result.loads:
        yield (
            f"  {load.name:<9} {load.consumed:>5} read, {load.handled:>5} handled, mean "
            f"{_ms(load.mean):>6}, sum {load.handler_seconds:5.1f} s = "
            f"{load.handler_seconds / result.window_seconds:4.0%} busy"
        )


def _cpu_line(result: PipelineResult) -> str:
    if not result.cpu_seconds:
        return "CPU seconds per process: not available on this system"
    ranked = sorted(result.cpu_seconds.items(), key=lambda item: -item[1])
    listed = ", ".join(f"{name} {seconds:.1f}" for name, seconds in ranked)
    total = sum(result.cpu_seconds.values())
    available = (os.cpu_count() or 1) * result.window_seconds
    return (
        f"CPU s per process in those {result.window_seconds:.1f} s ({total:.0f} s of "
        f"{available:.0f} s on {os.cpu_count()} CPUs): {listed}"
    )


def _where_line(result: PipelineResult) -> str:
    parts, window = [], result.window_seconds
    if busiest := max(result.loads, key=lambda load: load.handler_seconds, default=None):
        parts.append(
            f"{busiest.name} applies one event at a time and its handler was busy "
            f"{busiest.handler_seconds / window:.0%} of the run ({_ms(busiest.mean)} each)"
        )
    if slowest := max(result.hops.items(), key=lambda hop: percentile(hop[1], 50), default=None):
        parts.append(f"the slowest hop is {slowest[0]}")
    if result.cpu_seconds:
        name, seconds = max(result.cpu_seconds.items(), key=lambda item: item[1])
        parts.append(f"{name} used the most CPU ({seconds / window:.0%} of one CPU)")
    return "where the time goes: " + ("; ".join(parts) or "unknown")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"
