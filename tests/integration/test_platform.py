"""The platform's delivery guarantees against a real Kafka broker and a real MongoDB-protocol
server: outbox atomicity and order, exactly-once effects, dead letters, committed offsets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from schakel.contracts import EventEnvelope
from schakel.contracts.events import ReferralReceived
from schakel.contracts.kafka_binding import from_record, to_record
from schakel.contracts.topics import GP_FEEDBACK, REFERRAL_EVENTS, consumer_group
from schakel.platform.consumer import Delivery
from schakel.platform.metrics import EVENTS_CONSUMED
from schakel.platform.mongo import OUTBOX, MongoStore, Transaction
from schakel.platform.outbox import OutboxRelay
from schakel.platform.redrive import redrive
from schakel.platform.settings import ServiceSettings
from tests.integration.rig import Recorder, Rig, event_for, read_all

pytestmark = pytest.mark.integration


def retarget(topic: str) -> Any:
    """Write outbox rows to the test's own topic instead of the shared referral topic."""

    async def write_outbox(tx: Transaction) -> None:
        from schakel.platform.mongo import outbox_row

        if tx.emitted:
            await tx[OUTBOX].insert_many([outbox_row(e, topic) for e in tx.emitted])

    return write_outbox


async def test_outbox_relays_committed_events_in_order_and_only_once(
    store: MongoStore,
    producer: AIOKafkaProducer,
    topic: str,
    settings: ServiceSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Transaction, "write_outbox", retarget(topic))
    events = [event_for("ref-order") for _ in range(20)]

    async def work(tx: Transaction) -> None:
        for e in events:
            tx.emit(e)

    await store.transaction(work)
    relay = OutboxRelay(store, producer, poll_seconds=0.05)
    assert await relay.relay_once() == 20
    assert await relay.relay_once() == 0  # rows are gone once Kafka has them
    records = await read_all(settings.kafka_bootstrap_servers, topic, expected=20)
    assert [from_record(r.headers, r.value).id for r in records] == [e.id for e in events]
    assert {r.partition for r in records} == {records[0].partition}  # one key, one partition


async def test_an_event_for_another_topic_is_written_to_the_outbox_for_that_topic(
    store: MongoStore,
) -> None:
    """Feedback writes its GP-facing updates in the same unit of work as the rest."""
    lifecycle, for_gps = event_for("ref-topics"), event_for("ref-topics")

    async def work(tx: Transaction) -> None:
        tx.emit(lifecycle)
        tx.emit(for_gps, GP_FEEDBACK)

    await store.transaction(work)
    rows = await store.db[OUTBOX].find({}).sort("seq", 1).to_list()
    assert [(r["_id"], r["topic"]) for r in rows] == [
        (lifecycle.id, REFERRAL_EVENTS),
        (for_gps.id, GP_FEEDBACK),
    ]


async def test_a_rolled_back_state_change_publishes_nothing(
    store: MongoStore,
    producer: AIOKafkaProducer,
) -> None:
    async def fails_after_emitting(tx: Transaction) -> None:
        await tx["effects"].insert_one({"_id": "x"})
        tx.emit(event_for("ref-rollback"))
        raise RuntimeError("business rule broke after the event was emitted")

    with pytest.raises(RuntimeError):
        await store.transaction(fails_after_emitting)
    assert await store.db[OUTBOX].count_documents({}) == 0
    assert await store.db["effects"].count_documents({}) == 0


class Gate(Recorder):
    """A Recorder that holds its ``hold_call``-th call, effect written, until released."""

    def __init__(self, hold_call: int) -> None:
        super().__init__()
        self.hold_call = hold_call
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, event: EventEnvelope[Any], tx: Transaction) -> None:
        await super().__call__(event, tx)
        if self.calls == self.hold_call:
            self.holding.set()
            await self.release.wait()


async def test_garbage_is_dead_lettered_with_reason_and_the_consumer_goes_on(rig: Rig) -> None:
    good = event_for("ref-1")
    await rig.publish(
        (b"ref-1", b"\x00garbage", [("ce_type", b"nl.schakel.referral.received.v2")]),
        to_record(good),
    )

    async def handled() -> bool:
        return await rig.effects.count_documents({}) == 1

    await rig.consume(Recorder(), handled)
    [dead] = await rig.dead_letters(1)
    headers = {k: v.decode() for k, v in dead.headers}
    assert dead.value == b"\x00garbage"
    assert headers["dlq-reason"] == "unreadable"
    assert "missing CloudEvents header" in headers["dlq-error"]
    assert headers["dlq-origin-topic"] == rig.topic
    assert headers["dlq-consumer-group"] == consumer_group(rig.settings.service_name)
    effect = await rig.effects.find_one({})
    assert effect is not None and effect["event_id"] == good.id


