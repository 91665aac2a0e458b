"""Triage's MongoDB: one decision per referral."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Protocol

from pymongo.errors import DuplicateKeyError

from schakel.contracts.vocabulary import Grade, LonelinessKind, Urgency
from schakel.platform.mongo import Document, Transaction
from schakel.triage.domain import Decision

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
    return Decision(
        grade=Grade(doc["grade"]),
        kinds=tuple(LonelinessKind(k) for k in doc["kinds"]),
        urgency=Urgency(doc["urgency"]),
        risk_groups=tuple(doc["risk_groups"]),
        district=doc["district"],
        owner_organisation=doc["owner_organisation"],
        reasons=tuple(doc["reasons"]),
        rule_set_version=doc["rule_set_version"],
    )
