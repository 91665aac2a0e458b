"""The infrastructure yardstick of `make bench`: what Kafka and SecantusDB allow four hops.

Four hop processes (`bench_yardstick_hop`), aiokafka and pymongo only (no schakel code), do what
a schakel consumer does with a batch (`schakel.platform.consumer`, `apply_batch`, `outbox`):
read up to 100 records of the previous topic, then in ONE MongoDB transaction look up
their processed markers, upsert one state document per record and insert the outbox rows
and the markers; commit the offsets once the transaction has; and an outbox relay in the
same process, woken by the commit (a 0.5 s poll otherwise), publishes the oldest 200 rows
(idempotent producer, acks=all) and deletes them once Kafka has every one. Hop i reads topic
i and its relay writes topic i + 1. Each hop is a process of its own so its CPU is measured
as a service's is, and each has a database of its own, as each service has, on one
SecantusDB `--sync-on-commit` like the pipeline's.

The parent produces `events` 1-KiB records to topic 0 at once (a backlog, like the
pipeline's burst of signals) and counts them arriving on topic 4: events/s through four hops
from the first produce to the last arrival.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from schakel_dev.bench_deadline import Deadline
from schakel_dev.bench_kafka import batching_producer, create_topic
from schakel_dev.bench_proc import cpu_delta, cpu_seconds
from schakel_dev.bench_yardstick_hop import PARTITIONS
from schakel_dev.kafka_server import KafkaServer
from schakel_dev.mongo_server import MongoServer
from schakel_dev.processes import ManagedProcess

HOPS = 4
EVENTS = 1200
SIZE = 1024
SECONDS = 45.0  # the measurement's own cap, from the first produce


@dataclass
class YardstickResult:
    events: int  # produced to the first hop
    arrived: int  # through all four hops when the measurement ended
    seconds: float  # from the first produce to the last arrival (or to the cap)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # per process, in that window

    @property
    def complete(self) -> bool:
        return self.arrived >= self.events

    @property
    def per_second(self) -> float:
        return self.arrived / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_event(self) -> float | None:
        """CPU of every process (hops, SecantusDB, Kafka) per event through four hops."""
        if not (self.cpu_seconds and self.arrived):
            return None
        return sum(self.cpu_seconds.values()) / self.arrived * 1000


def topic(run: str, index: int) -> str:
    return f"yardstick-{run}-{index}"


def run_yardstick(
    kafka: KafkaServer, data_dir: Path, deadline: Deadline, events: int = EVENTS
) -> YardstickResult | None:
    """Start a SecantusDB and the four hops, measure, stop them; None if they never started."""
    run = f"{os.getpid()}-{int(time.time())}"
    with MongoServer(data_dir / "yardstick-mongodb", sync_on_commit=True) as mongo:
        hops = [
            ManagedProcess(f"hop{i}", data_dir / "yardstick" / f"hop{i}.log", banner=False)
            for i in range(HOPS)
        ]
        try:
            asyncio.run(_create_topics(kafka.bootstrap_servers, run))
            for i, hop in enumerate(hops):
                hop.spawn(_hop_command(i, run, kafka, mongo, data_dir), cwd=data_dir)
            if not _wait_ready(hops, data_dir, deadline):
                return None
            cap = Deadline(min(deadline.at, Deadline.after(SECONDS).at))
            pids = {hop.name: hop.pid for hop in hops}
            pids |= {"secantusd": mongo.pid, "kafka": kafka.pid}
            known = {name: pid for name, pid in pids.items() if pid is not None}
            return asyncio.run(_measure(kafka.bootstrap_servers, run, events, known, cap))
        finally:
            for hop in hops:
                hop.stop(timeout=10)


async def _create_topics(bootstrap_servers: str, run: str) -> None:
    for index in range(HOPS + 1):
        await create_topic(bootstrap_servers, topic(run, index), PARTITIONS)


def _hop_command(
    index: int, run: str, kafka: KafkaServer, mongo: MongoServer, data_dir: Path
) -> list[str]:
    return [
        sys.executable, "-m", "schakel_dev.bench_yardstick_hop",
        "--hop", str(index), "--run", run,
        "--bootstrap-servers", kafka.bootstrap_servers, "--mongodb-uri", mongo.uri,
        "--topic-in", topic(run, index), "--topic-out", topic(run, index + 1),
        "--ready", str(_ready_file(data_dir, index)),
    ]  # fmt: skip


def _ready_file(data_dir: Path, index: int) -> Path:
    return data_dir / "yardstick" / f"hop{index}.ready"


def _wait_ready(hops: Sequence[ManagedProcess], data_dir: Path, deadline: Deadline) -> bool:
    while not all(_ready_file(data_dir, i).exists() for i in range(len(hops))):
        failed = [hop for hop in hops if not hop.running]
        if failed or deadline.passed:
            why = f"{failed[0].name} exited:\n{failed[0].tail()}" if failed else "time ran out"
            print(f"  yardstick not started: {why}")
            return False
        time.sleep(0.1)
    return True


async def _measure(
    bootstrap_servers: str, run: str, events: int, pids: dict[str, int], cap: Deadline
) -> YardstickResult:
    sink = AIOKafkaConsumer(
        topic(run, HOPS), bootstrap_servers=bootstrap_servers, auto_offset_reset="earliest"
    )
    await sink.start()
    try:
        before = cpu_seconds(pids)
        started = time.perf_counter()
        await _produce(bootstrap_servers, topic(run, 0), events)
        arrived, last = 0, started
        while arrived < events and not cap.passed:
            batches = await sink.getmany(timeout_ms=int(min(1.0, cap.left()) * 1000))
            if got := sum(len(part) for part in batches.values()):
                arrived, last = arrived + got, time.perf_counter()
        used = cpu_delta(before, cpu_seconds(pids))
        end = last if arrived >= events else time.perf_counter()
        return YardstickResult(events, arrived, end - started, used)
    finally:
        await sink.stop()


async def _produce(bootstrap_servers: str, topic_name: str, events: int) -> None:
    producer = batching_producer(bootstrap_servers)
    await producer.start()
    payload = os.urandom(SIZE)
    try:
        pending = [
            await producer.send(
                topic_name,
                payload,
                key=f"referral-{n % 1000}".encode(),
                headers=[("id", f"e{n}".encode())],
            )
            for n in range(events)
        ]
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def yardstick_lines(result: YardstickResult) -> list[str]:
    """What `make bench` prints of the yardstick."""
    state = "" if result.complete else f" (only {result.arrived}/{result.events} by the cap)"
    lines = [
        f"{result.arrived} events through {HOPS} hops in {result.seconds:.1f} s: "
        f"{result.per_second:.0f} events/s{state}"
    ]
    if result.cpu_seconds and result.arrived:
        per_event = ", ".join(
            f"{name} {seconds / result.arrived * 1000:.1f}"
            for name, seconds in sorted(result.cpu_seconds.items(), key=lambda kv: -kv[1])
        )
        lines.append(f"CPU ms per event: {per_event}; sum {result.cpu_ms_per_event:.1f}")
    return lines
