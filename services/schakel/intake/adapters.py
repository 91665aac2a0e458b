"""Intake's MongoDB: referrals it accepted, idempotency keys, and the person vault."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING

from schakel.intake.vault import PERSON_KEYS, PERSONS
from schakel.platform.mongo import Document, MongoStore, Transaction

REFERRALS = "referrals"
IDEMPOTENCY = "idempotency_keys"


async def create_indexes(store: MongoStore) -> None:
    await store.db[REFERRALS].create_index([("receipt_hash", ASCENDING)], unique=True)
    await store.db[REFERRALS].create_index([("pseudonym", ASCENDING)])
    # Touch the vault collections so their first use is not inside a transaction.
    for name in (PERSONS, PERSON_KEYS, IDEMPOTENCY):
        if name not in await store.db.list_collection_names():
            await store.db.create_collection(name)


def request_fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def idempotency_id(scope: str, key: str) -> str:
    """Keys are scoped per caller (organisation or the public form) so they cannot collide."""
    return hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()


async def remembered_response(store: MongoStore, key_id: str) -> Document | None:
    return await store.db[IDEMPOTENCY].find_one({"_id": key_id})


async def remember_response(
    tx: Transaction, key_id: str, fingerprint: str, response: dict[str, Any]
) -> None:
    await tx.db[IDEMPOTENCY].insert_one(
        {
            "_id": key_id,
            "fingerprint": fingerprint,
            "response": response,
            "created_at": datetime.now(UTC),
        },
        session=tx.session,
    )


async def record_referral(tx: Transaction, doc: Document) -> None:
    await tx.db[REFERRALS].insert_one(doc, session=tx.session)
