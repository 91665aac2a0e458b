"""The outbox relay's crash window, made to happen on the real servers: a relay dies after
Kafka acknowledged its batch and before it removed the rows. The relay of the restarted
process publishes the same rows again, and the consumer applies each event once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from schakel.contracts.events import ReferralReceived
from schakel.contracts.kafka_binding import from_record
from schakel.platform.kafka import idempotent_producer
from schakel.platform.metrics import EVENTS_CONSUMED
from schakel.platform.mongo import OUTBOX, MongoStore, Transaction
from schakel.platform.outbox import MongoOutboxRows, OutboxRelay
from tests.integration.rig import Recorder, Rig, event_for, read_all
from tests.integration.test_platform import retarget

pytestmark = pytest.mark.integration
EVENTS = 6


class ProcessDied(BaseException):
    """What a SIGKILL does to the relay: nothing after this point runs (not an Exception, so
    no handler of the relay's own can catch it)."""


class DiesBeforeRemoving(MongoOutboxRows):
    async def remove(self, ids: Sequence[Any]) -> None:
        raise ProcessDied(f"killed with {len(ids)} rows published and not yet removed")


async def test_a_relay_killed_between_publishing_and_removing_has_each_event_applied_once(
    rig: Rig, store: MongoStore, producer: AIOKafkaProducer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Transaction, "write_outbox", retarget(rig.topic))
    events = [event_for(f"ref-window-{n % 2}") for n in range(EVENTS)]

    async def work(tx: Transaction) -> None:
        for event in events:
            tx.emit(event)

    await store.transaction(work)
    dying = OutboxRelay(store, producer, rows=DiesBeforeRemoving(store))
    with pytest.raises(ProcessDied):
        await dying.relay_once()
    assert await rig.published() == EVENTS  # the broker has every one of them
    assert await store.db[OUTBOX].count_documents({}) == EVENTS  # and the rows are still there

    restarted = idempotent_producer(rig.settings)  # a new process: a new producer id
    await restarted.start()
    try:
        assert await OutboxRelay(store, restarted).relay_once() == EVENTS
    finally:
        await restarted.stop()
    assert await store.db[OUTBOX].count_documents({}) == 0
    assert await rig.published() == 2 * EVENTS  # each event is on the topic twice
    records = await read_all(rig.settings.kafka_bootstrap_servers, rig.topic, 2 * EVENTS)
    ids = [from_record(r.headers, r.value).id for r in records]
    assert sorted(ids) == sorted([e.id for e in events] * 2)

    duplicates = EVENTS_CONSUMED.labels(
        event_type=ReferralReceived.event_type(), outcome="duplicate"
    )
    before = duplicates._value.get()
    handler = Recorder()

    async def every_copy_seen() -> bool:
        return await rig.committed() == 2 * EVENTS

    await rig.consume(handler, every_copy_seen)
    assert handler.calls == EVENTS  # one effect per event
    applied = await rig.effects.distinct("event_id")
    assert sorted(applied) == sorted(e.id for e in events)
    assert duplicates._value.get() - before == EVENTS  # every second copy absorbed by its marker
