"""Sealing a person's details (envelope encryption), pure crypto with no storage.

Each person's details are sealed with their own data key; the data key is kept wrapped by the
service's master key. Erasure destroys the wrapped data key (crypto-shredding): the ciphertext,
and anything else sealed with that key, becomes unreadable for good, while the immutable event
history keeps only a pseudonym. Where the sealed parts are stored is the adapters' business.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


@dataclass(frozen=True)
class SealedPerson:
    """The details encrypted with the person's data key, and that key wrapped by the master
    key. Stored apart, so that deleting the wrapped key alone shreds the details."""

    pseudonym: str
    nonce: bytes
    ciphertext: bytes
    key_nonce: bytes
    wrapped_key: bytes
    sealed_at: datetime


class Sealer:
    """AES-256-GCM with the pseudonym as associated data, so a sealed record cannot be moved
    to another person unnoticed."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the vault master key must be 32 bytes")
        self._master = AESGCM(master_key)

    def seal(self, pseudonym: str, details: dict[str, Any]) -> SealedPerson:
        data_key = AESGCM.generate_key(bit_length=256)
        nonce, key_nonce = os.urandom(NONCE_BYTES), os.urandom(NONCE_BYTES)
        aad = pseudonym.encode()
        ciphertext = AESGCM(data_key).encrypt(nonce, json.dumps(details).encode(), aad)
        wrapped = self._master.encrypt(key_nonce, data_key, aad)
        return SealedPerson(pseudonym, nonce, ciphertext, key_nonce, wrapped, datetime.now(UTC))

    def open(self, sealed: SealedPerson) -> dict[str, Any]:
        aad = sealed.pseudonym.encode()
        data_key = self._master.decrypt(sealed.key_nonce, sealed.wrapped_key, aad)
        plain = AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, aad)
        details: dict[str, Any] = json.loads(plain)
        return details
