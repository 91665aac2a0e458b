"""Triage's MongoDB: one decision per referral."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Protocol

from pymongo.errors import DuplicateKeyError

from schakel.contracts.vocabulary import Grade, LonelinessKind, RiskGroup, Route, Urgency
from schakel.platform.mongo import Document, Transaction
from schakel.triage.domain import Decision, Fired

DECISIONS = "decisions"


class AlreadyDecided(ValueError):
    """A referral is triaged once; a second decision is refused, not silently replaced."""


class DecisionStore(Protocol):
    async def add(self, referral_id: str, decision: Decision, event_id: str) -> None:
        """Raises AlreadyDecided when the referral has a decision."""
        ...

    async def decided(self, referral_id: str) -> Decision | None: ...


class MongoDecisions:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, referral_id: str, decision: Decision, event_id: str) -> None:
        doc: Document = {
            "_id": referral_id,
            **asdict(decision),
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
