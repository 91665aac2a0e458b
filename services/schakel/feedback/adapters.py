"""Feedback's MongoDB: the ``referrals`` read model, one document per referral."""

from __future__ import annotations

from typing import Protocol

from pydantic import TypeAdapter
from pymongo import ASCENDING, DESCENDING

from schakel.contracts.vocabulary import (
    AUTHENTICATED_CHANNELS,
    Channel,
    Grade,
    OfferKind,
    Route,
    SignalerRole,
    SignalerStatus,
    Urgency,
    authenticated_organisation,
)
from schakel.feedback.domain import (
    HistoryEntry,
    Lifecycle,
    ProposedSupport,
    ReferralState,
    ReferralStatus,
)
from schakel.platform.mongo import Document, MongoStore, Transaction

REFERRALS = "referrals"
LIST_LIMIT = 100
_LIFECYCLE = TypeAdapter(Lifecycle)


class ReferralStore(Protocol):
    async def get(self, referral_id: str) -> ReferralState | None: ...

    async def save(self, state: ReferralState) -> None: ...


def state_to_doc(state: ReferralState) -> Document:
    proposal = state.proposal
    return {
        "_id": state.referral_id,
        "referral_id": state.referral_id,
        "status": state.status.value,
        "signaler_status": state.signaler_status.value,
        "signaler_status_since": state.signaler_status_since,
        "updated_at": state.updated_at,
        "receipt_hash": state.receipt_hash,
        "channel": _value(state.channel),
        "referrer_organisation": state.referrer_organisation,
        "signaler_role": _value(state.signaler_role),
        "person_pseudonym": state.person_pseudonym,
        "received_at": state.received_at,
        "grade": _value(state.grade),
        "urgency": _value(state.urgency),
        "district": state.district,
        "route": _value(state.route),
        "owner_organisation": state.owner_organisation,
        "owner_name": state.owner_name,
        "proposal": None
        if proposal is None
        else {
            "kind": proposal.kind.value,
            "title": proposal.title,
            "provider_organisation": proposal.provider_organisation,
        },
        "waitlist_reason": state.waitlist_reason,
        "lifecycle": lifecycle_to_doc(state.lifecycle),
        "history": [
            {"event_id": h.event_id, "type": h.type, "time": h.time} for h in state.history
        ],
    }


def lifecycle_to_doc(lifecycle: Lifecycle) -> Document:
    doc: Document = _LIFECYCLE.dump_python(lifecycle, mode="json")
    return doc


def lifecycle_from_doc(doc: Document | None) -> Lifecycle:
    return _LIFECYCLE.validate_python(doc or {})


def _value(member: Channel | SignalerRole | Grade | Urgency | Route | None) -> str | None:
    return None if member is None else member.value


def state_from_doc(doc: Document) -> ReferralState:
    proposal = doc.get("proposal")
    channel = Channel(doc["channel"]) if doc.get("channel") else None
    return ReferralState(
        referral_id=str(doc["_id"]),
        status=ReferralStatus(doc["status"]),
        signaler_status=SignalerStatus(doc["signaler_status"]),
        signaler_status_since=doc["signaler_status_since"],
        updated_at=doc["updated_at"],
        receipt_hash=doc.get("receipt_hash"),
        channel=channel,
        # Documents folded before 2026-12 may hold a public form's free text here.
        referrer_organisation=authenticated_organisation(channel, doc.get("referrer_organisation")),
        signaler_role=SignalerRole(doc["signaler_role"]) if doc.get("signaler_role") else None,
        person_pseudonym=doc.get("person_pseudonym"),
        received_at=doc.get("received_at"),
        grade=Grade(doc["grade"]) if doc.get("grade") else None,
        urgency=Urgency(doc["urgency"]) if doc.get("urgency") else None,
        district=doc.get("district"),
        route=Route(doc["route"]) if doc.get("route") else None,
        owner_organisation=doc.get("owner_organisation"),
        owner_name=doc.get("owner_name"),
        proposal=None
        if not proposal
        else ProposedSupport(
            OfferKind(proposal["kind"]), proposal["title"], proposal["provider_organisation"]
        ),
        waitlist_reason=doc.get("waitlist_reason"),
        # Documents folded before followup existed have none: nobody had acted on them.
        lifecycle=lifecycle_from_doc(doc.get("lifecycle")),
        history=tuple(
            HistoryEntry(h["event_id"], h["type"], h["time"]) for h in doc.get("history", [])
        ),
    )


class MongoReferrals:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def get(self, referral_id: str) -> ReferralState | None:
        doc = await self._tx[REFERRALS].find_one({"_id": referral_id})
        return None if doc is None else state_from_doc(doc)

    async def save(self, state: ReferralState) -> None:
        await self._tx[REFERRALS].replace_one(
            {"_id": state.referral_id}, state_to_doc(state), upsert=True
        )


async def prepare(store: MongoStore) -> None:
    """On start: the indexes the HTTP lookups use."""
    referrals = store.db[REFERRALS]
    await referrals.create_index([("receipt_hash", ASCENDING)])
    await referrals.create_index([("referrer_organisation", ASCENDING)])
    await referrals.create_index([("owner_organisation", ASCENDING)])
    await referrals.create_index([("received_at", DESCENDING)])


async def find_by_receipt(store: MongoStore, hashed: str) -> ReferralState | None:
    doc = await store.db[REFERRALS].find_one({"receipt_hash": hashed})
    return None if doc is None else state_from_doc(doc)


async def find_referral(store: MongoStore, referral_id: str) -> ReferralState | None:
    doc = await store.db[REFERRALS].find_one({"_id": referral_id})
    return None if doc is None else state_from_doc(doc)


async def referrals_of(store: MongoStore, organisation: str) -> list[ReferralState]:
    """The organisation's referrals, as referrer (on a channel that authenticates it, see
    ``state_from_doc``) or as owner, newest first."""
    authenticated = [channel.value for channel in AUTHENTICATED_CHANNELS]
    query: Document = {
        "$or": [
            {"referrer_organisation": organisation, "channel": {"$in": authenticated}},
            {"owner_organisation": organisation},
        ]
    }
    docs = await (
        store.db[REFERRALS]
        .find(query)
        .sort([("received_at", DESCENDING), ("_id", ASCENDING)])
        .limit(LIST_LIMIT)
        .to_list()
    )
    return [state_from_doc(d) for d in docs]
