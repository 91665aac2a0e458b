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
from tests.unit.test_consumer_reading import KeptDeadLetters
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
    """What FastStream hands the subscriber: the record, its consumer and a way to seek back."""

    def __init__(self, record: Any, consumer: FakeConsumer) -> None:
        self.raw_message = record
        self.consumer = consumer
        self.nacked = 0

    async def nack(self) -> None:
        self.nacked += 1


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
    assert (cast(Message, failing).nacked, kafka.commits) == (1, [])
    handled = message(written(event, offset=7), kafka)
    await consumer.on_message(handled)
    assert (cast(Message, handled).nacked, kafka.commits) == (0, [{TopicPartition("t", 0): 8}])


async def test_a_batch_of_records_is_refused() -> None:
    consumer = EventConsumer("t", OneStore(), KeptDeadLetters(), {"x": Flaky()})
    with pytest.raises(TypeError, match="batch records are not supported"):
        await consumer.on_message(message((written(event_for("a")),), FakeConsumer(0)))


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
