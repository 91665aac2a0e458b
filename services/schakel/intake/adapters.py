"""Intake's storage port and its MongoDB adapter: the referrals it accepted, the answers kept
per Idempotency-Key, and the person vault (sealed details apart from their wrapped keys).

Also the organisations' API keys (hashes only, see ``keys``).

Handlers see only ``IntakeRecords``, inside one unit of work (``IntakeUnitOfWork``): all its
writes and the events it emits commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.vocabulary import SignalerRole
from schakel.intake.keys import ApiKey
from schakel.intake.person_index import (
    PERSON_INDEX,
    MongoPersonIndex,
    PersonIndex,
    create_index_collection,
)
from schakel.intake.vault import SealedPerson
from schakel.platform.mongo import MongoStore, Transaction, ensure_ttl_index

REFERRALS = "referrals"
IDEMPOTENCY = "idempotency_keys"
PERSONS = "persons"
PERSON_KEYS = "person_keys"
API_KEYS = "api_keys"
T = TypeVar("T")


class KeyAlreadyUsed(ValueError):
    """An answer is already kept for this Idempotency-Key (a concurrent retry was first)."""


@dataclass(frozen=True)
class Remembered:
    """The first answer to a request with an Idempotency-Key, and that request's fingerprint."""

    fingerprint: str
    response: dict[str, Any]


@dataclass(frozen=True)
class ReferralRecord:
    """What intake keeps of a referral it accepted: handles, never personal details."""

    referral_id: str
    pseudonym: str
    receipt_hash: str
    channel: str
    referrer_organisation: str | None
    received_at: datetime


class IntakeRecords(PersonIndex, Protocol):
    async def remembered(self, key_id: str) -> Remembered | None: ...

    async def remember(self, key_id: str, remembered: Remembered) -> None:
        """Raises KeyAlreadyUsed when the key has an answer already."""
        ...

    async def add_referral(self, referral: ReferralRecord) -> None: ...

    async def referral(self, referral_id: str) -> ReferralRecord | None: ...

    async def join(self, signal_id: str, referral_id: str) -> None:
        """The signal ``signal_id`` is about the person of ``referral_id`` and joined it: an
        erasure of that person shreds the signal's sealed details too."""
        ...

    async def joined(self, referral_ids: list[str]) -> list[str]:
        """The pseudonyms under which the signals that joined ``referral_ids`` were sealed."""
        ...

    async def keep_person(self, person: SealedPerson) -> None: ...

    async def sealed_person(self, pseudonym: str) -> SealedPerson | None:
        """None when unknown or shredded."""
        ...

    async def shred_person(self, pseudonym: str) -> bool:
        """Destroy the person's data key, then the unreadable ciphertext and the person's
        keyed hashes in the duplicate index; False if unknown."""
        ...

    async def add_api_key(self, key: ApiKey) -> None: ...

    async def api_key(self, key_id: str) -> ApiKey | None: ...

    async def api_keys(self) -> list[ApiKey]:
        """Every key ever issued, revoked ones too, oldest first."""
        ...

    async def revoke_api_key(self, key_id: str, at: datetime, by: str) -> ApiKey | None:
        """The key as revoked (the first revocation stays); None when unknown."""
        ...

    def emit(self, event: EventEnvelope[Any]) -> None:
        """An event to publish when (and only if) the unit of work commits."""
        ...


class IntakeUnitOfWork(Protocol):
    async def __call__(self, work: Callable[[IntakeRecords], Awaitable[T]]) -> T:
        """Run ``work`` in one transaction; its writes and events commit together."""
        ...


def request_fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def idempotency_id(scope: str, key: str) -> str:
    """Keys are scoped per caller (organisation or the public form) so they cannot collide."""
    return hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()


