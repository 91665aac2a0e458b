"""Sealing the notes owners type about a referral (envelope encryption), pure crypto with no
storage: free text may name the person, so no note is written to the database in plain text.

Each referral's notes are sealed with its own data key, kept wrapped by followup's master key.
Erasure destroys the wrapped key (crypto-shredding): every copy of a sealed note, MongoDB's
write log (oplog) included, becomes unreadable for good.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32


@dataclass(frozen=True)
class WrappedKey:
    """A referral's data key, encrypted with the master key; deleting it shreds the notes."""

    nonce: bytes
    wrapped: bytes


class NoteSealer:
    """AES-256-GCM. The referral id is the wrapped key's associated data and, with the log
    entry's event id, the note's: a sealed note cannot be moved to another entry unnoticed."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_BYTES:
            raise ValueError(f"the followup notes key must be {KEY_BYTES} bytes")
        self._master = AESGCM(master_key)

    def new_key(self, referral_id: str) -> tuple[bytes, WrappedKey]:
        """A fresh data key for the referral, and the same key wrapped to store."""
        data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        nonce = os.urandom(NONCE_BYTES)
        return data_key, WrappedKey(nonce, self._master.encrypt(nonce, data_key, _aad(referral_id)))

    def unwrap(self, referral_id: str, key: WrappedKey) -> bytes:
        return self._master.decrypt(key.nonce, key.wrapped, _aad(referral_id))


def seal(data_key: bytes, referral_id: str, event_id: str, note: str) -> bytes:
    """The note encrypted with the referral's data key: nonce then ciphertext."""
    nonce = os.urandom(NONCE_BYTES)
    aad = _aad(referral_id, event_id)
    return nonce + AESGCM(data_key).encrypt(nonce, note.encode(), aad)


def open_note(data_key: bytes, referral_id: str, event_id: str, sealed: bytes) -> str:
    aad = _aad(referral_id, event_id)
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    return AESGCM(data_key).decrypt(nonce, ciphertext, aad).decode()


def _aad(*parts: str) -> bytes:
    return "\x1f".join(parts).encode()
