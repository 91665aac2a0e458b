"""Triage's process: consumes received referrals, publishes triaged ones."""

from __future__ import annotations

from fastapi import FastAPI

from schakel.contracts.events import ReferralReceived
from schakel.contracts.lifecycle import ReferralRejected
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings
from schakel.triage import api
from schakel.triage.handlers import on_referral_received, on_referral_rejected


class TriageSettings(ServiceSettings):
    service_name: str = "triage"
    http_port: int = 8082


def settings() -> ServiceSettings:
    return TriageSettings()


def build(config: ServiceSettings | None = None) -> FastAPI:
    config = config or settings()
    runtime = ServiceRuntime(
        config,
        {
            ReferralReceived.event_name: on_referral_received,
            ReferralRejected.event_name: on_referral_rejected,
        },
    )
    return runtime.app("schakel triage", [api.router])
