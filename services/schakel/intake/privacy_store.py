"""Intake's port for a person's rights (erasure, export, contact details on need) and its
MongoDB adapter.

Besides the vault it keeps, per referral, who owns it now and a pseudonymous timeline (event
type, time, acting organisation and role), both learnt from ``schakel.referral-events``; and
per erased person when, by whom and why (no details). A separate port from ``IntakeRecords``
so that signalling's storage stays as it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pymongo import ASCENDING

from schakel.contracts.envelope import EventEnvelope
from schakel.intake.adapters import MongoIntakeRecords, ReferralRecord
from schakel.intake.vault import SealedPerson
from schakel.platform.mongo import MongoStore, Transaction

TRACKS = "referral_tracks"
ERASURES = "erasures"
T = TypeVar("T")


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a referral as intake saw it go by: never personal details."""

    event_type: str
    at: datetime
    organisation: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Erasure:
    """A person was erased: by whom, why and when; their referrals at that moment."""

    pseudonym: str
    erased_at: datetime
    username: str
    organisation: str
    role: str
    reason: str
    referral_ids: tuple[str, ...]


class PrivacyRecords(Protocol):
    async def referral(self, referral_id: str) -> ReferralRecord | None: ...

    async def referrals_of(self, pseudonym: str) -> list[ReferralRecord]:
        """Every referral about the person, oldest first."""
        ...

    async def sealed_person(self, pseudonym: str) -> SealedPerson | None: ...

    async def shred_person(self, pseudonym: str) -> bool: ...

    async def joined(self, referral_ids: list[str]) -> list[str]:
        """The pseudonyms of the signals that joined ``referral_ids`` (one person, one
        referral): sealed apart, erased together."""
        ...

    async def owner(self, referral_id: str) -> str | None:
        """The organisation that owns the referral now; None before triage routed it."""
        ...

    async def track(self, referral_id: str, entry: TimelineEntry, owner: str | None) -> None:
        """Add ``entry`` to the referral's timeline and, when given, make ``owner`` its owner."""
        ...

    async def timeline(self, referral_id: str) -> list[TimelineEntry]: ...

    async def erasure(self, pseudonym: str) -> Erasure | None: ...

    async def record_erasure(self, erasure: Erasure) -> None: ...

    def emit(self, event: EventEnvelope[Any]) -> None: ...


class PrivacyUnitOfWork(Protocol):
    async def __call__(self, work: Callable[[PrivacyRecords], Awaitable[T]]) -> T: ...


class MongoPrivacyRecords:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._intake = MongoIntakeRecords(tx)

    async def referral(self, referral_id: str) -> ReferralRecord | None:
        return await self._intake.referral(referral_id)

    async def referrals_of(self, pseudonym: str) -> list[ReferralRecord]:
        order = [("received_at", ASCENDING), ("_id", ASCENDING)]
        docs = await self._tx["referrals"].find({"pseudonym": pseudonym}, sort=order).to_list()
        found = [await self._intake.referral(doc["_id"]) for doc in docs]
        return [r for r in found if r is not None]

    async def sealed_person(self, pseudonym: str) -> SealedPerson | None:
        return await self._intake.sealed_person(pseudonym)

    async def joined(self, referral_ids: list[str]) -> list[str]:
        return await self._intake.joined(referral_ids)

    async def shred_person(self, pseudonym: str) -> bool:
        return await self._intake.shred_person(pseudonym)

    async def owner(self, referral_id: str) -> str | None:
        doc = await self._tx[TRACKS].find_one({"_id": referral_id}, projection={"owner": 1})
        return None if doc is None else doc.get("owner")

    async def track(self, referral_id: str, entry: TimelineEntry, owner: str | None) -> None:
        change: dict[str, Any] = {
            "$push": {
                "timeline": {
                    "event_type": entry.event_type,
                    "at": entry.at,
                    "organisation": entry.organisation,
                    "role": entry.role,
                }
            }
        }
        if owner is not None:
            change["$set"] = {"owner": owner}
        await self._tx[TRACKS].update_one({"_id": referral_id}, change, upsert=True)

    async def timeline(self, referral_id: str) -> list[TimelineEntry]:
        doc = await self._tx[TRACKS].find_one({"_id": referral_id})
        return [TimelineEntry(**entry) for entry in (doc or {}).get("timeline", [])]

    async def erasure(self, pseudonym: str) -> Erasure | None:
        doc = await self._tx[ERASURES].find_one({"_id": pseudonym})
        if doc is None:
            return None
        return Erasure(
            pseudonym=doc["_id"],
            erased_at=doc["erased_at"],
            username=doc["username"],
            organisation=doc["organisation"],
            role=doc["role"],
            reason=doc["reason"],
            referral_ids=tuple(doc["referral_ids"]),
        )

    async def record_erasure(self, erasure: Erasure) -> None:
        await self._tx[ERASURES].insert_one(
            {
                "_id": erasure.pseudonym,
                "erased_at": erasure.erased_at,
                "username": erasure.username,
                "organisation": erasure.organisation,
                "role": erasure.role,
                "reason": erasure.reason,
                "referral_ids": list(erasure.referral_ids),
            }
        )

    def emit(self, event: EventEnvelope[Any]) -> None:
        self._tx.emit(event)


class MongoPrivacyUnitOfWork:
    """One MongoDB transaction per request, bounded by ``within`` seconds (then 503)."""

    def __init__(self, store: MongoStore, within: float) -> None:
        self._store = store
        self._within = within

    async def __call__(self, work: Callable[[PrivacyRecords], Awaitable[T]]) -> T:
        return await self._store.transaction(
            lambda tx: work(MongoPrivacyRecords(tx)), within=self._within
        )


async def create_privacy_collections(store: MongoStore) -> None:
    """Up front, so that their first use is not inside a transaction."""
    existing = await store.db.list_collection_names()
    for name in (TRACKS, ERASURES):
        if name not in existing:
            await store.db.create_collection(name)
