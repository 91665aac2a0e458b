"""Feedback's HTTP adapter. Two audiences: signalers holding a receipt code (public, progress
only) and the organisations that sent or own a referral."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from fastapi.responses import JSONResponse

from schakel.feedback.adapters import find_by_receipt, find_referral, referrals_of
from schakel.feedback.domain import ReferralState, receipt_hash
from schakel.feedback.fhir import FHIR_JSON, fhir_task, not_found
from schakel.feedback.receipts import followed_by
from schakel.feedback.views import UNKNOWN_RECEIPT, referral_view, signaler_view
from schakel.platform.auth import Authenticated, Principal, Role
from schakel.platform.dependencies import Store

# Receipt codes are short; anything much longer is not one (and is not hashed).
MAX_RECEIPT_LENGTH = 64
router = APIRouter(prefix="/api/v1", tags=["feedback"])


@router.get(
    "/signals/{receipt}/status",
    responses={404: {"description": "Unknown receipt code, or not processed yet"}},
)
async def signal_status(store: Store, response: Response, receipt: str) -> dict[str, Any]:
    """Public: the progress of a signal, for whoever holds its receipt code. No login, and
    nothing about the person."""
    found = None
    if 0 < len(receipt) <= MAX_RECEIPT_LENGTH:
        hashed = receipt_hash(receipt)
        # A signal that joined the open referral of the same person follows that referral.
        found = await find_by_receipt(store, hashed) or await followed_by(store, hashed)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, UNKNOWN_RECEIPT)
    response.headers["Cache-Control"] = "no-store"
    return signaler_view(found, receipt)


def owns(principal: Principal, state: ReferralState) -> bool:
    return principal.has(Role.AUDITOR) or principal.organisation == state.owner_organisation


def may_see(principal: Principal, state: ReferralState) -> bool:
    """The organisation that sent the referral, the one that owns it, and auditors."""
    if principal.has(Role.AUDITOR):
        return True
    return principal.organisation in (state.referrer_organisation, state.owner_organisation)


@router.get("/referrals/{referral_id}")
async def referral(store: Store, principal: Authenticated, referral_id: str) -> dict[str, Any]:
    found = await find_referral(store, referral_id)
    # Someone else's referral answers like a missing one: existence is not revealed.
    if found is None or not may_see(principal, found):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no referral {referral_id}")
    return referral_view(found, with_pseudonym=owns(principal, found))


@router.get("/referrals")
async def referrals(store: Store, principal: Authenticated) -> dict[str, Any]:
    """The referrals the principal's organisation sent or owns, newest first (at most 100)."""
    found = await referrals_of(store, principal.organisation)
    return {
        "count": len(found),
        "referrals": [referral_view(s, with_pseudonym=owns(principal, s)) for s in found],
    }


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


@router.get(
    "/fhir/Task/{referral_id}",
    response_class=FhirResponse,
    responses={
        200: {"content": {FHIR_JSON: {}}, "description": "The referral as a FHIR R4 Task"},
        404: {
            "content": {FHIR_JSON: {}},
            "description": "No such referral, or not one your organisation sent (an "
            "OperationOutcome)",
        },
    },
    summary="A referral you sent, as a FHIR R4 Task",
)
async def fhir_task_of(store: Store, principal: Authenticated, referral_id: str) -> FhirResponse:
    """For the organisation that sent the referral (a GP practice, a signalling partner):
    status and business status, who owns it and who accepted it (organisation, name and
    role), the support started and the outcome. ``basedOn`` and ``focus`` name the
    referral's ``ServiceRequest``; no personal details."""
    found = await find_referral(store, referral_id)
    if found is None or found.referrer_organisation != principal.organisation:
        return FhirResponse(not_found(referral_id), status_code=status.HTTP_404_NOT_FOUND)
    return FhirResponse(fhir_task(found), headers={"Cache-Control": "no-store"})
