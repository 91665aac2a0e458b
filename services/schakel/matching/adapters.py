"""Matching's MongoDB: the offer registry (with places left) and one proposal per referral."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pymongo import ASCENDING

from schakel.contracts.vocabulary import (
    AgeBand,
    Daypart,
    Grade,
    LonelinessKind,
    MealDiet,
    Mobility,
    OfferKind,
    RiskGroup,
    Route,
    Urgency,
)
from schakel.matching.demo_offers import DEMO_OFFERS
from schakel.matching.domain import MaatjeType, Need, Offer, Outcome, Proposal
from schakel.matching.domain.matches import MatchTerm
from schakel.matching.helper_store import prepare_helpers
from schakel.matching.postcodes import locate
from schakel.platform.mongo import Document, MongoStore, Transaction

OFFERS = "offers"
PROPOSALS = "proposals"
PROPOSED = "proposed"
WAITLISTED = "waitlisted"
WAITING = "waiting"  # need known, waiting for the owner's first conversation
RELEASED = "released"  # the held place was given back (declined, or closed before support)
MATCHED = "matched"  # the person confirmed: the place is in use until the match ends
ENDED = "ended"  # the match ended (its referral closed, or its term ran out): place free


@dataclass(frozen=True)
class Person:
    """What matching may know of the person from intake: pseudonymous, an age band and a
    four-digit postcode area (never an address)."""

    age_band: AgeBand | None = None
    postcode_area: str | None = None


class OfferStore(Protocol):
    async def suiting_grade(self, grade: Grade) -> list[Offer]: ...

    async def reserve_place(self, offer_id: str) -> bool:
        """Take one place; False when none was left (another referral took the last one) or
        the offer is walk-in (it has no places to take)."""
        ...

    async def release_place(self, offer_id: str) -> None:
        """Give one place back (an unknown offer: nothing happens)."""
        ...


class ProposalStore(Protocol):
    async def held(self, referral_id: str) -> Proposal | None:
        """The proposal that already holds a place for this referral, if any."""
        ...

    async def record(
        self,
        referral_id: str,
        owner_organisation: str,
        need: Need,
        outcome: Outcome,
        caused_by: str,
    ) -> None: ...

    async def need(self, referral_id: str) -> tuple[str, Need] | None:
        """The owner and the need last recorded for the referral."""
        ...

    async def remember_person(self, referral_id: str, person: Person, caused_by: str) -> None:
        """What intake passed on of the person (age band, PC4), before any need is known."""
        ...

    async def person(self, referral_id: str) -> Person:
        """What is known of the person; nothing known: ``Person()``."""
        ...

    async def remember_need(
        self, referral_id: str, owner_organisation: str, need: Need, caused_by: str
    ) -> None:
        """Keep the need (a proposal or waitlist decision recorded before stays)."""
        ...

    async def release(self, referral_id: str) -> None:
        """The referral no longer holds its place."""
        ...

    async def waitlisted(self) -> list[tuple[str, str, Need]]:
        """Every waitlisted referral: (referral id, owner, need), by referral id."""
        ...

    async def keep_match(self, referral_id: str, term: MatchTerm) -> None:
        """The referral's proposal (held or matched already) is a match with ``term``."""
        ...

    async def matched(self, referral_id: str) -> tuple[Proposal, MatchTerm] | None:
        """The referral's match that has not ended, with its term."""
        ...

    async def end_match(self, referral_id: str, reason: str, at: datetime) -> None:
        """The match ended (its place is given back by the caller)."""
        ...

    async def due(self, now: datetime) -> list[str]:
        """Referrals whose match's term ended by ``now``, by referral id."""
        ...


