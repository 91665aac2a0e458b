"""Audit's process: consumes every event of the referral and the helper topic into the
archive; serves timelines and chain checks; signs a checkpoint of the chain head now and
then."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from pydantic import Field, SecretStr, field_validator

from schakel.audit import api
from schakel.audit.adapters import ensure_indexes
from schakel.audit.checkpointing import CheckpointWriter
from schakel.audit.domain.checkpoints import KEY_BYTES
from schakel.audit.handlers import on_every_record
from schakel.contracts.topics import HELPER_EVENTS, REFERRAL_EVENTS
from schakel.platform.logging import get_logger
from schakel.platform.mongo import MongoStore
from schakel.platform.periodic import Periodic
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import DEVELOPMENT, ServiceSettings, UnsafeSettings

log = get_logger(__name__)
SIGNING_KEY = "SCHAKEL_AUDIT_SIGNING_KEY"


class AuditSettings(ServiceSettings):
    service_name: str = "audit"
    http_port: int = 8085
    # SCHAKEL_AUDIT_SIGNING_KEY: base64 of the 32-byte Ed25519 private key that signs the
    # checkpoints (docs/audit.md: generate one, publish its public key).
    audit_signing_key: SecretStr | None = None
    # How often a checkpoint of the chain head is signed (when the chain grew).
    audit_checkpoint_seconds: float = Field(default=300.0, gt=0)

    @field_validator("audit_signing_key")
    @classmethod
    def _base64_of_32_bytes(cls, value: SecretStr | None) -> SecretStr | None:
        """A key that is set must be one, in any mode: a typo would sign with nothing."""
        if value is not None:
            _key_bytes(value.get_secret_value())
        return value

    def secret_problems(self) -> list[str]:
        problems = super().secret_problems()
        if self.audit_signing_key is None:
            problems.append(f"{SIGNING_KEY} is not set")
        return problems

    def signing_key(self) -> Ed25519PrivateKey:
        if self.audit_signing_key is not None:
            raw = _key_bytes(self.audit_signing_key.get_secret_value())
            return Ed25519PrivateKey.from_private_bytes(raw)
        if self.env != DEVELOPMENT:
            raise UnsafeSettings(f"audit refuses to start: {SIGNING_KEY} is not set")
        # Development only: a fixed key derived from the auth secret, announced loudly.
        log.warning(f"{SIGNING_KEY} not set: using a development key")
        seed = hashlib.sha256(f"audit-signing:{self.auth_secret}".encode()).digest()
        return Ed25519PrivateKey.from_private_bytes(seed)


def _key_bytes(text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{SIGNING_KEY} is not base64: {exc}") from exc
    if len(raw) != KEY_BYTES:
        raise ValueError(f"{SIGNING_KEY} must be base64 of {KEY_BYTES} bytes, not {len(raw)}")
    return raw


def settings() -> AuditSettings:
    return AuditSettings()


def build(config: AuditSettings | None = None) -> FastAPI:
    config = config or settings()
    config.refuse_unsafe_secrets()  # before the key is read: name every problem at once
    key = config.signing_key()

    def checkpoints(store: MongoStore) -> Periodic:
        return CheckpointWriter(store, key).every(config.audit_checkpoint_seconds)

    runtime = ServiceRuntime(
        config,
        every_record=on_every_record,
        on_start=ensure_indexes,
        workers=(checkpoints,),
        # The referral topic, and the helper registries' history (for replay), in one group.
        topics=(REFERRAL_EVENTS, HELPER_EVENTS),
    )
    return runtime.app("schakel audit", [api.router])
