"""The triaged handler over in-memory stores: places are held, proposals recorded, events out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import MatchProposed, ReferralTriaged, Waitlisted
from schakel.contracts.lifecycle import (
    Actor,
    FirstConversationRecorded,
    ReferralClosed,
    SupportDeclined,
    Wishes,
)
from schakel.contracts.vocabulary import (
    ActorRole,
    BusinessStatus,
    CloseOutcome,
    DeclineReason,
    Grade,
    OfferKind,
    Route,
    TaskStatus,
    Urgency,
)
from schakel.matching.domain import MaatjeType, Offer, Proposal
from schakel.matching.handlers import (
    SOURCE,
    after_close,
    after_conversation,
    after_decline,
    learn_need,
    match,
    need_of,
)
from tests import payloads
from tests.fakes.matching import FakeOffers, FakeProposals

REFERRAL = "ref-0001"
OWNER = "sociaal-makelaars-overvecht"


async def proposing(
    event: EventEnvelope[ReferralTriaged], offers: Any, proposals: Any, outbox: Any
) -> None:
    """Matching's choice for the need triage named (as after a consenting first conversation)."""
    await match(event, need_of(event.data), OWNER, offers, proposals, outbox)


@dataclass
class Outbox:
    events: list[EventEnvelope[Any]] = field(default_factory=list)

    def __call__(self, event: EventEnvelope[Any]) -> None:
        self.events.append(event)


def buddy(
    offer_id: str,
    places: int,
    maatje_type: MaatjeType = MaatjeType.PSYCHIATRIEMAATJE,
    district: str | None = "overvecht",
) -> Offer:
    return Offer(
        offer_id=offer_id,
        kind=OfferKind.MAATJE,
        title=f"Maatje {offer_id}",
        provider_organisation="Humanitas Utrecht",
        district=district,
        grades=frozenset({Grade.LICHT_TOT_MATIG}),
        places_left=places,
        maatje_type=maatje_type,
    )


def triaged(
    grade: Grade | None = Grade.LICHT_TOT_MATIG,
    district: str | None = "overvecht",
    urgency: Urgency = Urgency.ROUTINE,
    consent: bool = False,
) -> EventEnvelope[ReferralTriaged]:
    payload = payloads.triaged(
        REFERRAL,
        grade=grade,
        urgency=urgency,
        district=district,
        route=Route.SOCIAAL_MAKELAAR if urgency is Urgency.ROUTINE else Route.BUURTTEAM,
        owner_organisation=OWNER,
        consent_to_contact=consent,
    )
    return new_event(
        payload, source="/schakel/triage", subject=REFERRAL, correlation_id="corr-signal-1"
    )


async def test_proposal_holds_one_place_and_is_announced_in_the_signal_s_correlation() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=2)), FakeProposals(), Outbox()
    cause = triaged()

    await proposing(cause, offers, proposals, outbox)

    assert offers.places("psy") == 1
    [event] = outbox.events
    assert isinstance(event.data, MatchProposed)
    assert event.data.offer.offer_id == "psy"
    assert event.data.offer.provider_organisation == "Humanitas Utrecht"
    assert event.type == "nl.schakel.referral.match-proposed.v1"
    assert (event.subject, event.source) == (REFERRAL, SOURCE)
    assert (event.correlationid, event.causationid) == ("corr-signal-1", cause.id)
    recorded = proposals.recorded[REFERRAL]
    assert (recorded.owner_organisation, recorded.caused_by) == (OWNER, cause.id)


async def test_last_place_taken_meanwhile_means_the_next_best_offer_is_proposed() -> None:
    first = buddy("a-psy", places=1)
    second = buddy("b-ervaring", places=1, maatje_type=MaatjeType.ERVARINGSMAATJE, district=None)
    offers = FakeOffers(first, second, taken_meanwhile=frozenset({"a-psy"}))
    outbox = Outbox()

    await proposing(triaged(), offers, FakeProposals(), outbox)

    assert offers.reservations == ["b-ervaring"]
    assert outbox.events[0].data.offer.offer_id == "b-ervaring"