def need_fields(need: Need) -> Document:
    return {
        "grade": need.grade.value if need.grade else None,
        "urgency": need.urgency.value,
        "district": need.district,
        "risk_groups": sorted(g.value for g in need.risk_groups),
        "kinds": sorted(k.value for k in need.kinds),
        "consent_to_contact": need.consent_to_contact,
        "route": need.route.value if need.route else None,
        "wishes": [k.value for k in need.wishes],
        "excluded": sorted(need.excluded),
        "diets": sorted(d.value for d in need.diets),
        "languages": list(need.languages),
        "waiting_since": need.waiting_since,
        "age_band": need.age_band.value if need.age_band else None,
        "postcode_area": need.location.pc4 if need.location else None,
        "mobility": need.mobility.value,
        "interests": sorted(need.interests),
        "availability": sorted(d.value for d in need.availability),
    }


def need_from_doc(doc: Document) -> Need:
    route = doc.get("route")
    return Need(
        grade=Grade(doc["grade"]) if doc.get("grade") else None,
        urgency=Urgency(doc["urgency"]),
        district=doc.get("district"),
        risk_groups=frozenset(RiskGroup(g) for g in doc.get("risk_groups", [])),
        kinds=frozenset(LonelinessKind(k) for k in doc.get("kinds", [])),
        consent_to_contact=bool(doc.get("consent_to_contact", False)),
        route=Route(route) if route else None,
        wishes=tuple(OfferKind(k) for k in doc.get("wishes", [])),
        excluded=frozenset(doc.get("excluded", [])),
        diets=frozenset(MealDiet(d) for d in doc.get("diets", [])),
        languages=tuple(doc.get("languages", [])),
        waiting_since=_aware(doc.get("waiting_since")),
        age_band=AgeBand(doc["age_band"]) if doc.get("age_band") else None,
        location=locate(doc.get("postcode_area")),
        mobility=Mobility(doc.get("mobility") or Mobility.ZELFSTANDIG),
        interests=frozenset(doc.get("interests", [])),
        availability=frozenset(Daypart(d) for d in doc.get("availability", [])),
    )


