"""How the consumer subscribes, as Kafka sees it: the referral topic, the service's own consumer
group, from the earliest record when the group is new, offsets committed by hand and only
after handling, no replies; and, through FastStream's test broker, a record published to the
topic reaching the service's handler as the event it holds."""

from __future__ import annotations

from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, TestKafkaBroker

from schakel.audit import app as audit_app
from schakel.contracts import EventEnvelope
from schakel.contracts.kafka_binding import to_record
from schakel.contracts.topics import HELPER_EVENTS, REFERRAL_EVENTS, consumer_group
from schakel.platform.consumer import EventConsumer
from schakel.platform.mongo import Transaction
from tests.integration.rig import event_for
from tests.unit.test_consumer_dispatch import OneStore
from tests.unit.test_consumer_reading import KeptDeadLetters


def test_the_subscription_commits_by_hand_from_the_service_s_own_group() -> None:
    broker = KafkaBroker("127.0.0.1:1")
    consumer = EventConsumer("triage", OneStore(), KeptDeadLetters(), {"x": handler_of([])})
    consumer.subscribe(broker)
    [found] = broker.subscribers
    subscriber: Any = found  # FastStream's Kafka subscriber, whose options are not typed
    assert [t.name for t in subscriber.topics] == [REFERRAL_EVENTS]
    assert subscriber.group_id == consumer_group("triage")
    assert subscriber.ack_policy is AckPolicy.MANUAL
    options = subscriber._connection_args
    assert (options["auto_offset_reset"], options["max_poll_records"]) == ("earliest", 100)
    assert options["enable_auto_commit"] is False
    assert subscriber._no_reply is True
    other = KafkaBroker("127.0.0.1:1")
    consumer.subscribe(other, "schakel.other")
    moved: Any = other.subscribers[0]
    assert [t.name for t in moved.topics] == ["schakel.other"]


def test_the_audit_reads_the_referral_and_the_helper_topic_in_one_group() -> None:
    runtime = audit_app.build(audit_app.AuditSettings()).state.runtime
    [found] = runtime.broker.subscribers
    subscriber: Any = found
    assert [t.name for t in subscriber.topics] == [REFERRAL_EVENTS, HELPER_EVENTS]
    assert subscriber.group_id == consumer_group("audit")


def handler_of(seen: list[EventEnvelope[Any]]) -> Any:
    async def handler(event: EventEnvelope[Any], tx: Transaction) -> None:
        seen.append(event)

    return handler


async def test_a_published_record_reaches_the_handler_as_its_event() -> None:
    event = event_for("ref-broker")
    seen: list[EventEnvelope[Any]] = []
    broker = KafkaBroker("127.0.0.1:1")
    store = OneStore()
    consumer = EventConsumer("triage", store, KeptDeadLetters(), {event.name: handler_of(seen)})
    consumer.subscribe(broker)
    key, value, headers = to_record(event)
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(
            value,
            REFERRAL_EVENTS,
            key=key,
            headers={name: raw.decode() for name, raw in headers},
        )
    [got] = seen
    assert (got.id, got.type, got.subject) == (event.id, event.type, "ref-broker")
    assert store.asked == [event.id]
