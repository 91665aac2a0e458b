"""Following the pipeline from outside while the benchmark loads it.

Progress is read from audit's `/metrics` (a counter, cheap) and confirmed with
`GET /api/v1/audit/verify`, which scans the whole archive inside audit, the busiest service:
polling it all along would slow down the pipeline being measured. A sample of receipts is
polled at the public status URL until final, and the hops of those signals are timed from
their events in the archive.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from schakel_dev.bench_deadline import Deadline
from schakel_dev.bench_load import Post, correlation_id
from schakel_dev.bench_metrics import ServiceLoad, metric_total, mongo_commands, service_load

# received, triaged, feedback-recorded "doorgezet" (nothing is proposed before the owner's
# first conversation, which no benchmark signal gets; the receipt already said "ontvangen")
EVENTS_PER_SIGNAL = 3
# Where a signal rests until its owner acts: passed on to an organisation.
FINAL_STATUSES = frozenset({"doorgezet"})
AUDITOR_LOGIN = {"username": "auditor", "password": "demo-auditor"}  # demo account only
SAMPLE_PAUSE = 0.1  # between two polling passes over the sampled receipts
PROGRESS_PAUSE = 0.25  # between two reads of audit's counter
TRACE_PAUSE = 0.5  # between two samples for the plot
STALL_SECONDS = 60.0  # give up waiting when the archive has not grown for this long
# Milestones of one signal, in order; each hop is the outbox relay, Kafka, the queue in
# front of the next service and that service's handler. Matching proposes only after the
# owner's first conversation, so a new signal's path ends at feedback's "passed on".
HOPS = (
    ("gateway+intake", "posted", "received"),
    ("->triage", "received", "triaged"),
    ("->feedback", "triaged", "final"),
)


@dataclass(frozen=True)
class Endpoints:
    gateway: str
    services: dict[str, str]  # the handling services' own URLs, for /metrics
    metrics_token: str
    pids: dict[str, int]  # every process of the run, for its CPU time
    # every service's own URL (the gateway's and intake's too), for its MongoDB round trips
    metered: dict[str, str] = field(default_factory=dict)


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
        return await self._metrics_at(self.endpoints.services[service])

    async def _metrics_at(self, url: str) -> str:
        answer = await self.client.get(
            f"{url}/metrics",
            headers={"Authorization": f"Bearer {self.endpoints.metrics_token}"},
        )
        answer.raise_for_status()
        return answer.text

    async def audit_applied(self) -> int:
        """Events audit archived since it started (each applied event is one entry)."""
        text = await self.metrics("audit")
        return int(metric_total(text, "schakel_events_consumed_total", 'outcome="applied"'))

    async def loads(self) -> list[ServiceLoad]:
        return [service_load(name, await self.metrics(name)) for name in self.endpoints.services]

    async def round_trips(self) -> dict[str, dict[str, float]]:
        """Each service's MongoDB commands so far, by "command collection"."""
        return {
            name: mongo_commands(await self._metrics_at(url))
            for name, url in self.endpoints.metered.items()
        }

    async def hop_delays(self, sampled: Sequence[Post]) -> dict[str, list[float]]:
        """Seconds per hop for each sampled signal, from its events' times in the archive."""
        hops: dict[str, list[float]] = {name: [] for name, _, _ in HOPS}
        for post in sampled:
            times = await self.milestones(post)
            for name, start, end in HOPS:
                if start in times and end in times:
                    hops[name].append((times[end] - times[start]).total_seconds())
        return hops

    async def milestones(self, post: Post) -> dict[str, datetime]:
        """When the signal of `post` was posted and reached each milestone in the archive
        (only "posted" if the archive has nothing of it)."""
        answer = await self.client.get(
            f"/api/v1/audit/correlations/{correlation_id(post.index)}", headers=self.auditor
        )
        found = milestones(answer.json()["events"]) if answer.status_code == 200 else {}
        return {"posted": post.sent_at, **found}


def milestones(events: Sequence[Mapping[str, Any]]) -> dict[str, datetime]:
    """When one signal was received, triaged, decided (proposed or waitlisted), and when
    feedback recorded its final status, from the events' CloudEvents times."""
    found = {}
    for event in events:
        name = str(event["type"]).rsplit(".", 2)[-2]  # nl.schakel.referral.<name>.v<n>
        if name in ("match-proposed", "waitlisted"):
            name = "decided"
        elif name == "feedback-recorded":
            final = event["data"].get("stage") in FINAL_STATUSES
            name = "final" if final else "feedback"
        found[name] = datetime.fromisoformat(str(event["time"]))
    return found


async def trace_archive(
    probe: Probe, applied_before: int, started: float, trace: list[tuple[float, int]]
) -> None:
    """Sample how many events audit archived, from the first POST on, until cancelled."""
    while True:
        with contextlib.suppress(httpx.HTTPError):
            archived = await probe.audit_applied() - applied_before
            trace.append((time.perf_counter() - started, archived))
        await asyncio.sleep(TRACE_PAUSE)


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
    return answer.status_code == 200 and answer.json().get("stage") in FINAL_STATUSES
