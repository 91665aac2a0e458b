"""Receipts of signals that joined another referral (one person, one open referral): each
signaler keeps their own receipt code, and its status page follows the referral the signal
joined. A signal waiting for the owner's answer (a suspected duplicate) shows as received.

The ``receipts`` collection maps a receipt hash to that referral; a referral's own receipt
is still found on the referral itself (``adapters.find_by_receipt``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import DuplicateSuspected, SignalAttached
from schakel.contracts.vocabulary import SignalerStatus
from schakel.feedback.adapters import find_referral
from schakel.feedback.domain import ReferralState, ReferralStatus
from schakel.platform.consumer import Handler
from schakel.platform.mongo import MongoStore, Transaction

RECEIPTS = "receipts"


async def attached(event: EventEnvelope[Any], tx: Transaction) -> None:
    data: SignalAttached = event.data
    doc = {
        "referral_id": data.referral_id,
        "signal_id": data.signal_id,
        "attached": True,
        "since": data.attached_at,
    }
    await tx[RECEIPTS].replace_one({"_id": data.receipt_hash}, doc, upsert=True)


async def suspected(event: EventEnvelope[Any], tx: Transaction) -> None:
    data: DuplicateSuspected = event.data
    doc = {
        "referral_id": None,  # not yet: the owner decides
        "signal_id": data.signal_id,
        "attached": False,
        "since": data.suspected_at,
    }
    # Insert only: an attach that was applied first (replay order is per referral) stays.
    await tx[RECEIPTS].update_one({"_id": data.receipt_hash}, {"$setOnInsert": doc}, upsert=True)


HANDLERS: dict[str, Handler] = {
    SignalAttached.event_name: attached,
    DuplicateSuspected.event_name: suspected,
}


async def followed_by(store: MongoStore, hashed: str) -> ReferralState | None:
    """What the holder of a joined (or waiting) signal's receipt sees: the referral it joined,
    dated from their own signal; None for a receipt this collection does not know."""
    doc = await store.db[RECEIPTS].find_one({"_id": hashed})
    if doc is None:
        return None
    since: datetime = doc["since"]
    joined = await find_referral(store, doc["referral_id"]) if doc["attached"] else None
    if joined is None:
        return ReferralState(
            referral_id=doc["signal_id"],
            status=ReferralStatus.RECEIVED,
            signaler_status=SignalerStatus.ONTVANGEN,
            signaler_status_since=since,
            updated_at=since,
            received_at=since,
        )
    return replace(joined, received_at=since)  # their own signal's date, not the first one's
