"""The triaged handler over in-memory stores: places are held, proposals recorded, events out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from matching.domain import MaatjeType, Need, Offer, Outcome, Proposal
from matching.handlers import SOURCE, match
from schakel_contracts.envelope import EventEnvelope, new_event
from schakel_contracts.events import MatchProposed, ReferralTriaged, Waitlisted
from schakel_contracts.vocabulary import Grade, OfferKind, Urgency

REFERRAL = "ref-0001"
OWNER = "buurtteam-overvecht"


class FakeOffers:
    """The registry; ``taken_meanwhile`` loses its last place between reading and reserving,
    as when another referral is matched at the same moment."""

    def __init__(self, *offers: Offer, taken_meanwhile: frozenset[str] = frozenset()) -> None:
        self.offers = {o.offer_id: o for o in offers}
        self.taken_meanwhile = taken_meanwhile
        self.reservations: list[str] = []

    async def suiting_grade(self, grade: Grade) -> list[Offer]:
        snapshot = [o for o in self.offers.values() if grade in o.grades]
        for offer_id in self.taken_meanwhile:
            self.offers[offer_id] = replace(self.offers[offer_id], places_left=0)
        return snapshot

    async def reserve_place(self, offer_id: str) -> bool:
        offer = self.offers[offer_id]
        if offer.places_left <= 0:
            return False
        self.offers[offer_id] = replace(offer, places_left=offer.places_left - 1)
        self.reservations.append(offer_id)
        return True

    def places(self, offer_id: str) -> int:
        return self.offers[offer_id].places_left


@dataclass
class Recorded:
    owner_organisation: str
    need: Need
    outcome: Outcome
    caused_by: str


@dataclass
class FakeProposals:
    recorded: dict[str, Recorded] = field(default_factory=dict)

    async def held(self, referral_id: str) -> Proposal | None:
        found = self.recorded.get(referral_id)
        return found.outcome if found and isinstance(found.outcome, Proposal) else None

    async def record(
        self,
        referral_id: str,
        owner_organisation: str,
        need: Need,
        outcome: Outcome,
        caused_by: str,
    ) -> None:
        self.recorded[referral_id] = Recorded(owner_organisation, need, outcome, caused_by)


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
        grades=frozenset({Grade.ERNSTIG, Grade.LICHT_TOT_MATIG}),
        places_left=places,
        maatje_type=maatje_type,
    )


def triaged(
    grade: Grade = Grade.ERNSTIG,
    district: str | None = "overvecht",
    urgency: Urgency = Urgency.SPOEDIG,
) -> EventEnvelope[ReferralTriaged]:
    payload = ReferralTriaged(
        referral_id=REFERRAL,
        grade=grade,
        urgency=urgency,
        district=district,
        owner_organisation=OWNER,
        reasons=["ernstig: low mood"],
        rule_set_version="2026.11-1",
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
    assert event.data.wanted == [OfferKind.MAATJE, OfferKind.ACTIVITEIT]
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
