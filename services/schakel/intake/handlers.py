"""Intake's command handler: accept a signal or a prescription in one unit of work (sealed
person, referral, the answer kept for its Idempotency-Key, and the received event)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from schakel.contracts.envelope import new_event
from schakel.contracts.receipts import receipt_hash
from schakel.intake.adapters import (
    IntakeRecords,
    IntakeUnitOfWork,
    KeyAlreadyUsed,
    ReferralRecord,
    Remembered,
)
from schakel.intake.attach import file_signal, find_open, person_keys
from schakel.intake.domain import Accepted, Intake, accept
from schakel.intake.duplicates import BlindIndex, Verdict
from schakel.intake.vault import Sealer
from schakel.platform.logging import get_logger

log = get_logger(__name__)
SOURCE = "/schakel/intake"
Response = dict[str, Any]


class IdempotencyConflict(ValueError):
    """The same Idempotency-Key came with a different request body."""


@dataclass(frozen=True)
class Idempotency:
    key_id: str
    fingerprint: str


@dataclass(frozen=True)
class Submission:
    intake: Intake
    person: dict[str, Any]
    note: str | None
    correlation_id: str
    idempotency: Idempotency | None = None


async def submit(
    uow: IntakeUnitOfWork,
    sealer: Sealer,
    submission: Submission,
    respond: Callable[[Accepted], Response],
    index: BlindIndex | None = None,
) -> tuple[Response, bool]:
    """Accept once; (response, True) when new, the first response again for a retried key.
    With a blind ``index`` a signal about someone with an open referral attaches to it."""
    try:
        return await uow(lambda records: _accept_once(records, sealer, submission, respond, index))
    except KeyAlreadyUsed:
        # A concurrent retry with the same key committed first: answer as it did.
        earlier = await uow(lambda records: _earlier(records, submission.idempotency))
        if earlier is None:
            raise
        return earlier, False


async def accept_in(
    records: IntakeRecords,
    sealer: Sealer,
    submission: Submission,
    respond: Callable[[Accepted], Response],
    index: BlindIndex | None = None,
) -> tuple[Response, bool]:
    """As ``submit``, inside a unit of work already open (a consumed message's)."""
    return await _accept_once(records, sealer, submission, respond, index)


async def _accept_once(
    records: IntakeRecords,
    sealer: Sealer,
    submission: Submission,
    respond: Callable[[Accepted], Response],
    index: BlindIndex | None,
) -> tuple[Response, bool]:
    if (earlier := await _earlier(records, submission.idempotency)) is not None:
        return earlier, False
    return await _accept(records, sealer, submission, respond, index), True


async def _earlier(records: IntakeRecords, idem: Idempotency | None) -> Response | None:
    if idem is None:
        return None
    found = await records.remembered(idem.key_id)
    if found is None:
        return None
    if found.fingerprint != idem.fingerprint:
        raise IdempotencyConflict("Idempotency-Key was already used with a different request")
    return found.response


async def _accept(
    records: IntakeRecords,
    sealer: Sealer,
    submission: Submission,
    respond: Callable[[Accepted], Response],
    index: BlindIndex | None,
) -> Response:
    accepted = accept(submission.intake)
    keys = None if index is None else person_keys(index, submission.person)
    found = None if keys is None else await find_open(records, keys)
    # A signal that attaches answers with the referral it joined (its own receipt stays).
    if found is not None and found.match.verdict is Verdict.SAME:
        response = respond(replace(accepted, referral_id=found.referral_id))
    else:
        response = respond(accepted)
    if (idem := submission.idempotency) is not None:
        await records.remember(idem.key_id, Remembered(idem.fingerprint, response))
    details = {**submission.person, "note": submission.note}
    await records.keep_person(sealer.seal(accepted.pseudonym, details))
    event = accepted.event
    await records.add_referral(
        ReferralRecord(
            referral_id=accepted.referral_id,
            pseudonym=accepted.pseudonym,
            receipt_hash=receipt_hash(accepted.receipt),
            channel=event.channel.value,
            referrer_organisation=event.signaler.organisation,
            received_at=event.received_at,
        )
    )
    if keys is not None:
        await file_signal(records, accepted, keys, found, submission.correlation_id)
    else:
        records.emit(
            new_event(
                event,
                source=SOURCE,
                subject=accepted.referral_id,
                correlation_id=submission.correlation_id,
            )
        )
    log.info("referral accepted", referral_id=accepted.referral_id, channel=event.channel.value)
    return response
