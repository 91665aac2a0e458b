"""A consumer's surroundings on the real servers: its MongoDB store, a producer, a topic of
its own and its dead-letter topic (the fixtures are in this folder's conftest)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from pymongo.asynchronous.collection import AsyncCollection

from schakel.contracts import EventEnvelope, new_event
from schakel.contracts.events import ReferralReceived, Signaler
from schakel.contracts.topics import consumer_group, dead_letter_topic
from schakel.contracts.vocabulary import Channel, SignalerRole
from schakel.platform.consumer import EventConsumer, RecordHandler
from schakel.platform.deadletter import DeadLetters
from schakel.platform.mongo import Document, MongoStore, Transaction
from schakel.platform.offsets import OffsetCommitter
from schakel.platform.settings import ServiceSettings
from tests.support import wait_deadline

PARTITIONS = 3  # of each test's own topic


def received(referral_id: str) -> ReferralReceived:
    return ReferralReceived(
        referral_id=referral_id,
        channel=Channel.WEBFORMULIER,
        signaler=Signaler(role=SignalerRole.BUURTBEWONER),
        person_pseudonym="ps-" + "2" * 32,
        received_at=datetime.now(UTC),
    )


def event_for(referral_id: str) -> EventEnvelope[ReferralReceived]:
    return new_event(received(referral_id), source="/schakel/test", subject=referral_id)


async def read_all(bootstrap: str, topic: str, expected: int, within: float = 20) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + within
        while len(records) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()
    return records


class Recorder:
    """A handler whose effect is a document per event; fails on demand."""

    def __init__(self, fail_times: int = 0, error: type[Exception] = OSError) -> None:
        self.fail_times = fail_times
        self.error = error
        self.calls = 0

    async def __call__(self, event: EventEnvelope[Any], tx: Transaction) -> None:
        self.calls += 1
        await tx["effects"].insert_one({"event_id": event.id, "referral": event.subject})
        if self.calls <= self.fail_times:
            raise self.error("simulated failure")


async def eventually(holds: Callable[[], Awaitable[bool]], within: float = 30) -> None:
    deadline, limit = wait_deadline(within)
    while not await holds():
        assert time.monotonic() < deadline, f"consumer did not get there {limit}"
        await asyncio.sleep(0.1)


@dataclass
class Rig:
    """A consumer's surroundings: its store, a producer, a topic of its own and its DLQ."""

    settings: ServiceSettings
    store: MongoStore
    producer: AIOKafkaProducer
    topic: str

    @property
    def effects(self) -> AsyncCollection[Document]:
        return self.store.db["effects"]

    async def publish(self, *records: tuple[bytes, bytes | None, Any]) -> None:
        for key, value, headers in records:
            await self.producer.send_and_wait(self.topic, value=value, key=key, headers=headers)

    async def consume(
        self,
        handler: Recorder | RecordHandler,
        until: Callable[[], Awaitable[bool]],
        within: float = 30,
        crash: bool = False,
    ) -> None:
        """Consume until ``until()`` holds; ``crash`` stops without committing the last batch."""
        consumer, broker = await self.start_consumer(handler, crash)
        try:
            await eventually(until, within)
        finally:
            if not crash:
                await consumer.drain()
            await broker.stop()

    async def start_consumer(
        self, handler: Recorder | RecordHandler, crash: bool = False
    ) -> tuple[EventConsumer, KafkaBroker]:
        name = self.settings.service_name
        dead_letters = DeadLetters(name, self.producer)
        if isinstance(handler, Recorder):
            handlers = {ReferralReceived.event_name: handler}
            consumer = EventConsumer(name, self.store, dead_letters, handlers)
        else:
            consumer = EventConsumer(name, self.store, dead_letters, every_record=handler)
        if crash:  # a batch that stays open until the crash
            consumer.offsets = OffsetCommitter(every=1000, interval=3600)
        broker = KafkaBroker(self.settings.kafka_bootstrap_servers)
        consumer.subscribe(broker, self.topic)
        await broker.start()
        if not crash:
            consumer.offsets.start_idle_flush()
        return consumer, broker

    async def committed(self) -> int:
        """Records of the topic whose offsets the consumer group has committed."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        await admin.start()
        try:
            group = consumer_group(self.settings.service_name)
            offsets = await admin.list_consumer_group_offsets(group)
        finally:
            await admin.close()
        return sum(m.offset for tp, m in offsets.items() if tp.topic == self.topic and m.offset > 0)

    async def published(self, topic: str | None = None) -> int:
        """Records written to ``topic`` (default: the rig's) so far: the sum of its
        partitions' end offsets."""
        topic = topic or self.topic
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=self.settings.kafka_bootstrap_servers)
        await consumer.start()  # with the topic's metadata: it subscribes to it
        try:
            partitions = consumer.partitions_for_topic(topic)
            assert partitions, f"no metadata for {topic}"
            ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        finally:
            await consumer.stop()
        return sum(ends.values())

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(self.settings.service_name)

    async def dead_letters(self, expected: int) -> list[Any]:
        return await read_all(
            self.settings.kafka_bootstrap_servers, self.dead_letter_topic, expected
        )
