"""Matching's handler: propose support for each triaged referral, holding one place for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import MatchProposed, Offer, ReferralTriaged, Waitlisted
from schakel.matching.adapters import MongoOffers, MongoProposals, OfferStore, ProposalStore
from schakel.matching.domain import Need, Outcome, Proposal, propose, without_places
from schakel.platform.logging import get_logger
from schakel.platform.mongo import Transaction

SOURCE = "/schakel/matching"
Emit = Callable[[EventEnvelope[Any]], None]
log = get_logger(__name__)


def need_of(triaged: ReferralTriaged) -> Need:
    return Need(
        grade=triaged.grade,
        urgency=triaged.urgency,
        district=triaged.district,
        risk_groups=frozenset(triaged.risk_groups),
        kinds=frozenset(triaged.kinds),
        consent_to_contact=triaged.consent_to_contact,
        route=triaged.route,
    )


async def choose(need: Need, offers: OfferStore) -> Outcome:
    """Propose and hold a place; an offer whose last place went meanwhile counts as full.
    A walk-in offer holds nothing: it has no places and no waiting list.

    Ends: every failed reservation marks one more candidate full, until one succeeds or the
    proposal becomes a waitlist decision.
    """
    if need.grade is None:
        return propose(need, [])
    candidates = await offers.suiting_grade(need.grade)
    while True:
        outcome = propose(need, candidates)
        if not isinstance(outcome, Proposal):
            return outcome
        if outcome.offer.walk_in or await offers.reserve_place(outcome.offer.offer_id):
            return outcome
        candidates = without_places(candidates, outcome.offer.offer_id)


def outcome_payload(referral_id: str, outcome: Outcome) -> MatchProposed | Waitlisted:
    if isinstance(outcome, Proposal):
        offer = outcome.offer
        return MatchProposed(
            referral_id=referral_id,
            offer=Offer(
                kind=offer.kind,
                offer_id=offer.offer_id,
                title=offer.title,
                provider_organisation=offer.provider_organisation,
                district=offer.district,
            ),
            score=outcome.score,
            reasons=list(outcome.reasons),
        )
    return Waitlisted(referral_id=referral_id, wanted=list(outcome.wanted), reason=outcome.reason)


async def match(
    event: EventEnvelope[ReferralTriaged],
    offers: OfferStore,
    proposals: ProposalStore,
    emit: Emit,
) -> None:
    triaged = event.data
    need = need_of(triaged)
    # A referral holds at most one place: triaged again, it keeps (and re-announces) it.
    held = await proposals.held(triaged.referral_id)
    if held is not None:
        log.info("referral already holds a place", offer_id=held.offer.offer_id)
    outcome = held or await choose(need, offers)
    await proposals.record(triaged.referral_id, triaged.owner_organisation, need, outcome, event.id)
    payload = outcome_payload(triaged.referral_id, outcome)
    emit(new_event(payload, source=SOURCE, subject=event.subject, cause=event))


async def on_referral_triaged(event: EventEnvelope[Any], tx: Transaction) -> None:
    await match(event, MongoOffers(tx), MongoProposals(tx), tx.emit)
