"""The person vault: personal details encrypted per person (envelope encryption).

Each person's details are sealed with their own data key; the data key is stored wrapped by
the service's master key. Erasure deletes the wrapped data key (crypto-shredding): the
ciphertext, and anything else sealed with that key, becomes unreadable for good, while the
immutable event history keeps only a pseudonym.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from schakel.platform.mongo import Document

PERSONS = "persons"
PERSON_KEYS = "person_keys"
NONCE_BYTES = 12


class Sealer:
    """AES-256-GCM with the pseudonym as associated data, so a sealed record cannot be moved
    to another person unnoticed."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the vault master key must be 32 bytes")
        self._master = AESGCM(master_key)

    def seal(self, pseudonym: str, details: dict[str, Any]) -> tuple[Document, Document]:
        """(person row, key row) for ``details``."""
        data_key = AESGCM.generate_key(bit_length=256)
        nonce, key_nonce = os.urandom(NONCE_BYTES), os.urandom(NONCE_BYTES)
        aad = pseudonym.encode()
        ciphertext = AESGCM(data_key).encrypt(nonce, json.dumps(details).encode(), aad)
        wrapped = self._master.encrypt(key_nonce, data_key, aad)
        now = datetime.now(UTC)
        person = {"_id": pseudonym, "nonce": nonce, "ciphertext": ciphertext, "sealed_at": now}
        key = {"_id": pseudonym, "nonce": key_nonce, "wrapped_key": wrapped, "created_at": now}
        return person, key

    def open(self, person: Document, key: Document) -> dict[str, Any]:
        aad = str(person["_id"]).encode()
        data_key = self._master.decrypt(bytes(key["nonce"]), bytes(key["wrapped_key"]), aad)
        plain = AESGCM(data_key).decrypt(bytes(person["nonce"]), bytes(person["ciphertext"]), aad)
        details: dict[str, Any] = json.loads(plain)
        return details


class PersonVault:
    def __init__(self, db: AsyncDatabase[Document], sealer: Sealer) -> None:
        self._db = db
        self._sealer = sealer

    async def keep(
        self, pseudonym: str, details: dict[str, Any], session: AsyncClientSession
    ) -> None:
        person, key = self._sealer.seal(pseudonym, details)
        await self._db[PERSONS].insert_one(person, session=session)
        await self._db[PERSON_KEYS].insert_one(key, session=session)

    async def reveal(self, pseudonym: str) -> dict[str, Any] | None:
        """The details, or None when unknown or erased."""
        person = await self._db[PERSONS].find_one({"_id": pseudonym})
        key = await self._db[PERSON_KEYS].find_one({"_id": pseudonym})
        if person is None or key is None:
            return None
        return self._sealer.open(person, key)

    async def shred(self, pseudonym: str) -> bool:
        """Erase a person: drop the data key, then the (now unreadable) ciphertext."""
        deleted = await self._db[PERSON_KEYS].delete_one({"_id": pseudonym})
        await self._db[PERSONS].delete_one({"_id": pseudonym})
        return deleted.deleted_count == 1
