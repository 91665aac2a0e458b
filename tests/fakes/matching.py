"""In-memory ``OfferStore``, ``ProposalStore`` and ``HelperStore`` for matching, kept to what
``MongoOffers``, ``MongoProposals`` and ``MongoHelpers`` do by
``tests/integration/test_matching_adapters.py`` and ``test_matching_helper_store.py``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from schakel.contracts.vocabulary import Grade
from schakel.matching.adapters import Person
from schakel.matching.domain import Need, Offer, Outcome, Proposal, WaitlistDecision
from schakel.matching.domain.helpers import AnyHelper
from schakel.matching.domain.matches import MatchTerm


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
        offer = self.offers.get(offer_id)
        # An offer gone from the registry, or a walk-in one, has no place to give, as in
        # MongoDB: no error.
        if offer is None or offer.places_left is None or offer.places_left <= 0:
            return False
        self.offers[offer_id] = replace(offer, places_left=offer.places_left - 1)
        self.reservations.append(offer_id)
        return True

    async def release_place(self, offer_id: str) -> None:
        offer = self.offers.get(offer_id)
        # A walk-in offer holds no places to give back, as in MongoDB.
        if offer is not None and offer.places_left is not None:
            self.offers[offer_id] = replace(offer, places_left=offer.places_left + 1)

    def places(self, offer_id: str) -> int | None:
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
    needs: dict[str, tuple[str, Need]] = field(default_factory=dict)
    released: set[str] = field(default_factory=set)
    matches: dict[str, MatchTerm] = field(default_factory=dict)  # not ended
    persons: dict[str, Person] = field(default_factory=dict)
    ended: dict[str, tuple[str, datetime]] = field(default_factory=dict)

    async def held(self, referral_id: str) -> Proposal | None:
        found = self.recorded.get(referral_id)
        if referral_id in self.released or referral_id in self.matches:
            return None
        return found.outcome if found and isinstance(found.outcome, Proposal) else None

    async def need(self, referral_id: str) -> tuple[str, Need] | None:
        return self.needs.get(referral_id)

    async def remember_need(
        self, referral_id: str, owner_organisation: str, need: Need, caused_by: str
    ) -> None:
        self.needs[referral_id] = (owner_organisation, need)

    async def release(self, referral_id: str) -> None:
        if await self.held(referral_id) is not None:
            self.released.add(referral_id)

    async def waitlisted(self) -> list[tuple[str, str, Need]]:
        return [
            (referral_id, r.owner_organisation, r.need)
            for referral_id, r in sorted(self.recorded.items())
            if isinstance(r.outcome, WaitlistDecision)
        ]

    async def remember_person(self, referral_id: str, person: Person, caused_by: str) -> None:
        self.persons[referral_id] = person

    async def person(self, referral_id: str) -> Person:
        return self.persons.get(referral_id, Person())

    async def keep_match(self, referral_id: str, term: MatchTerm) -> None:
        if await self.held(referral_id) is not None or referral_id in self.matches:
            self.matches[referral_id] = term

    async def matched(self, referral_id: str) -> tuple[Proposal, MatchTerm] | None:
        if referral_id not in self.matches:
            return None
        outcome = self.recorded[referral_id].outcome
        assert isinstance(outcome, Proposal)
        return outcome, self.matches[referral_id]

    async def end_match(self, referral_id: str, reason: str, at: datetime) -> None:
        if self.matches.pop(referral_id, None) is not None:
            self.ended[referral_id] = (reason, at)

    async def due(self, now: datetime) -> list[str]:
        return sorted(r for r, t in self.matches.items() if t.end is not None and t.end <= now)

    async def record(
        self,
        referral_id: str,
        owner_organisation: str,
        need: Need,
        outcome: Outcome,
        caused_by: str,
    ) -> None:
        # Replaces the earlier outcome, as MongoProposals' upsert does.
        self.recorded[referral_id] = Recorded(owner_organisation, need, outcome, caused_by)
        self.needs[referral_id] = (owner_organisation, need)
        self.released.discard(referral_id)
        self.matches.pop(referral_id, None)


class FakeHelpers:
    """The registry of helpers, held to ``MongoHelpers`` by the contract suite."""

    def __init__(self, *helpers: AnyHelper) -> None:
        self.helpers = {h.helper_id: h for h in helpers}

    async def get(self, helper_id: str) -> AnyHelper | None:
        return self.helpers.get(helper_id)

    async def save(self, helper: AnyHelper) -> None:
        self.helpers[helper.helper_id] = helper

    async def of_organisation(self, organisation: str) -> list[AnyHelper]:
        return sorted(
            (h for h in self.helpers.values() if h.organisation == organisation),
            key=lambda h: h.helper_id,
        )

    async def active(self) -> list[AnyHelper]:
        return sorted((h for h in self.helpers.values() if h.active), key=lambda h: h.helper_id)

    async def take_place(self, helper_id: str) -> bool:
        helper = self.helpers.get(helper_id)
        if helper is None or not helper.active or helper.free <= 0:
            return False
        self.helpers[helper_id] = replace(helper, in_use=helper.in_use + 1)
        return True

    async def free_place(self, helper_id: str) -> None:
        helper = self.helpers.get(helper_id)
        if helper is not None and helper.in_use > 0:
            self.helpers[helper_id] = replace(helper, in_use=helper.in_use - 1)