async def test_an_every_record_consumer_keeps_newer_types_as_written_once(rig: Rig) -> None:
    """The audit's way of consuming: a type this build does not know is kept, not dead-lettered;
    a record without a CloudEvents envelope still is."""
    _, _, headers = to_record(event_for("ref-9"))
    newer = [(n, b"nl.schakel.referral.reopened.v1" if n == "ce_type" else v) for n, v in headers]
    value = b'{"referral_id": "ref-9"}'
    await rig.publish(
        (b"ref-9", value, newer),
        (b"ref-9", b"no envelope", []),
        (b"ref-9", value, newer),  # published twice by a retrying producer
    )

    async def keep(delivery: Delivery, tx: Transaction) -> None:
        await tx["effects"].insert_one(
            {"type": dict(delivery.headers)["ce_type"], "value": delivery.value}
        )

    async def all_seen() -> bool:
        return await rig.committed() == 3

    await rig.consume(keep, all_seen)
    kept = await rig.effects.find({}, {"_id": 0}).to_list()
    assert kept == [{"type": b"nl.schakel.referral.reopened.v1", "value": value}]
    [dead] = await rig.dead_letters(1)
    assert dead.value == b"no envelope"
    assert dict(dead.headers)["dlq-reason"] == b"unreadable"


async def test_an_attempt_that_failed_in_an_outage_is_delivered_again(rig: Rig) -> None:
    event = event_for("ref-2")
    await rig.publish(to_record(event))
    handler = Recorder(fail_times=1)  # the first attempt fails like a database outage

    async def applied() -> bool:
        return await rig.effects.count_documents({"event_id": event.id}) == 1

    await rig.consume(handler, applied)
    assert handler.calls == 2


async def test_an_event_published_twice_has_one_effect(rig: Rig) -> None:
    event = event_for("ref-2")
    await rig.publish(to_record(event), to_record(event))
    handler = Recorder()

    async def both_seen() -> bool:
        return await rig.committed() == 2

    await rig.consume(handler, both_seen)
    assert handler.calls == 1
    assert await rig.effects.count_documents({"event_id": event.id}) == 1


class FailsOn(Recorder):
    """Writes its effect, then fails on one event every time (a record it cannot handle)."""

    def __init__(self, event_id: str) -> None:
        super().__init__()
        self.event_id = event_id

    async def __call__(self, event: EventEnvelope[Any], tx: Transaction) -> None:
        await tx["effects"].insert_one({"event_id": event.id, "referral": event.subject})
        if event.id == self.event_id:
            raise ValueError("no such owner")


async def test_a_handler_that_keeps_failing_dead_letters_the_record_not_the_consumer(
    rig: Rig,
) -> None:
    poison, fine = event_for("ref-3"), event_for("ref-3")
    await rig.publish(to_record(poison), to_record(fine))

    async def fine_applied() -> bool:
        return await rig.effects.count_documents({"event_id": fine.id}) == 1

    await rig.consume(FailsOn(poison.id), fine_applied)
    [dead] = await rig.dead_letters(1)
    assert dict(dead.headers)["dlq-reason"] == b"handler-failed"
    assert dict(dead.headers)["ce_id"] == poison.id.encode()
    assert await rig.effects.count_documents({"event_id": poison.id}) == 0


async def test_a_batch_holding_a_record_that_cannot_be_handled_applies_every_other_once(
    rig: Rig,
) -> None:
    events = [event_for(f"ref-batch-{i % 6}") for i in range(40)]
    poison = events[23]
    await rig.publish(*(to_record(e) for e in events))  # waiting: taken in batches

    async def all_committed() -> bool:
        return await rig.committed() == len(events)

    await rig.consume(FailsOn(poison.id), all_committed)
    effects = await rig.effects.find({}, {"_id": 0, "event_id": 1}).to_list()
    # The failed batches' effects were rolled back; each other record's effect is there once.
    assert sorted(e["event_id"] for e in effects) == sorted(e.id for e in events if e != poison)
    [dead] = await rig.dead_letters(1)
    assert dict(dead.headers)["ce_id"] == poison.id.encode()
    # Per referral, effects in the order the records were written.
    order = [e["event_id"] for e in await rig.effects.find({}, sort=[("_id", 1)]).to_list()]
    for referral in {e.subject for e in events}:
        written = [e.id for e in events if e.subject == referral and e != poison]
        assert [i for i in order if i in written] == written


