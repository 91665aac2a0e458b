"""Matching's handlers: it learns each referral's need from triage, and proposes support to
the owner only after the first conversation with the person's consent (using their wishes),
another offer after a decline (never the declined one), holding one place at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import MatchProposed, Offer, ReferralTriaged, Waitlisted
from schakel.contracts.lifecycle import (
    FirstConversationRecorded,
    ReferralClosed,
    ReferralRegraded,
    SupportDeclined,
)
from schakel.matching.adapters import MongoOffers, MongoProposals, OfferStore, ProposalStore
from schakel.matching.domain import Need, Outcome, Proposal, propose, without_places
from schakel.platform.consumer import Handler
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
    event: EventEnvelope[Any],
    need: Need,
    owner: str,
    offers: OfferStore,
    proposals: ProposalStore,
    emit: Emit,
) -> None:
    """Propose for ``need``: the place already held is kept (and announced again)."""
    referral_id = event.subject
    held = await proposals.held(referral_id)
    if held is not None:
        log.info("referral already holds a place", offer_id=held.offer.offer_id)
    outcome = held or await choose(need, offers)
    await proposals.record(referral_id, owner, need, outcome, event.id)
    emit(
        new_event(
            outcome_payload(referral_id, outcome), source=SOURCE, subject=referral_id, cause=event
        )
    )


async def learn_need(event: EventEnvelope[ReferralTriaged], proposals: ProposalStore) -> None:
    """Triage named the owner: remember the need; nothing is proposed before the owner has
    talked with the person."""
    need = need_of(event.data)
    if (known := await proposals.need(event.subject)) is not None:
        # Routed again (a rejection, a transfer): what the person said still holds.
        need = replace(need, wishes=known[1].wishes, excluded=known[1].excluded)
    await proposals.remember_need(event.subject, event.data.owner_organisation, need, event.id)


async def regrade(event: EventEnvelope[ReferralRegraded], proposals: ProposalStore) -> None:
    known = await proposals.need(event.subject)
    if known is not None:
        owner, need = known
        regraded = replace(need, grade=event.data.grade or need.grade, urgency=event.data.urgency)
        await proposals.remember_need(event.subject, owner, regraded, event.id)


async def after_conversation(
    event: EventEnvelope[FirstConversationRecorded],
    offers: OfferStore,
    proposals: ProposalStore,
    emit: Emit,
) -> None:
    """With consent, propose to the owner using the person's wishes; without, never."""
    conversation = event.data
    known = await proposals.need(event.subject)
    if not conversation.consents_to_support or known is None:
        log.info("nothing proposed", consent=conversation.consents_to_support, known=bool(known))
        return
    owner, need = known
    wished = replace(
        need,
        grade=conversation.grade or need.grade,
        consent_to_contact=True,  # given in the conversation, whatever the signal said
        wishes=tuple(dict.fromkeys(conversation.wishes.kinds)),
    )
    await match(event, wished, owner, offers, proposals, emit)


async def after_decline(
    event: EventEnvelope[SupportDeclined],
    offers: OfferStore,
    proposals: ProposalStore,
    emit: Emit,
) -> None:
    """The person said no: give the place back and propose another offer, never a declined
    one."""
    known = await proposals.need(event.subject)
    if known is None:
        return
    held = await proposals.held(event.subject)
    if held is not None:
        await offers.release_place(held.offer.offer_id)
        await proposals.release(event.subject)
    owner, need = known
    without = replace(need, excluded=need.excluded | set(event.data.declined_offers))
    await match(event, without, owner, offers, proposals, emit)


async def after_close(
    event: EventEnvelope[ReferralClosed], offers: OfferStore, proposals: ProposalStore
) -> None:
    """Closed before any support started: the place held for it is free again."""
    held = await proposals.held(event.subject)
    if held is not None and event.data.support_kind is None:
        await offers.release_place(held.offer.offer_id)
        await proposals.release(event.subject)


async def on_referral_triaged(event: EventEnvelope[Any], tx: Transaction) -> None:
    await learn_need(event, MongoProposals(tx))


async def on_regraded(event: EventEnvelope[Any], tx: Transaction) -> None:
    await regrade(event, MongoProposals(tx))


async def on_first_conversation(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_conversation(event, MongoOffers(tx), MongoProposals(tx), tx.emit)


async def on_support_declined(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_decline(event, MongoOffers(tx), MongoProposals(tx), tx.emit)


async def on_closed(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_close(event, MongoOffers(tx), MongoProposals(tx))


HANDLERS: dict[str, Handler] = {
    ReferralTriaged.event_name: on_referral_triaged,
    ReferralRegraded.event_name: on_regraded,
    FirstConversationRecorded.event_name: on_first_conversation,
    SupportDeclined.event_name: on_support_declined,
    ReferralClosed.event_name: on_closed,
}