class MongoIntakeRecords(MongoPersonIndex):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def remembered(self, key_id: str) -> Remembered | None:
        doc = await self._tx[IDEMPOTENCY].find_one({"_id": key_id})
        return None if doc is None else Remembered(doc["fingerprint"], doc["response"])

    async def remember(self, key_id: str, remembered: Remembered) -> None:
        doc = {
            "_id": key_id,
            "fingerprint": remembered.fingerprint,
            "response": remembered.response,
            "created_at": datetime.now(UTC),
        }
        try:
            await self._tx[IDEMPOTENCY].insert_one(doc)
        except DuplicateKeyError as exc:
            raise KeyAlreadyUsed(key_id) from exc

    async def add_referral(self, referral: ReferralRecord) -> None:
        await self._tx[REFERRALS].insert_one(
            {
                "_id": referral.referral_id,
                "pseudonym": referral.pseudonym,
                "receipt_hash": referral.receipt_hash,
                "channel": referral.channel,
                "referrer_organisation": referral.referrer_organisation,
                "received_at": referral.received_at,
            }
        )

    async def join(self, signal_id: str, referral_id: str) -> None:
        await self._tx[REFERRALS].update_one({"_id": signal_id}, {"$set": {"joined": referral_id}})

    async def joined(self, referral_ids: list[str]) -> list[str]:
        found = self._tx[REFERRALS].find({"joined": {"$in": referral_ids}}, sort=[("_id", 1)])
        return [doc["pseudonym"] for doc in await found.to_list()]

    async def referral(self, referral_id: str) -> ReferralRecord | None:
        doc = await self._tx[REFERRALS].find_one({"_id": referral_id})
        if doc is None:
            return None
        return ReferralRecord(
            referral_id=doc["_id"],
            pseudonym=doc["pseudonym"],
            receipt_hash=doc["receipt_hash"],
            channel=doc["channel"],
            referrer_organisation=doc.get("referrer_organisation"),
            received_at=doc["received_at"],
        )

    async def keep_person(self, person: SealedPerson) -> None:
        await self._tx[PERSONS].insert_one(
            {
                "_id": person.pseudonym,
                "nonce": person.nonce,
                "ciphertext": person.ciphertext,
                "sealed_at": person.sealed_at,
            }
        )
        await self._tx[PERSON_KEYS].insert_one(
            {
                "_id": person.pseudonym,
                "nonce": person.key_nonce,
                "wrapped_key": person.wrapped_key,
                "created_at": person.sealed_at,
            }
        )

    async def sealed_person(self, pseudonym: str) -> SealedPerson | None:
        person = await self._tx[PERSONS].find_one({"_id": pseudonym})
        key = await self._tx[PERSON_KEYS].find_one({"_id": pseudonym})
        if person is None or key is None:
            return None
        return SealedPerson(
            pseudonym=pseudonym,
            nonce=bytes(person["nonce"]),
            ciphertext=bytes(person["ciphertext"]),
            key_nonce=bytes(key["nonce"]),
            wrapped_key=bytes(key["wrapped_key"]),
            sealed_at=person["sealed_at"],
        )

    async def shred_person(self, pseudonym: str) -> bool:
        deleted = await self._tx[PERSON_KEYS].delete_one({"_id": pseudonym})
        await self._tx[PERSONS].delete_one({"_id": pseudonym})
        # Keyed hashes of name, birth date, address and phone: no later signal attaches.
        await self._tx[PERSON_INDEX].delete_many({"pseudonym": pseudonym})
        return deleted.deleted_count == 1

    async def add_api_key(self, key: ApiKey) -> None:
        await self._tx[API_KEYS].insert_one(
            {
                "_id": key.key_id,
                "key_hash": key.key_hash,
                "organisation": key.organisation,
                "signaler_role": key.signaler_role.value,
                "created_at": key.created_at,
                "created_by": key.created_by,
                "revoked_at": None,
                "revoked_by": None,
            }
        )

    async def api_key(self, key_id: str) -> ApiKey | None:
        doc = await self._tx[API_KEYS].find_one({"_id": key_id})
        return None if doc is None else _api_key(doc)

    async def api_keys(self) -> list[ApiKey]:
        order = [("created_at", ASCENDING), ("_id", ASCENDING)]
        docs = await self._tx[API_KEYS].find({}, sort=order).to_list()
        return [_api_key(doc) for doc in docs]

    async def revoke_api_key(self, key_id: str, at: datetime, by: str) -> ApiKey | None:
        await self._tx[API_KEYS].update_one(
            {"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": at, "revoked_by": by}}
        )
        return await self.api_key(key_id)

    def emit(self, event: EventEnvelope[Any]) -> None:
        self._tx.emit(event)


def _api_key(doc: dict[str, Any]) -> ApiKey:
    return ApiKey(
        key_id=doc["_id"],
        key_hash=doc["key_hash"],
        organisation=doc["organisation"],
        signaler_role=SignalerRole(doc["signaler_role"]),
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        revoked_at=doc.get("revoked_at"),
        revoked_by=doc.get("revoked_by"),
    )


class MongoIntakeUnitOfWork:
    """One MongoDB transaction per unit of work, bounded by ``within`` seconds: someone is
    waiting for the answer (past it the request is answered 503 and may be retried)."""

    def __init__(self, store: MongoStore, within: float) -> None:
        self._store = store
        self._within = within

    async def __call__(self, work: Callable[[IntakeRecords], Awaitable[T]]) -> T:
        return await self._store.transaction(
            lambda tx: work(MongoIntakeRecords(tx)), within=self._within
        )


async def create_indexes(store: MongoStore, idempotency_retention: timedelta) -> None:
    await store.db[REFERRALS].create_index([("receipt_hash", ASCENDING)], unique=True)
    await store.db[REFERRALS].create_index([("pseudonym", ASCENDING)])
    # A retry with the same Idempotency-Key after this time counts as a new request.
    await ensure_ttl_index(store.db[IDEMPOTENCY], "created_at", idempotency_retention)
    # Create the collections up front: their first use is then not inside a transaction.
    existing = await store.db.list_collection_names()
    for name in (PERSONS, PERSON_KEYS, IDEMPOTENCY, API_KEYS):
        if name not in existing:
            await store.db.create_collection(name)
    await create_index_collection(store)
