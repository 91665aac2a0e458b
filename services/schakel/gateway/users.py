"""Accounts for ``POST /api/v1/auth/token``: a JSON users file with PBKDF2-SHA256 hashes.

This is the development and demo stand-in for an identity provider. In production the
organisations log in through an identity provider (OpenID Connect, e.g. the municipality's
or a GP-practice federation's) and the gateway only exchanges or verifies its tokens; the
users file and these password hashes are then not used at all.

A hash looks like ``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from schakel.platform.auth import Principal, Role

SCHEME = "pbkdf2_sha256"
# OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
DEFAULT_ITERATIONS = 600_000
SALT_BYTES = 16


class UsersFileError(RuntimeError):
    """The users file is missing or not a list of accounts."""


@dataclass(frozen=True)
class User:
    username: str
    password_hash: str
    organisation: str
    roles: frozenset[Role]

    def principal(self) -> Principal:
        return Principal(username=self.username, organisation=self.organisation, roles=self.roles)


def hash_password(
    password: str, *, iterations: int = DEFAULT_ITERATIONS, salt: bytes | None = None
) -> str:
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    """Constant-time check of ``password`` against an encoded hash; False for a malformed one."""
    try:
        scheme, iterations, salt, expected = encoded.split("$")
        if scheme != SCHEME:
            return False
        digest = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), bytes.fromhex(salt), int(iterations)
        )
        return hmac.compare_digest(digest, bytes.fromhex(expected))
    except ValueError:
        return False


@cache
def _decoy_hash() -> str:
    """Checked for unknown usernames, so a login takes as long whether the user exists or not."""
    return hash_password("decoy", salt=b"\0" * SALT_BYTES)


class UserStore:
    def __init__(self, users: dict[str, User]) -> None:
        self._users = users

    def __len__(self) -> int:
        return len(self._users)

    def authenticate(self, username: str, password: str) -> Principal | None:
        """The user's principal if the password is right; blocking (PBKDF2), run it in a thread."""
        user = self._users.get(username)
        matches = verify_password(password, user.password_hash if user else _decoy_hash())
        return user.principal() if user is not None and matches else None


def load_users(path: Path) -> UserStore:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsersFileError(f"users file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise UsersFileError(f"users file is not valid JSON: {path}: {exc}") from exc
    if not isinstance(raw, list):
        raise UsersFileError(f"users file must hold a JSON list of accounts: {path}")
    users = [_user(entry, path) for entry in raw]
    return UserStore({user.username: user for user in users})


def _user(entry: Any, path: Path) -> User:
    try:
        return User(
            username=str(entry["username"]),
            password_hash=str(entry["password_hash"]),
            organisation=str(entry["organisation"]),
            roles=frozenset(Role(role) for role in entry["roles"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsersFileError(f"bad account in {path}: {entry!r:.80} ({exc!r})") from exc


if (
    __name__ == "__main__"
):  # `python -m schakel.gateway.users <password>` prints a hash for the file
    import sys

    print(hash_password(sys.argv[1]))
