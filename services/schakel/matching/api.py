"""Matching's HTTP adapter: the offer registry for social brokers, the municipality and
auditors, and what matching proposed for a referral."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from schakel.contracts.vocabulary import Grade, OfferKind
from schakel.matching.adapters import find_proposal, list_offers
from schakel.platform.auth import Authenticated, Principal, Role, require_role
from schakel.platform.dependencies import Store

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
    return principal.has(Role.AUDITOR) or principal.organisation == proposal["owner_organisation"]


@router.get("/proposals/{referral_id}")
async def proposal(store: Store, principal: Authenticated, referral_id: str) -> dict[str, Any]:
    """What matching proposed for a referral, with its reasons: for the owner and auditors."""
    require_role(principal, *READERS)
    found = await find_proposal(store, referral_id)
    # Someone else's referral answers like a missing one: existence is not revealed.
    if found is None or not _may_see(principal, found):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no proposal for referral {referral_id}")
    return {k: v for k, v in found.items() if k != "_id"}
