"""Replay applies what has queued up for a service in one transaction: on a real
MongoDB-protocol server, every event of a batch takes effect once (a batch replayed again, as
after a resume, changes nothing), later events see the writes of earlier ones, and a failing
handler rolls its batch back and is then counted against its own event only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from schakel.audit.domain.chain import Position
from schakel.audit.rebuild import Target
from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.kafka_binding import read_raw, to_record
from schakel.platform.handling import Delivery, EventHandling
from schakel.platform.mongo import MongoStore, Transaction
from schakel.platform.readmodels import Replaying
from schakel.platform.settings import ServiceSettings
from tests import payloads

pytestmark = pytest.mark.integration

POISON = "referral-poison"
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def _count(event: EventEnvelope[Any], tx: Transaction) -> None:
    """Counts the events per referral, and records how many came before each one."""
    before = await tx["effects"].find_one({"_id": event.subject})
    seen = before["events"] if before else 0
    if event.subject == POISON:
        raise RuntimeError("this referral's events cannot be handled")
    await tx["effects"].update_one(
        {"_id": event.subject}, {"$set": {"events": seen + 1}}, upsert=True
    )


def _delivery(referral_id: str, offset: int) -> tuple[Position, Delivery]:
    event = new_event(payloads.triaged(referral_id), source="/test", subject=referral_id)
    key, value, headers = to_record(event)
    raw = read_raw(headers, value)
    return Position(AT, "t/0", offset), Delivery("t", 0, offset, key, tuple(headers), value, raw)


def _target(settings: ServiceSettings, store: MongoStore) -> Target:
    handling = EventHandling({"nl.schakel.referral.triaged": _count})
    return Target(Replaying(settings, handling, ()), store, store)


async def _effects(store: MongoStore) -> dict[str, int]:
    return {doc["_id"]: doc["events"] async for doc in store.db["effects"].find({})}


async def test_a_batch_takes_effect_once_each_in_order_even_when_replayed_again(
    settings: ServiceSettings, store: MongoStore
) -> None:
    batch = [_delivery("r1", 1), _delivery("r1", 2), _delivery("r2", 3), _delivery("r1", 4)]
    target = _target(settings, store)

    await target.apply_batch(batch)
    await target.apply_batch(batch)  # as a resume after a crash would

    assert await _effects(store) == {"r1": 3, "r2": 1}
    assert (target.tally.failed, target.tally.unreadable) == (0, 0)


async def test_a_failing_event_is_counted_alone_and_the_rest_of_its_batch_applied(
    settings: ServiceSettings, store: MongoStore
) -> None:
    batch = [_delivery("r1", 1), _delivery(POISON, 2), _delivery("r2", 3)]
    target = _target(settings, store)

    await target.apply_batch(batch)

    assert await _effects(store) == {"r1": 1, "r2": 1}
    assert (target.tally.applied, target.tally.failed) == (2, 1)
    assert target.tally.problems == [
        't/0#2: RuntimeError("this referral\'s events cannot be handled")'
    ]
