"""Audit's process: consumes every event of the referral and the helper topic into the
archive (a hash chain per partition); serves timelines and chain checks; writes a head record
across the chains now and then and signs a checkpoint of it less often."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from pydantic import Field, SecretStr, field_validator

from schakel.audit import api
from schakel.audit.adapters import MongoArchive, ensure_indexes
from schakel.audit.checkpointing import CheckpointWriter, RootWriter
from schakel.audit.handlers import on_every_record
from schakel.contracts.topics import HELPER_EVENTS, REFERRAL_EVENTS
from schakel.platform.mongo import MongoStore
from schakel.platform.periodic import Periodic
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings, checked_key, key_bytes

SIGNING_KEY = "SCHAKEL_AUDIT_SIGNING_KEY"


class AuditSettings(ServiceSettings):
    service_name: str = "audit"
    http_port: int = 8085
    # SCHAKEL_AUDIT_SIGNING_KEY: base64 of the 32-byte Ed25519 private key that signs the
    # checkpoints (docs/audit.md: generate one, publish its public key).
    audit_signing_key: SecretStr | None = None
    # How often a head record (root) of every chain's head is written (when a chain moved):
    # verify detects entries removed before the last root (docs/audit.md).
    audit_root_seconds: float = Field(default=5.0, gt=0)
    # How often a checkpoint of the last root is signed (when a root was written since).
    audit_checkpoint_seconds: float = Field(default=300.0, gt=0)

    @field_validator("audit_signing_key")
    @classmethod
    def _base64_of_32_bytes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            checked_key(SIGNING_KEY, value.get_secret_value())
        return value

    def secret_problems(self) -> list[str]:
        problems = super().secret_problems()
        if self.audit_signing_key is None:
            problems.append(f"{SIGNING_KEY} is not set")
        return problems

    def signing_key(self) -> Ed25519PrivateKey:
        given = self.audit_signing_key
        secret = None if given is None else given.get_secret_value()
        raw = key_bytes(self, SIGNING_KEY, secret, "audit-signing")
        return Ed25519PrivateKey.from_private_bytes(raw)


def settings() -> AuditSettings:
    return AuditSettings()


def build(config: AuditSettings | None = None) -> FastAPI:
    config = config or settings()
    config.refuse_unsafe_secrets()  # before the key is read: name every problem at once
    key = config.signing_key()

    def checkpoints(store: MongoStore) -> Periodic:
        return CheckpointWriter(store, key).every(config.audit_checkpoint_seconds)

    def roots(store: MongoStore) -> Periodic:
        return RootWriter(MongoArchive(store)).every(config.audit_root_seconds)

    runtime = ServiceRuntime(
        config,
        every_record=on_every_record,
        on_start=ensure_indexes,
        workers=(roots, checkpoints),
        # The referral topic, and the helper registries' history (for replay), in one group.
        topics=(REFERRAL_EVENTS, HELPER_EVENTS),
    )
    return runtime.app("schakel audit", [api.router])
