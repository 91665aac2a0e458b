"""One person, one open referral, inside intake's unit of work: a new signal becomes a
referral of its own, attaches to the open referral of the same person, or waits for that
referral's owner to say whether it is the same person (see ``duplicates`` for the rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from schakel.contracts.envelope import EventEnvelope, EventPayload, new_event
from schakel.contracts.events import DuplicateSuspected, ReferralReceived, SignalAttached
from schakel.intake.adapters import IntakeRecords
from schakel.intake.domain import Accepted
from schakel.intake.duplicates import BlindIndex, Match, PersonKeys, Verdict, best, features
from schakel.intake.person_index import EntryState, IndexEntry
from schakel.platform.logging import get_logger

log = get_logger(__name__)
SOURCE = "/schakel/intake"


@dataclass(frozen=True)
class Found:
    """The open referral a new signal is about (surely or perhaps), and why."""

    referral_id: str
    match: Match


def person_keys(index: BlindIndex, person: dict[str, Any]) -> PersonKeys:
    """The person's details as the vault keeps them, hashed for the blind index."""
    born = person.get("date_of_birth")
    return index.blind(
        features(
            person.get("name", ""),
            postcode=person.get("postcode"),
            street_address=person.get("street_address"),
            phone=person.get("phone"),
            birth_date=date.fromisoformat(born) if born else None,
        )
    )


async def find_open(records: IntakeRecords, keys: PersonKeys) -> Found | None:
    """The open referral the person already has, if the rule finds one."""
    found = best(keys, await records.open_candidates(keys.blocks))
    return None if found is None else Found(*found)


def second_signal(accepted: Accepted, found: Found) -> dict[str, Any]:
    """What both events about a second signal carry: never a personal detail."""
    received = accepted.event
    return {
        "referral_id": found.referral_id,
        "signal_id": accepted.referral_id,
        "receipt_hash": received.receipt_hash,
        "channel": received.channel,
        "signaler": received.signaler,
        "observations": received.observations,
        "matched_on": list(found.match.matched_on),
    }


async def file_signal(
    records: IntakeRecords,
    accepted: Accepted,
    keys: PersonKeys,
    found: Found | None,
    correlation_id: str,
) -> None:
    """Emit what the signal became and keep its index entry (none for an attached one: the
    referral it joined has its own)."""
    verdict = Verdict.DIFFERENT if found is None else found.match.verdict
    if found is not None and verdict is Verdict.SAME:
        attached = SignalAttached(**second_signal(accepted, found), attached_at=datetime.now(UTC))
        await records.join(accepted.referral_id, found.referral_id)
        _emit(records, attached, found.referral_id, correlation_id)
    elif found is not None and verdict is Verdict.UNCERTAIN:
        held = IndexEntry(
            entry_id=accepted.referral_id,
            pseudonym=accepted.pseudonym,
            keys=keys,
            state=EntryState.HELD,
            suspected_of=found.referral_id,
            received=accepted.event.model_dump(mode="json"),
            correlation_id=correlation_id,
            matched_on=found.match.matched_on,
        )
        await records.index(held)
        suspected = DuplicateSuspected(
            **second_signal(accepted, found), suspected_at=datetime.now(UTC)
        )
        _emit(records, suspected, found.referral_id, correlation_id)
    else:
        await records.index(IndexEntry(accepted.referral_id, accepted.pseudonym, keys))
        _emit(records, accepted.event, accepted.referral_id, correlation_id)
    log.info("signal filed", signal_id=accepted.referral_id, verdict=verdict.value)


async def release(
    records: IntakeRecords, held: IndexEntry, cause: EventEnvelope[Any] | None = None
) -> None:
    """A held signal becomes a referral of its own, triaged as usual (the owner said it is
    someone else, or the referral it was suspected of closed before an answer)."""
    if held.received is None:
        raise ValueError(f"{held.entry_id} is not a held signal")
    received = ReferralReceived.model_validate(held.received)
    await records.open_entry(held.entry_id)
    event = new_event(
        received, source=SOURCE, subject=held.entry_id, correlation_id=held.correlation_id
    )
    if cause is not None:
        event = event.model_copy(update={"causationid": cause.id})
    records.emit(event)
    log.info("held signal released", signal_id=held.entry_id)


def _emit(records: IntakeRecords, payload: EventPayload, subject: str, correlation: str) -> None:
    records.emit(new_event(payload, source=SOURCE, subject=subject, correlation_id=correlation))