async def test_a_redrive_after_the_fix_applies_each_dead_letter_once(
    rig: Rig, capsys: pytest.CaptureFixture[str]
) -> None:
    poison, fine = event_for("ref-4"), event_for("ref-4")
    garbage: tuple[bytes, bytes, list[Any]] = (b"ref-4", b"\x00not an event", [])
    await rig.publish(to_record(poison), garbage, to_record(fine))

    async def fine_committed() -> bool:
        # Not the effect alone: it is visible a moment before the record is marked handled.
        return await rig.committed() == 3

    await rig.consume(Recorder(fail_times=3, error=ValueError), fine_committed)
    assert len(await rig.dead_letters(2)) == 2

    looked = await redrive(rig.settings, dry_run=True)
    assert (looked.republished, looked.counts) == (1, {"republish": 1, "unreadable": 1})
    assert await rig.published() == 3  # a dry run publishes nothing

    done = await redrive(rig.settings)  # the handler is fixed: the next Recorder never fails
    assert done.republished == 1
    fixed = Recorder()

    async def poison_applied() -> bool:
        return await rig.effects.count_documents({"event_id": poison.id}) == 1

    await rig.consume(fixed, poison_applied)
    assert fixed.calls == 1
    again = await redrive(rig.settings)
    assert (again.republished, again.counts) == (0, {"already-applied": 1, "unreadable": 1})
    assert await rig.effects.count_documents({}) == 2  # poison and fine, once each
    [back] = [r for r in await read_all(rig.settings.kafka_bootstrap_servers, rig.topic, 4)][3:]
    assert dict(back.headers)["ce_id"] == poison.id.encode()
    assert dict(back.headers)["redriven-from"].startswith(b"schakel.dlq.")
    assert "no schakel CloudEvents envelope" in capsys.readouterr().out


async def test_a_restarted_consumer_resumes_after_what_it_committed(rig: Rig) -> None:
    first = [event_for(f"ref-{i}") for i in range(5)]
    await rig.publish(*(to_record(e) for e in first))

    async def five() -> bool:
        return await rig.committed() == 5

    await rig.consume(Recorder(), five)
    await rig.publish(to_record(event_for("ref-later")))
    again = Recorder()

    async def six() -> bool:
        return await rig.committed() == 6

    await rig.consume(again, six)
    assert again.calls == 1  # only the new event: nothing was handled twice
    assert await rig.effects.count_documents({}) == 6


async def test_a_graceful_stop_finishes_the_batch_in_hand_and_takes_no_more(rig: Rig) -> None:
    events = [event_for("ref-stop") for _ in range(3)]
    await rig.publish(*(to_record(e) for e in events[:2]))
    gate = Gate(hold_call=1)
    consumer, broker = await rig.start_consumer(gate)
    try:
        await asyncio.wait_for(gate.holding.wait(), 30)
        stopping = asyncio.create_task(consumer.drain())
        await rig.publish(to_record(events[2]))  # arrives while stopping
        await asyncio.sleep(0.5)
        assert not stopping.done()  # it waits for the batch in hand
        gate.release.set()
        await asyncio.wait_for(stopping, 30)
    finally:
        await broker.stop()
    taken = gate.calls  # the batch in hand: the first record, or the first two
    assert taken in (1, 2)  # the third was not taken once stopping began
    assert await rig.committed() == taken  # what was in hand was finished and committed
    after_restart = Recorder()

    async def all_applied() -> bool:
        return await rig.effects.count_documents({}) == 3

    await rig.consume(after_restart, all_applied)
    assert after_restart.calls == 3 - taken  # the rest only: nothing handled twice
    applied = await rig.effects.distinct("event_id")
    assert sorted(applied) == sorted(e.id for e in events)


async def test_what_a_crash_left_uncommitted_comes_again_without_a_second_effect(
    rig: Rig,
) -> None:
    await rig.publish(*(to_record(event_for(f"ref-crash-{i}")) for i in range(5)))

    async def all_applied() -> bool:
        return await rig.effects.count_documents({}) == 5

    await rig.consume(Recorder(), all_applied, crash=True)
    duplicates = EVENTS_CONSUMED.labels(
        event_type=ReferralReceived.event_type(), outcome="duplicate"
    )
    seen_before = duplicates._value.get()
    assert await rig.committed() == 0  # the batch was still open at the crash
    second = Recorder()

    async def caught_up() -> bool:
        return await rig.committed() == 5

    await rig.consume(second, caught_up)
    assert second.calls == 0
    assert duplicates._value.get() > seen_before  # delivered again, absorbed by the marker
    assert await rig.effects.count_documents({}) == 5
