"""A person's rights over HTTP, addressed through one of their referrals (staff know the
referral, never a pseudonym): erasure, the data export (inzage) and contact details on need.
Who may call which is in ``privacy``; every call is a POST because each is recorded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from schakel.contracts.persons import ErasureReason, ReadPurpose
from schakel.intake import privacy
from schakel.intake.privacy_store import MongoPrivacyUnitOfWork, PrivacyRecords
from schakel.intake.routes import router
from schakel.intake.vault import Sealer
from schakel.platform.auth import Authenticated, Principal
from schakel.platform.dependencies import CorrelationId, Store

REQUEST_SECONDS = 5.0  # as for signals: someone is waiting
TAGS: list[str | Enum] = ["intake: a person's rights"]
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid token"},
    403: {"description": "The caller's role may never do this"},
    404: {"description": "No such referral, or not one the caller's organisation owns"},
}


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ErasureReason = Field(description="Why (a code: free text could name the person)")


class ContactDetailsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: ReadPurpose = Field(description="Why the owner needs to reach the person")


def _sealer(request: Request) -> Sealer:
    sealer: Sealer = request.app.state.sealer
    return sealer


VaultSealer = Annotated[Sealer, Depends(_sealer)]


async def _run(
    store: Store,
    work: Callable[[PrivacyRecords], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    try:
        return await MongoPrivacyUnitOfWork(store, within=REQUEST_SECONDS)(work)
    except privacy.Refused as refused:
        raise HTTPException(refused.status, refused.reason) from None


def _request(principal: Principal, referral_id: str, correlation_id: str) -> privacy.Request:
    caller = privacy.Caller(
        principal.username, principal.organisation, frozenset(r.value for r in principal.roles)
    )
    return privacy.Request(caller, referral_id, correlation_id, privacy.now())


@router.post(
    "/referrals/{referral_id}/person/erasure",
    tags=TAGS,
    summary="Erase the person behind a referral (AVG art. 17): their details can never be "
    "opened again; every service drops what it derived",
    responses=REFUSALS,
)
async def erase_person(
    referral_id: str,
    body: ErasureIn,
    principal: Authenticated,
    store: Store,
    correlation_id: CorrelationId,
) -> dict[str, Any]:
    """An administrator (on the person's request) or the owning organisation's staff. Asked
    again, it answers the first erasure (``new: false``) and changes nothing."""
    request = _request(principal, referral_id, correlation_id)
    return await _run(store, lambda records: privacy.erase(records, request, body.reason))


@router.post(
    "/referrals/{referral_id}/person/export",
    tags=TAGS,
    summary="What schakel holds about the person behind a referral (inzage, AVG art. 15)",
    responses=REFUSALS,
)
async def export_person(
    referral_id: str,
    principal: Authenticated,
    store: Store,
    sealer: VaultSealer,
    correlation_id: CorrelationId,
) -> dict[str, Any]:
    """An administrator or the owning organisation's staff; the purpose is implied (the
    person's request), and opening the details is recorded as a read."""
    request = _request(principal, referral_id, correlation_id)
    return await _run(store, lambda records: privacy.export(records, sealer, request))


@router.post(
    "/referrals/{referral_id}/person/contact-details",
    tags=TAGS,
    summary="The person's contact details, for the owner who must reach them (recorded)",
    responses={**REFUSALS, 410: {"description": "The person's details were erased"}},
)
async def read_contact_details(
    referral_id: str,
    body: ContactDetailsIn,
    principal: Authenticated,
    store: Store,
    sealer: VaultSealer,
    correlation_id: CorrelationId,
) -> dict[str, Any]:
    """Only the organisation that owns the referral now; each read is an event
    (``nl.schakel.person.contact-details-read.v1``) the audit keeps."""
    request = _request(principal, referral_id, correlation_id)
    return await _run(
        store, lambda records: privacy.contact_details(records, sealer, request, body.purpose)
    )
