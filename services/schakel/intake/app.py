"""Intake's process: settings and composition; the routes are in ``api``."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from pydantic import Field, field_validator

from schakel.contracts.topics import GP_REFERRALS_INBOUND, REFERRAL_EVENTS
from schakel.intake import inbound, openness, tracking
from schakel.intake.adapters import create_indexes
from schakel.intake.api import router
from schakel.intake.duplicates import BlindIndex
from schakel.intake.privacy_store import create_privacy_collections
from schakel.intake.vault import Sealer
from schakel.platform.handling import in_turn
from schakel.platform.logging import get_logger
from schakel.platform.mongo import MongoStore
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import (
    ServiceSettings,
    checked_key,
    key_bytes,
    secret_problems,
)

log = get_logger(__name__)
VAULT_KEY = "SCHAKEL_VAULT_MASTER_KEY"
# Once the compose file's fallback: published, so it protects nothing.
PUBLISHED_VAULT_KEYS = frozenset({"ZGV2ZWxvcG1lbnQtb25seS1rZXktbm90LXNlY3JldCE="})
BLIND_INDEX_KEY = "SCHAKEL_BLIND_INDEX_KEY"
DEV_BLIND_INDEX_KEY = "development-only-blind-index-key-not-secret"


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    http_port: int = 8081
    vault_master_key: str | None = None
    # The HMAC key of the duplicate check's blind index (at least 32 bytes). Changing it
    # makes every stored hash unmatchable: open referrals are then no longer found.
    blind_index_key: str = DEV_BLIND_INDEX_KEY
    # A client retrying with the same Idempotency-Key within this time gets the first answer.
    idempotency_key_retention_days: float = Field(default=7.0, gt=0)

    @property
    def idempotency_key_retention(self) -> timedelta:
        return timedelta(days=self.idempotency_key_retention_days)

    @field_validator("vault_master_key")
    @classmethod
    def _base64_of_32_bytes(cls, value: str | None) -> str | None:
        return checked_key(VAULT_KEY, value)

    def secret_problems(self) -> list[str]:
        problems = super().secret_problems()
        if self.vault_master_key is None:
            problems.append(f"{VAULT_KEY} is not set")
        elif self.vault_master_key in PUBLISHED_VAULT_KEYS:
            problems.append(f"{VAULT_KEY} is the published development value")
        given = self.blind_index_key if "blind_index_key" in self.model_fields_set else None
        problems += secret_problems(BLIND_INDEX_KEY, given, known=DEV_BLIND_INDEX_KEY)
        return problems

    def blind_index(self) -> BlindIndex:
        """Refused at start-up outside development when unset, published or short (see
        ``secret_problems``); in development the published key is announced."""
        if self.blind_index_key == DEV_BLIND_INDEX_KEY:
            log.warning(f"{BLIND_INDEX_KEY} not set: using the development key")
        return BlindIndex(self.blind_index_key.encode())

    def master_key(self) -> bytes:
        return key_bytes(self, VAULT_KEY, self.vault_master_key, "vault")


def settings() -> IntakeSettings:
    return IntakeSettings()


def build(config: IntakeSettings | None = None) -> FastAPI:
    config = config or settings()

    async def on_start(store: MongoStore) -> None:
        await create_indexes(store, config.idempotency_key_retention)
        await create_privacy_collections(store)

    # The sealer is made after the app, whose settings check names every problem at once.
    # The referral topic tells intake which referrals are still open (``openness``), who owns
    # each one and its timeline (``tracking``); both act on a closing, in one unit of work.
    handlers = {
        **inbound.handlers(lambda: app.state.sealer, lambda: app.state.blind_index),
        **in_turn(openness.HANDLERS, tracking.handlers()),
    }
    runtime = ServiceRuntime(
        config, handlers, on_start=on_start, topics=(GP_REFERRALS_INBOUND, REFERRAL_EVENTS)
    )
    app = runtime.app("schakel intake", [router])
    app.state.sealer = Sealer(config.master_key())
    app.state.blind_index = config.blind_index()
    return app