async def test_last_place_taken_meanwhile_and_nothing_else_means_waitlist() -> None:
    offers = FakeOffers(buddy("psy", places=1), taken_meanwhile=frozenset({"psy"}))
    proposals, outbox = FakeProposals(), Outbox()

    await proposing(triaged(), offers, proposals, outbox)

    [event] = outbox.events
    assert isinstance(event.data, Waitlisted)
    assert "full" in event.data.reason
    assert offers.reservations == []


async def test_nothing_with_capacity_puts_the_referral_on_the_waitlist() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=0)), FakeProposals(), Outbox()

    await proposing(triaged(), offers, proposals, outbox)

    [event] = outbox.events
    assert isinstance(event.data, Waitlisted)
    # No consent to contact: a home cook is not even wanted.
    assert event.data.wanted == [
        OfferKind.MAATJE,
        OfferKind.LOTGENOTENCONTACT,
        OfferKind.CURSUS,
        OfferKind.GESPREK,
        OfferKind.ACTIVITEIT,
    ]
    assert event.type == "nl.schakel.referral.waitlisted.v1"
    assert offers.places("psy") == 0
    assert not isinstance(proposals.recorded[REFERRAL].outcome, Proposal)


async def test_triaged_again_keeps_the_place_it_holds_and_announces_it_again() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=2)), FakeProposals(), Outbox()

    await proposing(triaged(), offers, proposals, outbox)
    await proposing(triaged(), offers, proposals, outbox)

    assert offers.places("psy") == 1
    assert [e.data.offer.offer_id for e in outbox.events] == ["psy", "psy"]


async def test_waitlisted_referral_triaged_again_gets_a_place_that_came_free() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=0)), FakeProposals(), Outbox()
    await proposing(triaged(), offers, proposals, outbox)
    offers.offers["psy"] = replace(offers.offers["psy"], places_left=1)

    await proposing(triaged(), offers, proposals, outbox)

    assert [type(e.data) for e in outbox.events] == [Waitlisted, MatchProposed]
    assert offers.places("psy") == 0


# --- the order the field works in: nothing before the owner's first conversation ------------

ACTOR = Actor(organisation=OWNER, role=ActorRole.SOCIAAL_MAKELAAR)
T = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def conversation(consent: bool, *kinds: OfferKind) -> EventEnvelope[FirstConversationRecorded]:
    payload = FirstConversationRecorded(
        referral_id=REFERRAL,
        actor=ACTOR,
        status=TaskStatus.IN_PROGRESS,
        business_status=BusinessStatus.CONTACT_MADE if consent else BusinessStatus.NO_CONSENT,
        owner_organisation=OWNER,
        occurred_at=T,
        knew_of_signal=True,
        consents_to_support=consent,
        wishes=Wishes(kinds=list(kinds)),
    )
    return new_event(payload, source="/schakel/followup", subject=REFERRAL)


def declined(*offer_ids: str) -> EventEnvelope[SupportDeclined]:
    payload = SupportDeclined(
        referral_id=REFERRAL,
        actor=ACTOR,
        status=TaskStatus.IN_PROGRESS,
        business_status=BusinessStatus.SUPPORT_DECLINED,
        owner_organisation=OWNER,
        occurred_at=T,
        offer_id=offer_ids[-1],
        kind=OfferKind.MAATJE,
        reason=DeclineReason.TE_VER_WEG,
        declined_offers=list(offer_ids),
    )
    return new_event(payload, source="/schakel/followup", subject=REFERRAL)


def closed(support: OfferKind | None) -> EventEnvelope[ReferralClosed]:
    payload = ReferralClosed(
        referral_id=REFERRAL,
        actor=ACTOR,
        status=TaskStatus.CANCELLED,
        status_reason="afgeslagen",
        owner_organisation=OWNER,
        occurred_at=T,
        outcome=CloseOutcome.AFGESLAGEN,
        support_kind=support,
    )
    return new_event(payload, source="/schakel/followup", subject=REFERRAL)


def cook(offer_id: str, places: int) -> Offer:
    return replace(buddy(offer_id, places), kind=OfferKind.THUISGEKOOKT, maatje_type=None)


async def test_triage_alone_proposes_nothing_to_anyone() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=2)), FakeProposals(), Outbox()

    await learn_need(triaged(), proposals)

    assert outbox.events == [] and offers.reservations == []
    assert proposals.needs[REFERRAL][0] == OWNER


