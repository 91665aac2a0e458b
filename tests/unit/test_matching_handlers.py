"""The triaged handler over in-memory stores: places are held, proposals recorded, events out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import MatchProposed, ReferralTriaged, Waitlisted
from schakel.contracts.vocabulary import Grade, OfferKind, Route, Urgency
from schakel.matching.domain import MaatjeType, Offer, Proposal
from schakel.matching.handlers import SOURCE, match
from tests import payloads
from tests.fakes.matching import FakeOffers, FakeProposals

REFERRAL = "ref-0001"
OWNER = "sociaal-makelaars-overvecht"


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

    await match(cause, offers, proposals, outbox)

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

    await match(triaged(), offers, FakeProposals(), outbox)

    assert offers.reservations == ["b-ervaring"]
    assert outbox.events[0].data.offer.offer_id == "b-ervaring"


async def test_last_place_taken_meanwhile_and_nothing_else_means_waitlist() -> None:
    offers = FakeOffers(buddy("psy", places=1), taken_meanwhile=frozenset({"psy"}))
    proposals, outbox = FakeProposals(), Outbox()

    await match(triaged(), offers, proposals, outbox)

    [event] = outbox.events
    assert isinstance(event.data, Waitlisted)
    assert "full" in event.data.reason
    assert offers.reservations == []


async def test_nothing_with_capacity_puts_the_referral_on_the_waitlist() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=0)), FakeProposals(), Outbox()

    await match(triaged(), offers, proposals, outbox)

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

    await match(triaged(), offers, proposals, outbox)
    await match(triaged(), offers, proposals, outbox)

    assert offers.places("psy") == 1
    assert [e.data.offer.offer_id for e in outbox.events] == ["psy", "psy"]


async def test_waitlisted_referral_triaged_again_gets_a_place_that_came_free() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=0)), FakeProposals(), Outbox()
    await match(triaged(), offers, proposals, outbox)
    offers.offers["psy"] = replace(offers.offers["psy"], places_left=1)

    await match(triaged(), offers, proposals, outbox)

    assert [type(e.data) for e in outbox.events] == [Waitlisted, MatchProposed]
    assert offers.places("psy") == 0


def cook(places: int = 1) -> Offer:
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
    offers, outbox = FakeOffers(cook()), Outbox()

    await match(triaged(urgency=Urgency.DIRECT, consent=True), offers, FakeProposals(), outbox)
    await match(triaged(consent=True), offers, FakeProposals(), outbox)

    assert [type(e.data) for e in outbox.events] == [Waitlisted, MatchProposed]
    assert offers.reservations == ["thuisgekookt-kok-1"]


async def test_a_walk_in_offer_is_proposed_without_holding_a_place() -> None:
    walk_in = replace(buddy("inloop", places=0), kind=OfferKind.ACTIVITEIT, places_left=None)
    offers, proposals, outbox = FakeOffers(walk_in), FakeProposals(), Outbox()

    await match(triaged(), offers, proposals, outbox)

    [event] = outbox.events
    assert isinstance(event.data, MatchProposed) and event.data.offer.offer_id == "inloop"
    assert offers.reservations == [] and offers.places("inloop") is None


async def test_an_ungraded_referral_waits_for_the_owner_s_conversation() -> None:
    offers, proposals, outbox = FakeOffers(buddy("psy", places=2)), FakeProposals(), Outbox()

    await match(triaged(grade=None), offers, proposals, outbox)

    [event] = outbox.events
    assert isinstance(event.data, Waitlisted)
    assert event.data.reason.startswith("ungraded") and event.data.wanted == []
    assert offers.reservations == []
