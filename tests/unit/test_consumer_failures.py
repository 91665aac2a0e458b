"""What the consumer does when handling fails, without servers: a handler that keeps failing
on one record is retried, then dead-lettered, so the partition moves on; an outage is retried
for as long as it lasts and never dead-letters anything; only a handled record is committed,
a failed one is sought back; a graceful stop finishes the record in hand and takes no more."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import REGISTRY
from pymongo.errors import AutoReconnect
from structlog.testing import capture_logs

from schakel.contracts import EventEnvelope
from schakel.platform.consumer import MAX_ATTEMPTS, EventConsumer
from schakel.platform.mongo import Transaction
from tests.integration.rig import event_for
from tests.unit.test_consumer_dispatch import OneStore, counted, written
from tests.unit.test_consumer_reading import KeptDeadLetters, record
from tests.unit.test_offsets import FakeConsumer


class Flaky:
    """A handler that raises the next of ``failures`` (None: succeeds) on each call."""

    def __init__(self, *failures: Exception | None) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self, event: EventEnvelope[Any], tx: Transaction) -> None:
        self.calls += 1
        failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            raise failure


def handled_seconds(event_type: str) -> float:
    found = REGISTRY.get_sample_value("schakel_handler_seconds_count", {"event_type": event_type})
    return found or 0.0


async def test_a_handler_failing_every_time_is_retried_then_dead_lettered(
    pauses: list[float],
) -> None:
    event = event_for("ref-fails")
    handler = Flaky(*(ValueError("no such owner") for _ in range(MAX_ATTEMPTS)))
    dead = KeptDeadLetters()
    consumer = EventConsumer("t", OneStore(), dead, {event.name: handler})
    record = written(event)
    before = counted(event.type, "dead_lettered")
    with capture_logs() as logs:
        for attempt in range(1, MAX_ATTEMPTS):
            with pytest.raises(ValueError):  # raised: the record is delivered again
                await consumer.on_record(record)
            assert dead.sent == [], attempt
        await consumer.on_record(record)
    assert dead.sent == [(record, "handler-failed", "ValueError('no such owner')")]
    assert counted(event.type, "dead_lettered") - before == 1
    assert pauses == [0.2, 0.4]  # a little longer each time
    retries = [e for e in logs if e["event"] == "event handling failed; retrying"]
    assert [(e["attempt"], e["error"], e["log_level"]) for e in retries] == [
        (1, "ValueError('no such owner')", "warning"),
        (2, "ValueError('no such owner')", "warning"),
    ]
    assert handler.calls == MAX_ATTEMPTS


async def test_a_success_between_failures_starts_the_count_again(pauses: list[float]) -> None:
    event = event_for("ref-once")
    handler = Flaky(ValueError("1"), None, ValueError("2"), ValueError("3"))
    dead = KeptDeadLetters()
    consumer = EventConsumer("t", OneStore(), dead, {event.name: handler})
    record = written(event)
    before = handled_seconds(event.type)
    with pytest.raises(ValueError):
        await consumer.on_record(record)
    with capture_logs() as logs:
        await consumer.on_record(record)
    assert [(e["event"], e["outcome"]) for e in logs] == [("event handled", "applied")]
    assert handled_seconds(event.type) - before == 1
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(ValueError):
            await consumer.on_record(record)
    assert dead.sent == []


async def test_an_outage_is_retried_for_as_long_as_it_lasts(pauses: list[float]) -> None:
    event = event_for("ref-outage")
    outages = [AutoReconnect("database down") for _ in range(MAX_ATTEMPTS + 2)]
    handler = Flaky(*outages, ValueError("then a bug"))
    dead = KeptDeadLetters()
    consumer = EventConsumer("t", OneStore(), dead, {event.name: handler})
    record = written(event)
    with capture_logs() as logs:
        for _ in outages:
            with pytest.raises(AutoReconnect):
                await consumer.on_record(record)
    assert dead.sent == [] and pauses == [1.0] * len(outages)
    assert {(e["event"], e["error"]) for e in logs} == {
        ("event handling hit an outage; will be redelivered", "database down")
    }
    with pytest.raises(ValueError):  # the outage counted no attempt
        await consumer.on_record(record)
    assert dead.sent == []


class Message:
    """What FastStream hands the subscriber: the record and its consumer."""

    def __init__(self, record: Any, consumer: FakeConsumer) -> None:
        self.raw_message = record
        self.consumer = consumer


def message(record: Any, kafka: FakeConsumer) -> KafkaMessage:
    return cast(KafkaMessage, Message(record, kafka))


async def test_only_a_handled_record_is_committed_a_failed_one_is_sought_back(
    pauses: list[float],
) -> None:
    event = event_for("ref-commit")
    consumer = EventConsumer("t", OneStore(), KeptDeadLetters(), {event.name: Flaky(ValueError())})
    consumer.offsets = type(consumer.offsets)(every=1)
    kafka = FakeConsumer(0)
    failing = message(written(event, offset=7), kafka)
    await consumer.on_message(failing)
    assert (kafka.seeks, kafka.commits) == ([(TopicPartition("t", 0), 7)], [])
    handled = message(written(event, offset=7), kafka)
    await consumer.on_message(handled)
    assert (kafka.seeks[1:], kafka.commits) == ([], [{TopicPartition("t", 0): 8}])


async def test_a_batch_is_applied_in_order_and_committed_past_its_last_record() -> None:
    events = [event_for(f"ref-{i}") for i in range(3)]
    seen: list[str] = []

    async def handler(e: EventEnvelope[Any], tx: Transaction) -> None:
        seen.append(e.subject or "")

    store = OneStore()
    consumer = EventConsumer("t", store, KeptDeadLetters(), {events[0].name: handler})
    consumer.offsets = type(consumer.offsets)(every=1)
    kafka = FakeConsumer(0)
    batch = tuple(written(e, offset=10 + i) for i, e in enumerate(events))
    await consumer.on_message(message(batch, kafka))
    assert seen == ["ref-0", "ref-1", "ref-2"]
    assert store.batches == [[e.id for e in events]]  # one transaction for the three
    assert store.likely == [{"ref-0", "ref-1", "ref-2"}]  # read ahead in one query each
    assert kafka.commits == [{TopicPartition("t", 0): 13}]


async def test_a_failing_batch_is_applied_one_record_at_a_time_isolating_the_bad_one(
    pauses: list[float],
) -> None:
    events = [event_for(f"ref-{i}") for i in range(3)]
    bad = events[1]
    applied: list[str] = []

    async def handler(e: EventEnvelope[Any], tx: Transaction) -> None:
        if e.id == bad.id:
            raise ValueError("no such owner")
        applied.append(e.subject or "")

    dead = KeptDeadLetters()
    consumer = EventConsumer("t", OneStore(), dead, {bad.name: handler})
    kafka = FakeConsumer(0)
    batch = tuple(written(e, offset=20 + i) for i, e in enumerate(events))
    for _ in range(MAX_ATTEMPTS - 1):  # each time: the batch fails, then one at a time
        await consumer.on_message(message(batch, kafka))
    assert dead.sent == [] and kafka.commits == []
    await consumer.on_message(message(batch, kafka))
    assert [reason for _, reason, _ in dead.sent] == ["handler-failed"]
    assert applied[-2:] == ["ref-0", "ref-2"]  # the good ones, in the last delivery's order


async def test_only_what_was_not_handled_comes_again_so_no_dead_letter_is_sent_twice(
    pauses: list[float],
) -> None:
    good, poison = event_for("ref-good"), event_for("ref-poison")

    async def handler(e: EventEnvelope[Any], tx: Transaction) -> None:
        if e.id == poison.id:
            raise ValueError("no such owner")

    dead = KeptDeadLetters()
    consumer = EventConsumer("t", OneStore(), dead, {good.name: handler})
    consumer.offsets = type(consumer.offsets)(every=1)
    garbage = record([("ce_type", good.type.encode())], b"\x00garbage")
    garbage.offset = 31
    kafka = FakeConsumer(0)
    await consumer.on_message(message((written(good, 30), garbage, written(poison, 32)), kafka))
    # The good record and the garbage were handled; only the poison is sought back.
    assert [reason for _, reason, _ in dead.sent] == ["unreadable"]
    assert kafka.seeks == [(TopicPartition("t", 0), 32)]
    assert kafka.commits == [{TopicPartition("t", 0): 32}]


async def test_a_graceful_stop_finishes_the_record_in_hand_and_takes_no_more() -> None:
    event = event_for("ref-stop")
    release = asyncio.Event()
    seen: list[str] = []

    taken = asyncio.Event()

    async def slow(e: EventEnvelope[Any], tx: Transaction) -> None:
        seen.append(e.subject or "")
        taken.set()
        await release.wait()

    consumer = EventConsumer("t", OneStore(), KeptDeadLetters(), {event.name: slow})
    kafka = FakeConsumer(0)
    in_hand = asyncio.create_task(consumer.on_message(message(written(event, offset=3), kafka)))
    await taken.wait()
    stopping = asyncio.create_task(consumer.drain(within=30))
    await asyncio.sleep(0)
    await consumer.on_message(message(written(event_for("ref-later"), offset=4), kafka))
    assert not stopping.done() and seen == ["ref-stop"]  # the later record was not taken
    release.set()
    await asyncio.wait_for(asyncio.gather(in_hand, stopping), 5)
    assert kafka.commits == [{TopicPartition("t", 0): 4}]  # the one in hand, committed


async def test_a_stop_stuck_in_an_outage_says_so_and_commits_what_was_done() -> None:
    event = event_for("ref-stuck")
    stuck = asyncio.Event()

    async def hangs(e: EventEnvelope[Any], tx: Transaction) -> None:
        await stuck.wait()

    consumer = EventConsumer("t", OneStore(), KeptDeadLetters(), {event.name: hangs})
    kafka = FakeConsumer(0)
    consumer.offsets.handled(cast(AIOKafkaConsumer, kafka), written(event, offset=1))
    in_hand = asyncio.create_task(consumer.on_message(message(written(event, offset=2), kafka)))
    await asyncio.sleep(0)
    with capture_logs() as logs:
        await consumer.drain(within=0.05)
    assert [(e["event"], e["seconds"]) for e in logs] == [
        ("stopping with a record still in hand", 0.05)
    ]
    assert kafka.commits == [{TopicPartition("t", 0): 2}]
    in_hand.cancel()
