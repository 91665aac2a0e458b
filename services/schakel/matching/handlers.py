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
    HelperMatchEnded,
    HelperMatchRenewed,
    HelperRegistered,
    HelperStopped,
    HelperUpdated,
    MatchProposed,
    Offer,
    ReferralReceived,
    ReferralTriaged,
    Waitlisted,
)
from schakel.contracts.lifecycle import (
    FirstConversationRecorded,
    ReferralClosed,
    ReferralRegraded,
    SupportConfirmed,
    SupportDeclined,
    SupportStarted,
)
from schakel.contracts.topics import HELPER_EVENTS, REFERRAL_EVENTS
from schakel.contracts.vocabulary import MealDiet
from schakel.matching.adapters import (
    MongoOffers,
    MongoProposals,
    OfferStore,
    Person,
    ProposalStore,
)
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
from schakel.matching.domain.assignment import Match, assign, first_in_line, propose_best
from schakel.matching.domain.helpers import AnyHelper, Buddy, HomeCook
from schakel.matching.domain.matches import MatchTerm, renewed, started, term_for
from schakel.matching.domain.registry import Refused
from schakel.matching.domain.table import HelperTable
from schakel.matching.helper_store import HelperStore, MongoHelpers
from schakel.matching.postcodes import districts, locate
from schakel.matching.registry import EmitOn, apply_change
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


async def learn_person(event: EventEnvelope[ReferralReceived], proposals: ProposalStore) -> None:
    """Intake passed the referral on: keep its age band and postcode area (pseudonymous),
    which the need triage names next lacks."""
    received = event.data
    person = Person(received.age_band, received.postcode_area)
    await proposals.remember_person(event.subject, person, event.id)


async def learn_need(event: EventEnvelope[ReferralTriaged], proposals: ProposalStore) -> None:
    """Triage named the owner: remember the need, with the person's age band and place from
    intake; nothing is proposed before the owner has talked with the person."""
    person = await proposals.person(event.subject)
    need = replace(
        need_of(event.data), age_band=person.age_band, location=locate(person.postcode_area)
    )
    if (known := await proposals.need(event.subject)) is not None:
        # Routed again (a rejection, a transfer): what the person said still holds.
        said = known[1]
        need = replace(
            need,
            wishes=said.wishes,
            excluded=said.excluded,
            diets=said.diets,
            languages=said.languages,
            mobility=said.mobility,
            interests=said.interests,
            availability=said.availability,
            waiting_since=said.waiting_since,
        )
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
        mobility=conversation.wishes.mobility or need.mobility,
        interests=frozenset(conversation.wishes.interests),
        availability=frozenset(conversation.wishes.availability),
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
    """Capacity appeared: the optimum over every waitlisted referral and the registry's free
    places (``assign``: one helper per referral, urgency first, then fit and waiting time),
    each referral proposed at most once, announced the most urgent and longest waiting
    first; the ones nothing fits stay waitlisted as they were (no new event). Runs on the
    event that freed the capacity, not on the clock, so replay makes the same proposals.
    Returns how many got a proposal."""
    waiting = await proposals.waitlisted()
    candidates = await helpers.active()
    if not waiting or not candidates:
        return 0
    now = cause.time  # not the clock: replay must put the same referral first
    needs = [need for _, _, need in waiting]
    found = assign(needs, HelperTable.of(candidates), now)
    by_need = {m.need_index: m for m in found.matches}
    taken: dict[str, int] = {}
    proposed = 0
    for i in first_in_line(needs, now):
        if (chosen := by_need.get(i)) is None:
            continue
        helper = chosen.helper
        if not await helpers.take_place(helper.helper_id):
            continue  # cannot happen within one unit of work; never a place not held
        taken[helper.helper_id] = taken.get(helper.helper_id, 0) + 1
        offer = as_offer(helper, helper.free - taken[helper.helper_id])
        proposal = Proposal(offer=offer, score=max(chosen.score, 0.0), reasons=chosen.reasons)
        referral_id, owner, need = waiting[i]
        await proposals.record(referral_id, owner, need, proposal, cause.id)
        payload = outcome_payload(referral_id, proposal)
        emit(new_event(payload, source=SOURCE, subject=referral_id, cause=cause))
        proposed += 1
    return proposed


