"""Triage's MongoDB: one decision per referral."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Protocol

from pymongo.errors import DuplicateKeyError

from schakel.contracts.vocabulary import (
    AgeBand,
    Channel,
    Grade,
    LonelinessKind,
    Observation,
    PrescribedTo,
    RiskGroup,
    Route,
    Urgency,
)
from schakel.platform.mongo import Document, Transaction
from schakel.triage.domain import Decision, Facts, Fired

DECISIONS = "decisions"


class AlreadyDecided(ValueError):
    """A referral is triaged once; a second decision is refused, not silently replaced."""


class DecisionStore(Protocol):
    async def add(
        self, referral_id: str, decision: Decision, event_id: str, facts: Facts | None = None
    ) -> None:
        """Raises AlreadyDecided when the referral has a decision."""
        ...

    async def decided(self, referral_id: str) -> Decision | None: ...

    async def facts(self, referral_id: str) -> Facts | None:
        """What the decision was made on (None: unknown, or decided before facts were kept)."""
        ...

    async def revise(self, referral_id: str, decision: Decision, facts: Facts) -> None:
        """A decision judged again (after a concern): replaces the stored one and its facts."""
        ...


class MongoDecisions:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(
        self, referral_id: str, decision: Decision, event_id: str, facts: Facts | None = None
    ) -> None:
        doc: Document = {
            "_id": referral_id,
            **asdict(decision),
            "facts": None if facts is None else facts_to_doc(facts),
            "caused_by": event_id,
            "decided_at": datetime.now(UTC),
        }
        try:
            await self._tx[DECISIONS].insert_one(doc)
        except DuplicateKeyError as exc:
            raise AlreadyDecided(referral_id) from exc

    async def decided(self, referral_id: str) -> Decision | None:
        doc = await self._tx[DECISIONS].find_one({"_id": referral_id})
        return None if doc is None else decision_of(doc)

    async def facts(self, referral_id: str) -> Facts | None:
        doc = await self._tx[DECISIONS].find_one({"_id": referral_id}, projection={"facts": 1})
        return None if doc is None or not doc.get("facts") else facts_of_doc(doc["facts"])

    async def revise(self, referral_id: str, decision: Decision, facts: Facts) -> None:
        fields = {**asdict(decision), "facts": facts_to_doc(facts)}
        await self._tx[DECISIONS].update_one(
            {"_id": referral_id},
            {"$set": {**fields, "revised_at": datetime.now(UTC)}},
            upsert=True,
        )


def facts_to_doc(facts: Facts) -> Document:
    return {
        "channel": facts.channel.value,
        "observations": sorted(o.value for o in facts.observations),
        "djg_score": facts.djg_score,
        "age_band": None if facts.age_band is None else facts.age_band.value,
        "postcode_area": facts.postcode_area,
        "prescribed_to": None if facts.prescribed_to is None else facts.prescribed_to.value,
        "consent_to_contact": facts.consent_to_contact,
    }


def facts_of_doc(doc: Document) -> Facts:
    return Facts(
        channel=Channel(doc["channel"]),
        observations=frozenset(Observation(o) for o in doc["observations"]),
        djg_score=doc["djg_score"],
        age_band=None if doc["age_band"] is None else AgeBand(doc["age_band"]),
        postcode_area=doc["postcode_area"],
        prescribed_to=None if doc["prescribed_to"] is None else PrescribedTo(doc["prescribed_to"]),
        consent_to_contact=bool(doc["consent_to_contact"]),
    )


def decision_of(doc: Document) -> Decision:
    grade = doc["grade"]
    return Decision(
        grade=None if grade is None else Grade(grade),
        grade_provisional=bool(doc["grade_provisional"]),
        urgency=Urgency(doc["urgency"]),
        route=Route(doc["route"]),
        owner_organisation=doc["owner_organisation"],
        owner_name=doc["owner_name"],
        assign_within_hours=doc["assign_within_hours"],
        district=doc["district"],
        district_name=doc["district_name"],
        kinds=tuple(LonelinessKind(k) for k in doc["kinds"]),
        risk_groups=tuple(RiskGroup(g) for g in doc["risk_groups"]),
        rules_fired=tuple(Fired(f["rule_id"], f["reason"]) for f in doc["rules_fired"]),
        rule_set_version=doc["rule_set_version"],
        consent_to_contact=bool(doc.get("consent_to_contact", False)),
    )
