"""`make bench`: the raw-broker baseline that pipeline benchmarks are compared with.

Produces keyed 1-KiB messages with an idempotent producer (acks=all) and consumes them back,
against a fresh local Kafka (or `--bootstrap-servers`), and prints messages/s and MiB/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from schakel_dev.servers import KafkaServer, kafka_version

PARTITIONS = 6  # as schakel's own topics


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


async def raw_broker_baseline(
    bootstrap_servers: str, messages: int = 20_000, size: int = 1024
) -> tuple[Throughput, Throughput]:
    """Produce then consume `messages` keyed messages of `size` bytes on a new topic."""
    topic = f"bench-raw-{os.getpid()}-{int(time.time())}"
    await _create_topic(bootstrap_servers, topic)
    produced = await _produce(bootstrap_servers, topic, messages, size)
    consumed = await _consume(bootstrap_servers, topic, messages, size)
    return produced, consumed


async def _create_topic(bootstrap_servers: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
    finally:
        await admin.close()


async def _produce(bootstrap_servers: str, topic: str, messages: int, size: int) -> Throughput:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    payload = os.urandom(size)
    try:
        started = time.perf_counter()
        # Keep every send in flight and await the acknowledgements together, as a relay does.
        pending = [
            await producer.send(topic, payload, key=f"key-{n % 1000}".encode())
            for n in range(messages)
        ]
        await asyncio.gather(*pending)
        seconds = time.perf_counter() - started
    finally:
        await producer.stop()
    return Throughput("produce", messages, size, seconds)


async def _consume(bootstrap_servers: str, topic: str, messages: int, size: int) -> Throughput:
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schakel_dev.bench", description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=1024, help="bytes per message")
    parser.add_argument("--bootstrap-servers", help="use this broker instead of a fresh one")
    args = parser.parse_args(argv)
    if args.bootstrap_servers:
        _report(args.bootstrap_servers, args.messages, args.size)
        return 0
    with (
        tempfile.TemporaryDirectory(prefix="schakel-bench-") as data_dir,
        KafkaServer(Path(data_dir) / "kafka") as kafka,
    ):
        ready = f"ready in {kafka.startup_seconds:.1f} s"
        print(f"local Kafka {kafka_version()} at {kafka.bootstrap_servers}, {ready}")
        _report(kafka.bootstrap_servers, args.messages, args.size)
    return 0


def _report(bootstrap_servers: str, messages: int, size: int) -> None:
    print(f"raw broker baseline ({PARTITIONS} partitions, idempotent producer, acks=all):")
    for result in asyncio.run(raw_broker_baseline(bootstrap_servers, messages, size)):
        print(f"  {result.line()}")


if __name__ == "__main__":
    raise SystemExit(main())
