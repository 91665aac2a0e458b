"""Matching's HTTP adapter: the offer registry for social brokers, the municipality and
auditors, what matching proposed for a referral, and the registry of helpers the providers'
coordinators keep: they register, change, stop and list their own organisation's buddies,
home cooks and activities; each change is an event on ``schakel.helper-events``, and another
organisation's helper answers like a missing one."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, status
from pydantic import BaseModel, Field

from schakel.contracts.events import HelperProfile
from schakel.contracts.persons import ReferralView
from schakel.contracts.vocabulary import Grade, OfferKind
from schakel.matching.adapters import MongoProposals, find_proposal, list_offers
from schakel.matching.domain.helpers import AnyHelper
from schakel.matching.domain.matches import MatchTerm
from schakel.matching.domain.registry import Refused, register, stop, update
from schakel.matching.handlers import SOURCE, renew, waitlist_rematch
from schakel.matching.helper_store import MongoHelpers, profile_of
from schakel.matching.registry import Decide, change_helper
from schakel.platform.auth import Authenticated, Principal, Role, require_role
from schakel.platform.dependencies import CorrelationId, RecordView, Store
from schakel.platform.mongo import MongoStore, Transaction

READERS = (Role.SOCIAAL_MAKELAAR, Role.GEMEENTE, Role.AUDITOR)
router = APIRouter(prefix="/api/v1", tags=["matching"])


@router.get("/offers")
async def offers(
    store: Store,
    principal: Authenticated,
    kind: OfferKind | None = None,
    district: Annotated[str | None, Query(description="Offers in this district")] = None,
    grade: Annotated[Grade | None, Query(description="Offers that suit this grade")] = None,
    include_city_wide: Annotated[
        bool, Query(description="With a district: also the city-wide offers")
    ] = True,
) -> dict[str, Any]:
    """The offer registry with places left (no personal data: cooks appear as id and PC4)."""
    require_role(principal, *READERS)
    found = await list_offers(store, kind, district, grade, include_city_wide)
    return {"count": len(found), "offers": found}


def _may_see(principal: Principal, proposal: dict[str, Any]) -> bool:
    owner = proposal.get("owner_organisation")  # None: only the person is known yet
    return principal.has(Role.AUDITOR) or (owner is not None and principal.organisation == owner)


@router.get("/proposals/{referral_id}")
async def proposal(
    store: Store, principal: Authenticated, referral_id: str, record: RecordView
) -> dict[str, Any]:
    """What matching proposed for a referral, with its reasons: for the owner and auditors.
    Opening it is recorded (``nl.schakel.referral.viewed.v1``, once per account and day)."""
    require_role(principal, *READERS)
    found = await find_proposal(store, referral_id)
    # Someone else's referral answers like a missing one: existence is not revealed.
    if found is None or not _may_see(principal, found):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no proposal for referral {referral_id}")
    await record(principal, referral_id, ReferralView.PROPOSAL, source=SOURCE)
    return {k: v for k, v in found.items() if k != "_id"}


REQUEST_SECONDS = 5.0


class Registration(BaseModel):
    helper_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="The provider's own pseudonymous id; a new one is made when absent",
    )
    profile: HelperProfile


def view(helper: AnyHelper) -> dict[str, Any]:
    return {
        "helper_id": helper.helper_id,
        "organisation": helper.organisation,
        "status": helper.status.value,
        "in_use": helper.in_use,
        "free": helper.free,
        "profile": profile_of(helper).model_dump(mode="json"),
    }


def _coordinator(principal: Principal) -> str:
    require_role(principal, Role.PROVIDER_COORDINATOR)
    return principal.organisation


async def _change(
    store: MongoStore, helper_id: str, decide: Decide, correlation_id: str
) -> dict[str, Any]:
    async def work(tx: Transaction) -> AnyHelper | Refused:
        helpers = MongoHelpers(tx)
        # Capacity may have appeared: the waitlist is matched again in the same unit of work.
        rematch = waitlist_rematch(tx, helpers)
        return await change_helper(helpers, helper_id, decide, tx.emit, correlation_id, rematch)

    done = await store.transaction(work, within=REQUEST_SECONDS)
    if isinstance(done, Refused):
        raise HTTPException(done.status, done.reason)
    return view(done)


@router.post("/helpers", status_code=status.HTTP_201_CREATED)
async def register_helper(
    store: Store, principal: Authenticated, correlation_id: CorrelationId, body: Registration
) -> dict[str, Any]:
    """Register a buddy, a home cook or an activity of the caller's organisation."""
    organisation = _coordinator(principal)
    helper_id = body.helper_id or f"helper-{uuid.uuid4().hex[:12]}"
    return await _change(
        store,
        helper_id,
        lambda e: register(e, helper_id, organisation, body.profile),
        correlation_id,
    )


@router.put("/helpers/{helper_id}")
async def update_helper(
    store: Store,
    principal: Authenticated,
    correlation_id: CorrelationId,
    helper_id: str,
    profile: Annotated[HelperProfile, Body()],
) -> dict[str, Any]:
    """Replace a helper's profile; places already in use stay in use."""
    organisation = _coordinator(principal)
    return await _change(
        store, helper_id, lambda e: update(e, helper_id, organisation, profile), correlation_id
    )


@router.post("/helpers/{helper_id}/stop")
async def stop_helper(
    store: Store, principal: Authenticated, correlation_id: CorrelationId, helper_id: str
) -> dict[str, Any]:
    """The helper stops: never proposed again."""
    organisation = _coordinator(principal)
    return await _change(
        store, helper_id, lambda e: stop(e, helper_id, organisation), correlation_id
    )


@router.post("/helpers/{helper_id}/matches/{referral_id}/renew")
async def renew_match(
    store: Store,
    principal: Authenticated,
    correlation_id: CorrelationId,
    helper_id: str,
    referral_id: str,
) -> dict[str, Any]:
    """Renew the helper's match with a referral for one more term (a buddy match runs a
    year and may be renewed once); 409 when it may not be renewed."""
    organisation = _coordinator(principal)

    async def work(tx: Transaction) -> MatchTerm | Refused:
        ids = (helper_id, referral_id)
        helpers, proposals = MongoHelpers(tx), MongoProposals(tx)
        return await renew(helpers, proposals, ids, organisation, tx.emit, correlation_id)

    term = await store.transaction(work, within=REQUEST_SECONDS)
    if isinstance(term, Refused):
        raise HTTPException(term.status, term.reason)
    return {
        "helper_id": helper_id,
        "referral_id": referral_id,
        "start": term.start,
        "end": term.end,
        "renewals_left": term.renewals_left,
    }


@router.get("/helpers")
async def list_helpers(store: Store, principal: Authenticated) -> dict[str, Any]:
    """The caller's organisation's helpers, stopped ones too."""
    organisation = _coordinator(principal)

    async def read(tx: Transaction) -> list[AnyHelper]:
        return await MongoHelpers(tx).of_organisation(organisation)

    found = await store.transaction(read, within=REQUEST_SECONDS)
    return {"count": len(found), "helpers": [view(h) for h in found]}