async def after_confirm(event: EventEnvelope[SupportConfirmed], proposals: ProposalStore) -> None:
    """The person said yes: the place held for the proposal is in use by a match, which
    starts now and ends by its kind's term (``domain.matches``)."""
    held = await proposals.held(event.subject)
    if held is None or held.offer.offer_id != event.data.offer_id:
        log.info("confirmed support matching does not hold", offer_id=event.data.offer_id)
        return
    await proposals.keep_match(event.subject, term_for(held.offer.kind, event.time))


async def after_start(event: EventEnvelope[SupportStarted], proposals: ProposalStore) -> None:
    """The support started: the match's term counts from now (a proposal started without a
    confirmation first is confirmed by it). Support arranged outside matching holds nothing."""
    offer_id = event.data.offer_id
    if (found := await proposals.matched(event.subject)) is not None:
        proposal, term = found
        if proposal.offer.offer_id == offer_id:
            await proposals.keep_match(event.subject, started(term, event.time))
        return
    held = await proposals.held(event.subject)
    if held is not None and held.offer.offer_id == offer_id:
        await proposals.keep_match(event.subject, term_for(held.offer.kind, event.time))


async def after_close(
    event: EventEnvelope[ReferralClosed],
    offers: OfferStore,
    proposals: ProposalStore,
    helpers: HelperStore | None = None,
    emit: Emit | None = None,
) -> None:
    """Closed: the place held for a proposal, or used by the match, is free again; the
    waitlist is matched again for it."""
    freed = None
    if (held := await proposals.held(event.subject)) is not None:
        freed = held.offer.offer_id
        await proposals.release(event.subject)
    elif (found := await proposals.matched(event.subject)) is not None:
        freed = found[0].offer.offer_id
        await proposals.end_match(event.subject, "closed", event.time)
    if freed is None:
        return
    await release(freed, offers, helpers)
    if helpers is not None and emit is not None:
        await rematch_waitlist(event, offers, proposals, helpers, emit)


async def end_match(
    event: EventEnvelope[HelperMatchEnded],
    offers: OfferStore,
    proposals: ProposalStore,
    helpers: HelperStore,
    emit: Emit,
) -> None:
    """A match's term ran out: its place is free and the waitlist is matched again. Live the
    term keeper emits the event and applies it here in one unit of work; replay applies the
    archived event here too."""
    found = await proposals.matched(event.data.referral_id)
    if found is None or found[0].offer.offer_id != event.data.helper_id:
        return
    await proposals.end_match(event.data.referral_id, "term", event.data.ended_at)
    await release(event.data.helper_id, offers, helpers)
    await rematch_waitlist(event, offers, proposals, helpers, emit)


async def end_due_matches(
    now: datetime,
    offers: OfferStore,
    proposals: ProposalStore,
    helpers: HelperStore,
    emit: EmitOn,
) -> int:
    """Every match whose term ended by ``now`` ends, each with its event on the helper topic;
    how many ended."""
    ended = 0
    for referral_id in await proposals.due(now):
        found = await proposals.matched(referral_id)
        if found is None or found[1].end is None:
            continue
        proposal, term = found
        payload = HelperMatchEnded(
            helper_id=proposal.offer.offer_id,
            organisation=proposal.offer.provider_organisation,
            referral_id=referral_id,
            ended_at=term.end,
        )
        event = new_event(payload, source=SOURCE, subject=proposal.offer.offer_id)
        emit(event, HELPER_EVENTS)
        await end_match(event, offers, proposals, helpers, lambda e: emit(e, REFERRAL_EVENTS))
        ended += 1
    return ended