async def test_after_a_consenting_conversation_the_person_s_wish_is_proposed() -> None:
    offers = FakeOffers(buddy("psy", places=2), cook("kok", places=1))
    proposals, outbox = FakeProposals(), Outbox()
    await learn_need(triaged(), proposals)

    await after_conversation(conversation(True, OfferKind.THUISGEKOOKT), offers, proposals, outbox)

    [event] = outbox.events
    assert isinstance(event.data, MatchProposed) and event.data.offer.offer_id == "kok"
    assert "thuisgekookt: the person's first wish" in event.data.reasons
    assert offers.places("kok") == 0


async def test_without_consent_nothing_is_proposed_and_no_place_is_held() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=2)), FakeProposals(), Outbox()
    await learn_need(triaged(), proposals)

    await after_conversation(conversation(False), offers, proposals, outbox)

    assert outbox.events == [] and offers.places("psy") == 2


async def test_a_decline_frees_the_place_and_another_offer_is_proposed_never_the_same() -> None:
    visiting = buddy("bezoek", places=1, maatje_type=MaatjeType.BEZOEKMAATJE)
    offers = FakeOffers(buddy("psy", places=1), visiting)
    proposals, outbox = FakeProposals(), Outbox()
    await learn_need(triaged(), proposals)
    await after_conversation(conversation(True), offers, proposals, outbox)
    first = outbox.events[-1].data.offer.offer_id

    await after_decline(declined(first), offers, proposals, outbox)

    second = outbox.events[-1].data
    assert isinstance(second, MatchProposed) and second.offer.offer_id != first
    assert offers.places(first) == 1  # given back
    await after_decline(declined(first, second.offer.offer_id), offers, proposals, outbox)
    last = outbox.events[-1].data
    assert isinstance(last, Waitlisted)  # nothing left that was not declined
    assert offers.places("psy") == offers.places("bezoek") == 1


async def test_closing_before_support_started_gives_the_place_back() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=1)), FakeProposals(), Outbox()
    await learn_need(triaged(), proposals)
    await after_conversation(conversation(True), offers, proposals, outbox)
    assert offers.places("psy") == 0

    await after_close(closed(None), offers, proposals)

    assert offers.places("psy") == 1
    await after_close(closed(None), offers, proposals)  # once only
    assert offers.places("psy") == 1


def home_cook(places: int = 1) -> Offer:
    return Offer(
        offer_id="thuisgekookt-kok-1",
        kind=OfferKind.THUISGEKOOKT,
        title="Thuisgekookt: thuiskok in 3563",
        provider_organisation="Stichting Thuisgekookt",
        district="overvecht",
        grades=frozenset({Grade.LICHT_TOT_MATIG}),
        places_left=places,
        postcode_area="3563",
        meals_per_week=3,
    )


async def test_a_home_cook_with_consent_but_never_for_an_urgent_signal() -> None:
    offers, outbox = FakeOffers(home_cook()), Outbox()

    await proposing(triaged(urgency=Urgency.DIRECT, consent=True), offers, FakeProposals(), outbox)
    await proposing(triaged(consent=True), offers, FakeProposals(), outbox)

    assert [type(e.data) for e in outbox.events] == [Waitlisted, MatchProposed]
    assert offers.reservations == ["thuisgekookt-kok-1"]


async def test_a_walk_in_offer_is_proposed_without_holding_a_place() -> None:
    walk_in = replace(buddy("inloop", places=0), kind=OfferKind.ACTIVITEIT, places_left=None)
    offers, proposals, outbox = FakeOffers(walk_in), FakeProposals(), Outbox()

    await proposing(triaged(), offers, proposals, outbox)

    [event] = outbox.events
    assert isinstance(event.data, MatchProposed) and event.data.offer.offer_id == "inloop"
    assert offers.reservations == [] and offers.places("inloop") is None


async def test_an_ungraded_referral_waits_for_the_owner_s_conversation() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=2)), FakeProposals(), Outbox()

    await learn_need(triaged(grade=None), proposals)
    await after_conversation(conversation(True), offers, proposals, outbox)

    [event] = outbox.events
    assert isinstance(event.data, Waitlisted)
    assert event.data.reason.startswith("ungraded") and event.data.wanted == []
    assert offers.reservations == []
