"""What intake reads back from the referral topic: which referrals are still open, and the
owners' answers about suspected duplicates. Each runs in the platform consumer's unit of work
(applied once per event id; what fails is retried, then dead-lettered)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import DuplicateConfirmed, DuplicateRejected, SignalAttached
from schakel.contracts.lifecycle import ReferralClosed
from schakel.intake.adapters import IntakeRecords, MongoIntakeRecords
from schakel.intake.attach import SOURCE, release
from schakel.intake.person_index import EntryState, IndexEntry
from schakel.platform.consumer import Handler
from schakel.platform.logging import get_logger
from schakel.platform.mongo import Transaction

log = get_logger(__name__)


async def closed(event: EventEnvelope[Any], records: IntakeRecords) -> None:
    """A closed referral is matched no more (its hashes go); signals still waiting for an
    answer about it become referrals of their own."""
    referral_id = event.data.referral_id
    await records.unindex(referral_id)
    for held in await records.held_for(referral_id):
        await release(records, held, cause=event)


async def _held(records: IntakeRecords, event: EventEnvelope[Any]) -> IndexEntry | None:
    """The signal an owner answered about, while it still waits (an answer to a signal
    already released or attached changes nothing)."""
    entry = await records.index_entry(event.data.signal_id)
    waiting = entry is not None and entry.state is EntryState.HELD
    if not waiting or entry is None or entry.suspected_of != event.data.referral_id:
        log.info("duplicate answer about no waiting signal", signal_id=event.data.signal_id)
        return None
    return entry


async def confirmed(event: EventEnvelope[Any], records: IntakeRecords) -> None:
    """The owner says it is the same person: the held signal joins the referral."""
    held = await _held(records, event)
    if held is None or held.received is None:
        return
    received = held.received
    attached = SignalAttached(
        referral_id=event.data.referral_id,
        signal_id=held.entry_id,
        receipt_hash=received["receipt_hash"],
        channel=received["channel"],
        signaler=received["signaler"],
        observations=received["observations"],
        matched_on=list(held.matched_on),
        confirmed_by_owner=True,
        attached_at=datetime.now(UTC),
    )
    await records.unindex(held.entry_id)
    await records.join(held.entry_id, event.data.referral_id)
    records.emit(new_event(attached, source=SOURCE, subject=event.subject, cause=event))


async def rejected(event: EventEnvelope[Any], records: IntakeRecords) -> None:
    """The owner says it is someone else: the held signal goes its own way."""
    held = await _held(records, event)
    if held is not None:
        await release(records, held, cause=event)


def _on(work: Any) -> Handler:
    async def handle(event: EventEnvelope[Any], tx: Transaction) -> None:
        await work(event, MongoIntakeRecords(tx))

    return handle


HANDLERS: dict[str, Handler] = {
    ReferralClosed.event_name: _on(closed),
    DuplicateConfirmed.event_name: _on(confirmed),
    DuplicateRejected.event_name: _on(rejected),
}
