"""Consumer lag per service while the benchmark runs: records on the topics a service's
consumer group reads that it has not committed yet (end offset minus committed offset, summed
over its partitions). A service commits after handling (`schakel.platform.offsets`: every 100
records or 0.5 s), so the lag includes up to that much already handled."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable, Mapping

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from schakel.contracts.topics import ALL_TOPICS, consumer_group

LAG_PAUSE = 1.0  # seconds between two samples of every group

Point = tuple[float, float]


def group_partitions(service: str) -> list[TopicPartition]:
    """Every partition of the topics `service` consumes (the topic plan's consumers)."""
    return [
        TopicPartition(spec.name, partition)
        for spec in ALL_TOPICS
        if service in spec.consumers
        for partition in range(spec.partitions)
    ]


def group_lag(committed: Mapping[TopicPartition, int], ends: Mapping[TopicPartition, int]) -> int:
    """Records behind the end of each partition, summed; a partition the group never
    committed counts from its start (offset 0: the benchmark's topics are new)."""
    return sum(max(0, end - max(committed.get(tp, 0), 0)) for tp, end in ends.items())


class LagSampler:
    """Samples the lag of every service's group until cancelled, into `trace`, at
    `time.perf_counter()` times (`shifted` puts them on the run's time axis)."""

    def __init__(self, bootstrap_servers: str, services: Iterable[str]) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.partitions = {name: group_partitions(name) for name in services}
        self.trace: dict[str, list[Point]] = {name: [] for name in self.partitions}

    async def run(self) -> None:
        """One sample per group every LAG_PAUSE s."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        ends_reader = AIOKafkaConsumer(bootstrap_servers=self.bootstrap_servers)
        await admin.start()
        await ends_reader.start()
        try:
            while True:
                with contextlib.suppress(KafkaError):
                    await self._sample(admin, ends_reader, time.perf_counter())
                await asyncio.sleep(LAG_PAUSE)
        finally:
            await ends_reader.stop()
            await admin.close()

    async def _sample(
        self, admin: AIOKafkaAdminClient, ends_reader: AIOKafkaConsumer, at: float
    ) -> None:
        for name, partitions in self.partitions.items():
            offsets = await admin.list_consumer_group_offsets(consumer_group(name))
            committed = {tp: meta.offset for tp, meta in offsets.items()}
            ends = await ends_reader.end_offsets(partitions)
            self.trace[name].append((at, float(group_lag(committed, ends))))


def shifted(trace: Mapping[str, list[Point]], origin: float) -> dict[str, list[Point]]:
    """The same samples with their times counted from `origin` (e.g. the first POST)."""
    return {name: [(at - origin, lag) for at, lag in points] for name, points in trace.items()}


def lag_summary(trace: Mapping[str, list[Point]]) -> list[tuple[str, float, float]]:
    """(service, highest lag, lag at the last sample) per service, highest first."""
    rows = [
        (name, max(lag for _, lag in points), points[-1][1])
        for name, points in trace.items()
        if points
    ]
    return sorted(rows, key=lambda row: -row[1])
