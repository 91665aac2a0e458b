"""Intake's command handlers: accept a signal or a prescription in one transaction
(vault + referral + idempotency key + outbox event)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from schakel.contracts.envelope import new_event
from schakel.intake import adapters
from schakel.intake.domain import Accepted, Intake, accept
from schakel.intake.vault import PersonVault, Sealer
from schakel.platform.logging import get_logger
from schakel.platform.mongo import MongoStore, Transaction

log = get_logger(__name__)
SOURCE = "/schakel/intake"
# How long a signaler's request may wait for the database before hearing "try again" (503):
# the same as the client's server selection timeout, well below usual HTTP client timeouts.
REQUEST_SECONDS = 5.0
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
    store: MongoStore,
    sealer: Sealer,
    submission: Submission,
    respond: Callable[[Accepted], Response],
) -> tuple[Response, bool]:
    """Accept once; (response, True) when new, the first response again for a retried key."""
    if (earlier := await _earlier(store, submission.idempotency)) is not None:
        return earlier, False
    try:
        response = await store.transaction(
            lambda tx: _accept(tx, sealer, submission, respond), within=REQUEST_SECONDS
        )
    except DuplicateKeyError:
        # A concurrent retry with the same key won the race: answer as it did.
        if (earlier := await _earlier(store, submission.idempotency)) is not None:
            return earlier, False
        raise
    return response, True


async def _earlier(store: MongoStore, idem: Idempotency | None) -> Response | None:
    if idem is None:
        return None
    found = await adapters.remembered_response(store, idem.key_id)
    if found is None:
        return None
    if found["fingerprint"] != idem.fingerprint:
        raise IdempotencyConflict("Idempotency-Key was already used with a different request")
    response: Response = found["response"]
    return response


async def _accept(
    tx: Transaction, sealer: Sealer, submission: Submission, respond: Callable[[Accepted], Response]
) -> Response:
    accepted = accept(submission.intake)
    response = respond(accepted)
    if submission.idempotency is not None:
        idem = submission.idempotency
        await adapters.remember_response(tx, idem.key_id, idem.fingerprint, response)
    details = {**submission.person, "note": submission.note}
    await PersonVault(tx.db, sealer).keep(accepted.pseudonym, details, tx.session)
    await adapters.record_referral(
        tx,
        {
            "_id": accepted.referral_id,
            "pseudonym": accepted.pseudonym,
            "receipt_hash": accepted.event.receipt_hash,
            "channel": accepted.event.channel.value,
            "referrer_organisation": accepted.event.signaler.organisation,
            "received_at": datetime.now(UTC),
        },
    )
    tx.emit(
        new_event(
            accepted.event,
            source=SOURCE,
            subject=accepted.referral_id,
            correlation_id=submission.correlation_id,
        )
    )
    log.info(
        "referral accepted", referral_id=accepted.referral_id, channel=accepted.event.channel.value
    )
    return response
