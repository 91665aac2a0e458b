"""Suspected duplicates in the owner's inbox (one person, one open referral).

Intake holds a signal that may be about the person of an open referral and says so
(duplicate-suspected); the referral's owner answers: the same person (duplicate-confirmed:
intake attaches the signal) or someone else (duplicate-rejected: it becomes a referral of
its own, triaged as usual). Nothing is merged without that answer. Each suspicion is one
document of ``duplicate_suspicions``, folded from those events (so replay rebuilds it); the
owner's answer writes it in the same unit of work as the event.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pymongo import ASCENDING

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import (
    DuplicateConfirmed,
    DuplicateRejected,
    DuplicateSuspected,
    SignalAttached,
)
from schakel.platform.consumer import Handler
from schakel.platform.mongo import Document, MongoStore, Transaction

SUSPICIONS = "duplicate_suspicions"


class Answer(StrEnum):
    WAITING = "waiting"
    CONFIRMED = "confirmed"  # the owner: the same person
    REJECTED = "rejected"  # the owner: someone else
    ATTACHED = "attached"  # intake attached the signal (after a confirmation)


async def suspected(event: EventEnvelope[Any], tx: Transaction) -> None:
    data: DuplicateSuspected = event.data
    doc: Document = {
        "referral_id": data.referral_id,
        "signal_id": data.signal_id,
        "channel": data.channel.value,
        "signaler_role": data.signaler.role.value,
        "observations": [o.value for o in data.observations],
        "matched_on": list(data.matched_on),
        "suspected_at": data.suspected_at,
        "correlation_id": event.correlationid,  # the answer continues the signal's story
        "answer": Answer.WAITING.value,
        "decided_by": None,
        "decided_at": None,
    }
    await tx[SUSPICIONS].update_one({"_id": data.signal_id}, {"$setOnInsert": doc}, upsert=True)


async def decided(tx: Transaction, data: DuplicateConfirmed | DuplicateRejected) -> None:
    answer = Answer.CONFIRMED if isinstance(data, DuplicateConfirmed) else Answer.REJECTED
    change = {"answer": answer.value, "decided_by": data.decided_by, "decided_at": data.decided_at}
    await tx[SUSPICIONS].update_one(
        {"_id": data.signal_id, "answer": Answer.WAITING.value}, {"$set": change}
    )


async def on_decision(event: EventEnvelope[Any], tx: Transaction) -> None:
    await decided(tx, event.data)


async def attached(event: EventEnvelope[Any], tx: Transaction) -> None:
    data: SignalAttached = event.data
    await tx[SUSPICIONS].update_one(
        {"_id": data.signal_id}, {"$set": {"answer": Answer.ATTACHED.value}}
    )


HANDLERS: dict[str, Handler] = {
    DuplicateSuspected.event_name: suspected,
    DuplicateConfirmed.event_name: on_decision,
    DuplicateRejected.event_name: on_decision,
    SignalAttached.event_name: attached,
}


async def waiting_in(tx: Transaction, signal_id: str) -> Document | None:
    found: Document | None = await tx[SUSPICIONS].find_one({"_id": signal_id})
    return found


async def waiting_for(store: MongoStore, referral_ids: list[str]) -> list[Document]:
    """The suspicions of these referrals still waiting for their owner, oldest first."""
    query = {"referral_id": {"$in": referral_ids}, "answer": Answer.WAITING.value}
    order = [("suspected_at", ASCENDING), ("_id", ASCENDING)]
    docs: list[Document] = await store.db[SUSPICIONS].find(query, sort=order).to_list()
    return docs


def suspicion_view(doc: Document) -> dict[str, Any]:
    """What the owner sees: no names (those stay in intake's vault), what agreed, and who
    signalled (the kind of signaler and the channel)."""
    when: datetime = doc["suspected_at"]
    return {
        "referral_id": doc["referral_id"],
        "signal_id": doc["_id"],
        "channel": doc["channel"],
        "signaler_role": doc["signaler_role"],
        "observations": doc["observations"],
        "matched_on": doc["matched_on"],
        "suspected_at": when.isoformat(),
        "answer": doc["answer"],
        "actions": {
            "confirm": f"/api/v1/referrals/{doc['referral_id']}/duplicates/{doc['_id']}/confirm",
            "reject": f"/api/v1/referrals/{doc['referral_id']}/duplicates/{doc['_id']}/reject",
        },
    }


async def prepare(store: MongoStore) -> None:
    if SUSPICIONS not in await store.db.list_collection_names():
        await store.db.create_collection(SUSPICIONS)
    await store.db[SUSPICIONS].create_index([("referral_id", ASCENDING), ("answer", ASCENDING)])
