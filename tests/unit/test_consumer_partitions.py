"""The partitions of one poll, without servers: by default applied in turn, in one
transaction; with ``SCHAKEL_PARTITIONS_IN_PARALLEL`` side by side, each in its own order, so
one partition's slow or failing record holds up no other."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import TopicPartition
from pymongo.errors import AutoReconnect

from schakel.contracts import EventEnvelope
from schakel.platform.consumer import EventConsumer
from schakel.platform.mongo import Transaction
from tests.integration.rig import event_for
from tests.unit.test_consumer_dispatch import OneStore, written
from tests.unit.test_consumer_failures import message
from tests.unit.test_consumer_reading import KeptDeadLetters
from tests.unit.test_offsets import FakeConsumer


def on_partition(event: EventEnvelope[Any], partition: int, offset: int) -> Any:
    found = written(event, offset)
    found.partition = partition
    return found


async def test_a_waiting_partition_holds_up_no_other_and_each_keeps_its_order() -> None:
    first, second = event_for("ref-a"), event_for("ref-a")
    other = event_for("ref-b")
    other_applied = asyncio.Event()
    seen: list[str] = []

    async def handler(e: EventEnvelope[Any], tx: Transaction) -> None:
        if e.id == first.id:  # waits for an event that comes later in the poll
            await other_applied.wait()
        if e.id == other.id:
            other_applied.set()
        seen.append(e.id)

    consumer = EventConsumer(
        "t", OneStore(), KeptDeadLetters(), {first.name: handler}, partitions_in_parallel=True
    )
    consumer.offsets = type(consumer.offsets)(every=1)
    kafka = FakeConsumer(0, 1)
    poll = (on_partition(first, 0, 5), on_partition(second, 0, 6), on_partition(other, 1, 9))
    await asyncio.wait_for(consumer.on_message(message(poll, kafka)), 5)
    assert seen == [other.id, first.id, second.id]  # partition 0 kept its own order
    assert kafka.commits == [{TopicPartition("t", 0): 7, TopicPartition("t", 1): 10}]


async def test_an_outage_in_one_partition_brings_back_only_that_partitions_records(
    pauses: list[float],
) -> None:
    stuck, fine = event_for("ref-stuck"), event_for("ref-fine")

    async def handler(e: EventEnvelope[Any], tx: Transaction) -> None:
        if e.id == stuck.id:
            raise AutoReconnect("database down")

    consumer = EventConsumer(
        "t", OneStore(), KeptDeadLetters(), {stuck.name: handler}, partitions_in_parallel=True
    )
    consumer.offsets = type(consumer.offsets)(every=1)
    kafka = FakeConsumer(0, 1)
    await consumer.on_message(message((on_partition(stuck, 0, 3), on_partition(fine, 1, 8)), kafka))
    assert kafka.seeks == [(TopicPartition("t", 0), 3)]
    assert kafka.commits == [{TopicPartition("t", 1): 9}]


async def test_by_default_the_poll_is_applied_in_turn_in_one_transaction() -> None:
    events = [event_for("ref-a"), event_for("ref-b"), event_for("ref-c")]
    seen: list[str] = []

    async def handler(e: EventEnvelope[Any], tx: Transaction) -> None:
        seen.append(e.id)

    store = OneStore()
    consumer = EventConsumer("t", store, KeptDeadLetters(), {events[0].name: handler})
    poll = tuple(on_partition(e, i % 2, 10 + i) for i, e in enumerate(events))
    await consumer.on_message(message(poll, FakeConsumer(0, 1)))
    assert seen == [e.id for e in events]
    assert store.batches == [[e.id for e in events]]
