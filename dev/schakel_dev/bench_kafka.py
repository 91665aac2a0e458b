"""What `make bench` measures of Kafka alone: a throughput, and consuming a topic back."""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError


@dataclass(frozen=True)
class Throughput:
    what: str
    messages: int
    size: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds

    @property
    def mib_per_second(self) -> float:
        return self.messages * self.size / 2**20 / self.seconds

    def line(self) -> str:
        return (
            f"{self.what:<8} {self.messages:>7} msgs x {self.size} B in {self.seconds:6.2f} s: "
            f"{self.per_second:>9,.0f} msg/s {self.mib_per_second:7.1f} MiB/s"
        )


async def consume(bootstrap_servers: str, topic: str, messages: int, size: int) -> Throughput:
    """Read the first `messages` records of `topic` (every partition, no group) as fast as
    aiokafka can; `size` is what each record is reported to weigh."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        started = time.perf_counter()
        received = 0
        while received < messages:
            batches = await consumer.getmany(timeout_ms=10_000)
            if not batches:
                raise RuntimeError(f"consumed {received} of {messages}, then nothing came")
            received += sum(len(records) for records in batches.values())
        seconds = time.perf_counter() - started
    finally:
        await consumer.stop()
    return Throughput("consume", received, size, seconds)


def batching_producer(bootstrap_servers: str) -> AIOKafkaProducer:
    """Idempotent (acks=all) like the services' relays, with room to batch many sends."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
    )


async def create_topic(
    bootstrap_servers: str, topic: str, partitions: int, *, exist_ok: bool = False
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    except TopicAlreadyExistsError:
        if not exist_ok:
            raise
    finally:
        await admin.close()