async def renew(
    helpers: HelperStore,
    proposals: ProposalStore,
    ids: tuple[str, str],
    organisation: str,
    emit: EmitOn,
    correlation_id: str,
) -> MatchTerm | Refused:
    """A coordinator renews their helper's match (``ids``: helper, referral) for one more
    term, recorded by a ``helper.match-renewed`` event; another organisation's helper, or a
    match that is not this helper's, answers like a missing one."""
    helper_id, referral_id = ids
    helper = await helpers.get(helper_id)
    found = await proposals.matched(referral_id)
    if helper is None or helper.organisation != organisation:
        return Refused(404, f"no helper {helper_id} of {organisation}")
    if found is None or found[0].offer.offer_id != helper_id:
        return Refused(404, f"no match of helper {helper_id} with referral {referral_id}")
    term = renewed(found[1])
    if not isinstance(term, MatchTerm):
        return Refused(409, term)
    assert term.end is not None  # renewed only gives a term that ends
    payload = HelperMatchRenewed(
        helper_id=helper_id, organisation=organisation, referral_id=referral_id, until=term.end
    )
    event = new_event(payload, source=SOURCE, subject=helper_id, correlation_id=correlation_id)
    emit(event, HELPER_EVENTS)
    await renew_match(event, proposals)
    return term


async def renew_match(event: EventEnvelope[HelperMatchRenewed], proposals: ProposalStore) -> None:
    """The coordinator renewed the match: it runs until the event's ``until``."""
    found = await proposals.matched(event.data.referral_id)
    if found is None or found[0].offer.offer_id != event.data.helper_id:
        return
    term = renewed(found[1])
    if isinstance(term, MatchTerm):
        await proposals.keep_match(event.data.referral_id, term)


async def on_referral_received(event: EventEnvelope[Any], tx: Transaction) -> None:
    await learn_person(event, MongoProposals(tx))


async def on_referral_triaged(event: EventEnvelope[Any], tx: Transaction) -> None:
    await learn_need(event, MongoProposals(tx))


async def on_regraded(event: EventEnvelope[Any], tx: Transaction) -> None:
    await regrade(event, MongoProposals(tx))


async def on_first_conversation(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_conversation(event, MongoOffers(tx), MongoProposals(tx), tx.emit, MongoHelpers(tx))


async def on_support_declined(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_decline(event, MongoOffers(tx), MongoProposals(tx), tx.emit, MongoHelpers(tx))


async def on_closed(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_close(event, MongoOffers(tx), MongoProposals(tx), MongoHelpers(tx), tx.emit)


async def on_support_confirmed(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_confirm(event, MongoProposals(tx))


async def on_support_started(event: EventEnvelope[Any], tx: Transaction) -> None:
    await after_start(event, MongoProposals(tx))


async def on_match_ended(event: EventEnvelope[Any], tx: Transaction) -> None:
    await end_match(event, MongoOffers(tx), MongoProposals(tx), MongoHelpers(tx), tx.emit)


async def on_match_renewed(event: EventEnvelope[Any], tx: Transaction) -> None:
    await renew_match(event, MongoProposals(tx))


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
    ReferralReceived.event_name: on_referral_received,
    ReferralTriaged.event_name: on_referral_triaged,
    ReferralRegraded.event_name: on_regraded,
    FirstConversationRecorded.event_name: on_first_conversation,
    SupportConfirmed.event_name: on_support_confirmed,
    SupportDeclined.event_name: on_support_declined,
    SupportStarted.event_name: on_support_started,
    ReferralClosed.event_name: on_closed,
}
# Only replay applies these (``matching.replay``): live, the API is where a change happens.
HELPER_HANDLERS: dict[str, Handler] = {
    HelperRegistered.event_name: on_helper_changed,
    HelperUpdated.event_name: on_helper_changed,
    HelperStopped.event_name: on_helper_changed,
    HelperMatchEnded.event_name: on_match_ended,
    HelperMatchRenewed.event_name: on_match_renewed,
}
