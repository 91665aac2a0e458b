"""Triage's MongoDB: one decision per referral."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Protocol

from schakel_platform.mongo import Document, MongoStore, Transaction
from triage.domain import Decision

DECISIONS = "decisions"


class DecisionStore(Protocol):
    async def add(self, referral_id: str, decision: Decision, event_id: str) -> None: ...


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
        await self._tx.db[DECISIONS].insert_one(doc, session=self._tx.session)


async def find_decision(store: MongoStore, referral_id: str) -> Document | None:
    return await store.db[DECISIONS].find_one({"_id": referral_id})
