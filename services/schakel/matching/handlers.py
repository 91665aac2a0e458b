"""Matching's handlers: it learns each referral's need from triage, and proposes support to
the owner only after the first conversation with the person's consent (using their wishes),
another offer after a decline (never the declined one), holding one place at a time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import (
    HelperRegistered,
    HelperStopped,
    HelperUpdated,
    MatchProposed,
    Offer,
    ReferralTriaged,
    Waitlisted,
)
from schakel.contracts.lifecycle import (
    FirstConversationRecorded,
    ReferralClosed,
    ReferralRegraded,
    SupportDeclined,
)
from schakel.contracts.vocabulary import MealDiet
from schakel.matching.adapters import MongoOffers, MongoProposals, OfferStore, ProposalStore
from schakel.matching.domain import (
    Need,
    Outcome,
    Proposal,
    WaitlistDecision,
    propose,
    without_places,
)
from schakel.matching.domain import (
    Offer as OfferInRegistry,
)
from schakel.matching.domain.assignment import Match, first_in_line, propose_best
from schakel.matching.domain.helpers import AnyHelper, Buddy, HomeCook
from schakel.matching.domain.table import HelperTable
from schakel.matching.helper_store import HelperStore, MongoHelpers
from schakel.matching.postcodes import districts
from schakel.matching.registry import apply_change
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


def as_offer(helper: AnyHelper, places_left: int) -> OfferInRegistry:
    """A registered helper as the offer a proposal names (the owner sees the helper's kind,
    organisation and area, never a person)."""
    area = helper.location.pc4 if helper.location else None
    if isinstance(helper, Buddy):
        title = f"Maatje ({helper.buddy_type.value})" + (f" in {area}" if area else "")
    elif isinstance(helper, HomeCook):
        title = f"Thuisgekookt: thuiskok in {area}, {helper.meals_per_week} maaltijden per week"
    else:
        title = helper.title
    return OfferInRegistry(
        offer_id=helper.helper_id,
        kind=helper.kind,
        title=title,
        provider_organisation=helper.organisation,
        district=helper.district or (districts().get(area) if area else None),
        grades=helper.grades,
        places_left=places_left,
        maatje_type=helper.buddy_type if isinstance(helper, Buddy) else None,
        postcode_area=area,
        meals_per_week=helper.meals_per_week if isinstance(helper, HomeCook) else None,
        source="registry of " + helper.organisation,
    )


async def choose_helper(need: Need, helpers: HelperStore, now: datetime) -> Proposal | str:
    """The best registered helper, with a place taken; else why none fits (the constraint
    that bound). Ends: each failed take drops one candidate."""
    candidates = await helpers.active()
    while True:
        outcome = propose_best(need, HelperTable.of(candidates), now)
        if not isinstance(outcome, Match):
            return outcome.reason
        helper = outcome.helper
        if await helpers.take_place(helper.helper_id):
            offer = as_offer(helper, helper.free - 1)
            return Proposal(offer=offer, score=max(outcome.score, 0.0), reasons=outcome.reasons)
        candidates = [c for c in candidates if c.helper_id != helper.helper_id]


async def choose(
    need: Need, offers: OfferStore, helpers: HelperStore | None = None, now: datetime | None = None
) -> Outcome:
    """Propose and hold a place: a registered helper first (issue 12), else an offer of the
    Table 1 registry; an offer whose last place went meanwhile counts as full. A walk-in
    offer holds nothing: it has no places and no waiting list. ``now``: the time of the event
    that asks (waiting time counts up to it, so replay scores alike); default the clock.

    Ends: every failed reservation marks one more candidate full, until one succeeds or the
    proposal becomes a waitlist decision.
    """
    if need.grade is None:
        return propose(need, [])
    why_no_helper = None
    if helpers is not None:
        found = await choose_helper(need, helpers, now or datetime.now(UTC))
        if isinstance(found, Proposal):
            return found
        why_no_helper = found
    candidates = await offers.suiting_grade(need.grade)
    while True:
        outcome = propose(need, candidates)
        if isinstance(outcome, WaitlistDecision) and why_no_helper is not None:
            return replace(outcome, reason=f"{outcome.reason}; registered helpers: {why_no_helper}")
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
    helpers: HelperStore | None = None,
) -> None:
    """Propose for ``need``: the place already held is kept (and announced again)."""
    referral_id = event.subject
    held = await proposals.held(referral_id)
    if held is not None:
        log.info("referral already holds a place", offer_id=held.offer.offer_id)
    outcome = held or await choose(need, offers, helpers, event.time)
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
    helpers: HelperStore | None = None,
) -> None:
    """With consent, propose to the owner using the person's wishes; without, never. The
    referral waits for support from now (its waiting time counts in matching)."""
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
        diets=frozenset(MealDiet(d.value) for d in conversation.wishes.diet),
        languages=tuple(conversation.wishes.languages),
        waiting_since=need.waiting_since or event.time,
    )
    await match(event, wished, owner, offers, proposals, emit, helpers)


async def after_decline(
    event: EventEnvelope[SupportDeclined],
    offers: OfferStore,
    proposals: ProposalStore,
    emit: Emit,
    helpers: HelperStore | None = None,
) -> None:
    """The person said no: give the place back and propose another offer or helper, never a
    declined one; the place that came free goes to the waitlist."""
    known = await proposals.need(event.subject)
    if known is None:
        return
    held = await proposals.held(event.subject)
    if held is not None:
        await release(held.offer.offer_id, offers, helpers)
        await proposals.release(event.subject)
    owner, need = known
    without = replace(need, excluded=need.excluded | set(event.data.declined_offers))
    await match(event, without, owner, offers, proposals, emit, helpers)
    if helpers is not None and held is not None:
        await rematch_waitlist(event, offers, proposals, helpers, emit)


async def release(offer_id: str, offers: OfferStore, helpers: HelperStore | None) -> None:
    """One place back, in whichever registry holds ``offer_id`` (ids never clash: a helper's
    is its provider's, an offer's is Table 1's)."""
    await offers.release_place(offer_id)
    if helpers is not None:
        await helpers.free_place(offer_id)


async def rematch_waitlist(
    cause: EventEnvelope[Any],
    offers: OfferStore,
    proposals: ProposalStore,
    helpers: HelperStore,
    emit: Emit,
) -> int:
    """Capacity appeared: each waitlisted referral is matched again exactly once, the most
    urgent first, then the longest waiting; the ones nothing fits stay waitlisted as they
    were (no new event). Returns how many got a proposal."""
    waiting = await proposals.waitlisted()
    now = cause.time  # not the clock: replay must put the same referral first
    proposed = 0
    for i in first_in_line([need for _, _, need in waiting], now):
        referral_id, owner, need = waiting[i]
        found = await choose_helper(need, helpers, now)
        if not isinstance(found, Proposal):
            continue
        await proposals.record(referral_id, owner, need, found, cause.id)
        payload = outcome_payload(referral_id, found)
        emit(new_event(payload, source=SOURCE, subject=referral_id, cause=cause))
        proposed += 1
    return proposed


async def after_close(
    event: EventEnvelope[ReferralClosed],
    offers: OfferStore,
    proposals: ProposalStore,
    helpers: HelperStore | None = None,
) -> None:
    """Closed before any support started: the place held for it is free again."""
    held = await proposals.held(event.subject)
    if held is not None and event.data.support_kind is None:
        await release(held.offer.offer_id, offers, helpers)
        await proposals.release(event.subject)


async def on_referral_triaged(event: EventEnvelope[Any], tx: Transaction) -> None:
    await learn_need(event, MongoProposals(tx))


async def on_regraded(event: EventEnvelope[Any], tx: Transaction) -> None:
    await regrade(event, MongoProposals(tx))


async def on_first_conversation(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_conversation(event, MongoOffers(tx), MongoProposals(tx), tx.emit, MongoHelpers(tx))


async def on_support_declined(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_decline(event, MongoOffers(tx), MongoProposals(tx), tx.emit, MongoHelpers(tx))


async def on_closed(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_close(event, MongoOffers(tx), MongoProposals(tx), MongoHelpers(tx))


async def on_helper_changed(event: EventEnvelope[Any], tx: Transaction) -> None:
    """Replay's path for a coordinator's change (live, the API applies it in the unit of
    work that writes the event): the registry changes, then the waitlist is matched again."""
    helpers = MongoHelpers(tx)
    existing = await helpers.get(event.subject)
    await apply_change(helpers, existing, event, waitlist_rematch(tx, helpers))


def waitlist_rematch(
    tx: Transaction, helpers: HelperStore
) -> Callable[[EventEnvelope[Any]], Awaitable[int]]:
    """Matching the waitlist again in ``tx``, caused by a change to the registry."""

    async def rematch(cause: EventEnvelope[Any]) -> int:
        return await rematch_waitlist(cause, MongoOffers(tx), MongoProposals(tx), helpers, tx.emit)

    return rematch


HANDLERS: dict[str, Handler] = {
    ReferralTriaged.event_name: on_referral_triaged,
    ReferralRegraded.event_name: on_regraded,
    FirstConversationRecorded.event_name: on_first_conversation,
    SupportDeclined.event_name: on_support_declined,
    ReferralClosed.event_name: on_closed,
}
# Only replay applies these (``matching.replay``): live, the API is where a change happens.
HELPER_HANDLERS: dict[str, Handler] = {
    HelperRegistered.event_name: on_helper_changed,
    HelperUpdated.event_name: on_helper_changed,
    HelperStopped.event_name: on_helper_changed,
}
