"""What the consumer does with each record before and around its handler, without servers:
which handler gets which event (upcast), what it passes by, what operators count in
``schakel_events_consumed_total``, and which ids every log line of a handler carries. The
store's unit of work is stood in for; applying once is MongoStore's and is tested on the real
servers (tests/integration/test_platform.py, test_redelivery.py)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any

import structlog

from schakel.contracts import EventEnvelope, new_event
from schakel.contracts.events import ReferralReceived, ReferralReceivedV1
from schakel.contracts.kafka_binding import to_record
from schakel.contracts.vocabulary import Channel, SignalerRole
from schakel.platform.consumer import Delivery, EventConsumer
from schakel.platform.metrics import EVENTS_CONSUMED
from schakel.platform.mongo import MongoStore, Transaction
from tests.integration.rig import event_for
from tests.unit.test_consumer_reading import KeptDeadLetters, record

Work = Callable[[Transaction], Awaitable[None]]


class OneStore(MongoStore):
    """Runs the work at once; says "already applied" for the ids in ``applied``."""

    def __init__(self, applied: frozenset[str] = frozenset()) -> None:
        super().__init__("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1", "unused")
        self.applied = applied
        self.asked: list[str] = []
        self.batches: list[list[str]] = []
        self.likely: list[set[str]] = []  # the ids each batch said it is about

    async def apply_once(self, event_id: str, work: Work) -> bool:
        self.asked.append(event_id)
        if event_id in self.applied:
            return False
        await work(Transaction(None, self.db))  # type: ignore[arg-type]
        return True

    async def apply_batch(
        self, items: Sequence[tuple[str, Work]], likely_ids: Collection[str] = ()
    ) -> list[bool]:
        """All or nothing, like the transaction: a failure leaves nothing counted as a batch."""
        self.likely.append(set(likely_ids))
        tx = Transaction(None, self.db)  # type: ignore[arg-type]
        ids = [event_id for event_id, _ in items]
        for event_id, work in items:
            if event_id not in self.applied:
                await work(tx)
        self.batches.append(ids)
        self.asked.extend(ids)
        return [event_id not in self.applied for event_id in ids]


def counted(event_type: str, outcome: str) -> float:
    value: float = EVENTS_CONSUMED.labels(event_type=event_type, outcome=outcome)._value.get()
    return value


def written(event: EventEnvelope[Any], offset: int = 7) -> Any:
    _, value, headers = to_record(event)
    found = record(list(headers), value)
    found.offset = offset
    return found


async def test_each_event_goes_to_its_handler_upcast_with_the_ids_in_every_log_line() -> None:
    v1 = ReferralReceivedV1(
        referral_id="ref-v1",
        channel=Channel.WEBFORMULIER,
        signaler_role=SignalerRole.APOTHEKER,
        person_pseudonym="ps-" + "4" * 32,
        postcode_area="3562",
        received_at=event_for("x").data.received_at,
    )
    old = new_event(v1, source="/schakel/intake", subject="ref-v1", correlation_id="corr-v1")
    got: list[tuple[EventEnvelope[Any], dict[str, Any]]] = []

    async def handler(event: EventEnvelope[Any], tx: Transaction) -> None:
        got.append((event, structlog.contextvars.get_contextvars()))

    store = OneStore()
    consumer = EventConsumer("t", store, KeptDeadLetters(), {old.name: handler})
    applied = counted(ReferralReceived.event_type(), "applied")
    applied_v1 = counted(old.type, "applied")
    await consumer.on_record(written(old))
    [(event, context)] = got
    assert isinstance(event.data, ReferralReceived) and event.data.postcode_area == "3562"
    assert (event.id, event.type) == (old.id, "nl.schakel.referral.received.v2")
    assert context == {
        "correlation_id": "corr-v1",
        "causation_id": None,
        "event_id": old.id,
        "event_type": "nl.schakel.referral.received.v1",
        "referral_id": "ref-v1",
    }
    assert store.asked == [old.id]
    # Counted under the type as written, not as upcast.
    assert counted(old.type, "applied") - applied_v1 == 1
    assert counted(ReferralReceived.event_type(), "applied") - applied == 0
    assert structlog.contextvars.get_contextvars() == {}  # nothing left bound afterwards


async def test_an_event_already_applied_is_counted_as_a_duplicate() -> None:
    event = event_for("ref-dup")
    calls: list[str] = []

    async def handler(e: EventEnvelope[Any], tx: Transaction) -> None:
        calls.append(e.id)

    store = OneStore(frozenset({event.id}))
    consumer = EventConsumer("t", store, KeptDeadLetters(), {event.name: handler})
    before = counted(event.type, "duplicate")
    await consumer.on_record(written(event))
    assert calls == []
    assert counted(event.type, "duplicate") - before == 1


async def test_a_type_without_a_handler_is_passed_by_and_counted_as_ignored() -> None:
    event = event_for("ref-other")
    store, dead = OneStore(), KeptDeadLetters()

    async def never(e: EventEnvelope[Any], tx: Transaction) -> None:
        raise AssertionError("not this service's event")

    consumer = EventConsumer("t", store, dead, {"nl.schakel.referral.triaged": never})
    before = counted(event.name, "ignored")
    await consumer.on_record(written(event))
    assert (store.asked, dead.sent) == ([], [])
    assert counted(event.name, "ignored") - before == 1


async def test_a_record_that_is_no_event_is_dead_lettered_with_the_reader_s_words() -> None:
    dead = KeptDeadLetters()

    async def never(e: EventEnvelope[Any], tx: Transaction) -> None:
        raise AssertionError("unreadable")

    consumer = EventConsumer("t", OneStore(), dead, {"nl.schakel.referral.received": never})
    garbage = record([("ce_type", b"nl.schakel.referral.received.v2")], b"\x00")
    before = counted("unreadable", "dead_lettered")
    await consumer.on_record(garbage)
    [(sent, reason, error)] = dead.sent
    assert (sent, reason) == (garbage, "unreadable")
    assert error.startswith("missing CloudEvents header")  # the reader's text, not a repr
    assert counted("unreadable", "dead_lettered") - before == 1


async def test_an_every_record_handler_gets_the_record_as_written() -> None:
    event = event_for("ref-audit")
    seen: list[Delivery] = []

    async def keep(delivery: Delivery, tx: Transaction) -> None:
        seen.append(delivery)

    store = OneStore()
    consumer = EventConsumer("audit", store, KeptDeadLetters(), every_record=keep)
    kept = written(event, offset=42)
    await consumer.on_record(kept)
    [delivery] = seen
    where = (delivery.topic, delivery.partition, delivery.offset, delivery.key)
    assert where == ("t", 0, 42, b"ref")
    assert delivery.value == kept.value and json.loads(delivery.value)["referral_id"] == "ref-audit"
    assert delivery.headers == tuple(kept.headers)
    assert delivery.event.id == event.id and store.asked == [event.id]