def _aware(moment: datetime | None) -> datetime | None:
    """MongoDB gives datetimes back without a zone; they were written in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def offer_to_doc(offer: Offer) -> Document:
    return {
        "_id": offer.offer_id,
        "kind": offer.kind.value,
        "title": offer.title,
        "provider_organisation": offer.provider_organisation,
        "district": offer.district,
        "grades": sorted(g.value for g in offer.grades),
        "places_left": offer.places_left,  # None: walk-in
        "walk_in": offer.walk_in,
        "loneliness_kinds": sorted(k.value for k in offer.loneliness_kinds),
        "risk_groups": sorted(g.value for g in offer.risk_groups),
        "only_for_risk_groups": offer.only_for_risk_groups,
        "residents_initiative": offer.residents_initiative,
        "source": offer.source,
        "maatje_type": offer.maatje_type.value if offer.maatje_type else None,
        "postcode_area": offer.postcode_area,
        "meals_per_week": offer.meals_per_week,
    }


def offer_from_doc(doc: Document) -> Offer:
    maatje_type = doc.get("maatje_type")
    return Offer(
        offer_id=str(doc["_id"]),
        kind=OfferKind(doc["kind"]),
        title=doc["title"],
        provider_organisation=doc["provider_organisation"],
        district=doc.get("district"),
        grades=frozenset(Grade(g) for g in doc.get("grades", [])),
        places_left=None if doc["places_left"] is None else int(doc["places_left"]),
        loneliness_kinds=frozenset(LonelinessKind(k) for k in doc.get("loneliness_kinds", [])),
        risk_groups=frozenset(RiskGroup(g) for g in doc.get("risk_groups", [])),
        only_for_risk_groups=bool(doc.get("only_for_risk_groups", False)),
        residents_initiative=bool(doc.get("residents_initiative", False)),
        source=str(doc.get("source", "")),
        maatje_type=MaatjeType(maatje_type) if maatje_type else None,
        postcode_area=doc.get("postcode_area"),
        meals_per_week=doc.get("meals_per_week"),
    )


def offer_view(doc: Document) -> dict[str, Any]:
    """An offer as the HTTP API shows it: ``offer_id`` instead of ``_id``."""
    return {"offer_id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}


def _outcome_fields(outcome: Outcome) -> Document:
    if isinstance(outcome, Proposal):
        return {
            "status": PROPOSED,
            "offer": offer_to_doc(outcome.offer),
            "score": outcome.score,
            "reasons": list(outcome.reasons),
            "wanted": None,
            "reason": None,
        }
    return {
        "status": WAITLISTED,
        "offer": None,
        "score": None,
        "reasons": [],
        "wanted": [k.value for k in outcome.wanted],
        "reason": outcome.reason,
    }


class MongoOffers:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def suiting_grade(self, grade: Grade) -> list[Offer]:
        # Full offers too: the waitlist reason tells "full" apart from "nothing exists".
        docs = await self._tx[OFFERS].find({"grades": grade.value}).to_list()
        return [offer_from_doc(d) for d in docs]

    async def reserve_place(self, offer_id: str) -> bool:
        result = await self._tx[OFFERS].update_one(
            {"_id": offer_id, "places_left": {"$gt": 0}}, {"$inc": {"places_left": -1}}
        )
        return result.matched_count == 1

    async def release_place(self, offer_id: str) -> None:
        # A walk-in offer (places_left null) holds no places to give back.
        await self._tx[OFFERS].update_one(
            {"_id": offer_id, "places_left": {"$type": "number"}}, {"$inc": {"places_left": 1}}
        )


class MongoProposals:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def held(self, referral_id: str) -> Proposal | None:
        doc = await self._tx[PROPOSALS].find_one({"_id": referral_id, "status": PROPOSED})
        return None if doc is None else _proposal_of(doc)

    async def record(
        self,
        referral_id: str,
        owner_organisation: str,
        need: Need,
        outcome: Outcome,
        caused_by: str,
    ) -> None:
        doc: Document = {
            "_id": referral_id,
            "referral_id": referral_id,
            "owner_organisation": owner_organisation,
            **need_fields(need),
            **_outcome_fields(outcome),
            "caused_by": caused_by,
            "decided_at": datetime.now(UTC),
        }
        # Replaced, not inserted: a referral re-triaged after a waitlist gets a fresh outcome.
        await self._tx[PROPOSALS].replace_one({"_id": referral_id}, doc, upsert=True)

    async def need(self, referral_id: str) -> tuple[str, Need] | None:
        doc = await self._tx[PROPOSALS].find_one({"_id": referral_id})
        if doc is None or doc.get("owner_organisation") is None:
            return None  # nothing, or only the person: triage has not named a need yet
        return doc["owner_organisation"], need_from_doc(doc)

    async def remember_person(self, referral_id: str, person: Person, caused_by: str) -> None:
        fields = {
            "age_band": person.age_band.value if person.age_band else None,
            "postcode_area": person.postcode_area,
        }
        await self._keep(referral_id, {**fields, "person_caused_by": caused_by})

    async def person(self, referral_id: str) -> Person:
        doc = await self._tx[PROPOSALS].find_one({"_id": referral_id}) or {}
        band = doc.get("age_band")
        return Person(AgeBand(band) if band else None, doc.get("postcode_area"))

    async def remember_need(
        self, referral_id: str, owner_organisation: str, need: Need, caused_by: str
    ) -> None:
        fields = {"owner_organisation": owner_organisation, **need_fields(need)}
        await self._keep(referral_id, {**fields, "need_caused_by": caused_by})

    async def _keep(self, referral_id: str, fields: Document) -> None:
        """Set ``fields``; a referral first seen here waits (an outcome recorded stays)."""
        await self._tx[PROPOSALS].update_one(
            {"_id": referral_id},
            {
                "$set": fields,
                "$setOnInsert": {"referral_id": referral_id, "status": WAITING, "offer": None},
            },
            upsert=True,
        )

    async def release(self, referral_id: str) -> None:
        await self._tx[PROPOSALS].update_one(
            {"_id": referral_id, "status": PROPOSED}, {"$set": {"status": RELEASED}}
        )

    async def waitlisted(self) -> list[tuple[str, str, Need]]:
        cursor = self._tx[PROPOSALS].find({"status": WAITLISTED}, sort=[("_id", 1)])
        return [
            (str(d["_id"]), d["owner_organisation"], need_from_doc(d))
            for d in await cursor.to_list()
        ]

    async def keep_match(self, referral_id: str, term: MatchTerm) -> None:
        match = {"start": term.start, "end": term.end, "renewals_left": term.renewals_left}
        await self._tx[PROPOSALS].update_one(
            {"_id": referral_id, "status": {"$in": [PROPOSED, MATCHED]}},
            {"$set": {"status": MATCHED, "match": match}},
        )

    async def matched(self, referral_id: str) -> tuple[Proposal, MatchTerm] | None:
        doc = await self._tx[PROPOSALS].find_one({"_id": referral_id, "status": MATCHED})
        if doc is None:
            return None
        return _proposal_of(doc), _term_of(doc["match"])

    async def end_match(self, referral_id: str, reason: str, at: datetime) -> None:
        await self._tx[PROPOSALS].update_one(
            {"_id": referral_id, "status": MATCHED},
            {"$set": {"status": ENDED, "match.ended_at": at, "match.ended_because": reason}},
        )

    async def due(self, now: datetime) -> list[str]:
        query = {"status": MATCHED, "match.end": {"$ne": None, "$lte": now}}
        cursor = self._tx[PROPOSALS].find(query, sort=[("_id", 1)])
        return [str(d["_id"]) for d in await cursor.to_list()]


def _proposal_of(doc: Document) -> Proposal:
    return Proposal(
        offer=offer_from_doc(doc["offer"]), score=float(doc["score"]), reasons=tuple(doc["reasons"])
    )


def _term_of(match: Document) -> MatchTerm:
    start = _aware(match["start"])
    assert start is not None
    return MatchTerm(start, _aware(match.get("end")), int(match.get("renewals_left", 0)))


async def prepare(store: MongoStore) -> None:
    """On start: indexes, and the demo registry when there are no offers yet."""
    await prepare_helpers(store)
    await store.db[OFFERS].create_index([("grades", ASCENDING)])
    await store.db[PROPOSALS].create_index([("owner_organisation", ASCENDING)])
    await store.db[PROPOSALS].create_index([("status", ASCENDING), ("match.end", ASCENDING)])
    if await store.db[OFFERS].count_documents({}) == 0:
        await seed_offers(store, DEMO_OFFERS)


async def seed_offers(store: MongoStore, offers: tuple[Offer, ...]) -> None:
    # $setOnInsert: two replicas starting together never overwrite places already taken.
    for offer in offers:
        doc = offer_to_doc(offer)
        await store.db[OFFERS].update_one(
            {"_id": doc.pop("_id")}, {"$setOnInsert": doc}, upsert=True
        )


async def list_offers(
    store: MongoStore,
    kind: OfferKind | None = None,
    district: str | None = None,
    grade: Grade | None = None,
    include_city_wide: bool = True,
) -> list[dict[str, Any]]:
    query: Document = {}
    if kind is not None:
        query["kind"] = kind.value
    if grade is not None:
        query["grades"] = grade.value
    if district is not None:
        query["district"] = {"$in": [district, None]} if include_city_wide else district
    docs = await store.db[OFFERS].find(query).sort([("kind", 1), ("_id", 1)]).to_list()
    return [offer_view(d) for d in docs]


async def find_proposal(store: MongoStore, referral_id: str) -> Document | None:
    return await store.db[PROPOSALS].find_one({"_id": referral_id})
