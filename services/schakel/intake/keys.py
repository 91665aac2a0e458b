"""Organisations' API keys, pure Python: making a key, its hash and reading one that is sent.

A key is ``schakel_<key id>_<secret>``: the key id (8 hex digits) is what an administrator
sees in the list and what the store looks a key up by; the secret is 256 random bits. Only
the SHA-256 of the whole key is kept. A slow password hash (PBKDF2, bcrypt, argon2) exists to
make guessing low-entropy passwords expensive; nobody guesses 256 random bits, fast or slow,
and a slow hash on every signal would hand anyone with a made-up key a way to burn CPU.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from schakel.contracts.vocabulary import SignalerRole

KEY_PATTERN = re.compile(r"^schakel_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
# Who may signal with a key: organisations whose people notice loneliness at work. GP
# practices send prescriptions with a practice token; people reporting about themselves
# need no key.
KEY_ROLES = frozenset(SignalerRole) - {SignalerRole.HUISARTS, SignalerRole.ZELF}


@dataclass(frozen=True)
class ApiKey:
    """What is kept of a key: never the key itself."""

    key_id: str
    key_hash: str
    organisation: str
    signaler_role: SignalerRole
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class NewKey:
    """A key just made: ``key`` is shown once and then exists only with its holder."""

    key: str
    record: ApiKey


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(organisation: str, role: SignalerRole, created_by: str, created_at: datetime) -> NewKey:
    if role not in KEY_ROLES:
        raise ValueError(f"no API key for the signaler role {role.value}")
    key_id, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    key = f"schakel_{key_id}_{secret}"
    record = ApiKey(key_id, key_hash(key), organisation, role, created_at, created_by)
    return NewKey(key, record)


def key_id_of(sent: str) -> str | None:
    """The key id of something shaped like a key, or None."""
    match = KEY_PATTERN.match(sent.strip())
    return None if match is None else match[1]


def matches(sent: str, record: ApiKey) -> bool:
    """The sent key is this record's (compared in constant time)."""
    return hmac.compare_digest(key_hash(sent.strip()), record.key_hash)
