"""Intake's process: settings and composition; the routes are in ``api``."""

from __future__ import annotations

import base64
import hashlib

from fastapi import FastAPI

from schakel.intake.adapters import create_indexes
from schakel.intake.api import router
from schakel.intake.vault import Sealer
from schakel.platform.logging import get_logger
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings

log = get_logger(__name__)


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    http_port: int = 8081
    vault_master_key: str | None = None

    def master_key(self) -> bytes:
        if self.vault_master_key:
            return base64.b64decode(self.vault_master_key)
        # Development only: a fixed key derived from the auth secret, announced loudly.
        log.warning("SCHAKEL_VAULT_MASTER_KEY not set: using a development key")
        return hashlib.sha256(f"vault:{self.auth_secret}".encode()).digest()


def settings() -> IntakeSettings:
    return IntakeSettings()


def build(config: IntakeSettings | None = None) -> FastAPI:
    config = config or settings()
    runtime = ServiceRuntime(config, on_start=create_indexes)
    app = runtime.app("schakel intake", [router])
    app.state.sealer = Sealer(config.master_key())
    return app
