"""Feedback's process: follows every referral and answers two audiences: signalers holding a
receipt code (public, progress only) and the organisations that sent or own a referral."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response, status

from schakel.feedback.adapters import find_by_receipt, find_referral, prepare, referrals_of
from schakel.feedback.domain import (
    UNKNOWN_RECEIPT,
    ReferralState,
    receipt_hash,
    referral_view,
    signaler_view,
)
from schakel.feedback.handlers import HANDLERS
from schakel.platform.auth import Authenticated, Principal, Role
from schakel.platform.mongo import MongoStore
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings

# Receipt codes are short; anything much longer is not one (and is not hashed).
MAX_RECEIPT_LENGTH = 64
router = APIRouter(prefix="/api/v1", tags=["feedback"])


def _store(request: Request) -> MongoStore:
    store: MongoStore = request.app.state.runtime.store
    return store


@router.get(
    "/signals/{receipt}/status",
    responses={404: {"description": "Unknown receipt code, or not processed yet"}},
)
async def signal_status(request: Request, response: Response, receipt: str) -> dict[str, Any]:
    """Public: the progress of a signal, for whoever holds its receipt code. No login, and
    nothing about the person."""
    found = None
    if 0 < len(receipt) <= MAX_RECEIPT_LENGTH:
        found = await find_by_receipt(_store(request), receipt_hash(receipt))
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
async def referral(request: Request, principal: Authenticated, referral_id: str) -> dict[str, Any]:
    found = await find_referral(_store(request), referral_id)
    # Someone else's referral answers like a missing one: existence is not revealed.
    if found is None or not may_see(principal, found):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no referral {referral_id}")
    return referral_view(found, with_pseudonym=owns(principal, found))


@router.get("/referrals")
async def referrals(request: Request, principal: Authenticated) -> dict[str, Any]:
    """The referrals the principal's organisation sent or owns, newest first (at most 100)."""
    found = await referrals_of(_store(request), principal.organisation)
    return {
        "count": len(found),
        "referrals": [referral_view(s, with_pseudonym=owns(principal, s)) for s in found],
    }


class FeedbackSettings(ServiceSettings):
    service_name: str = "feedback"
    http_port: int = 8084


def settings() -> ServiceSettings:
    return FeedbackSettings()


def build(config: ServiceSettings | None = None) -> FastAPI:
    config = config or settings()
    runtime = ServiceRuntime(config, HANDLERS, on_start=prepare)
    return runtime.app("schakel feedback", [router])
