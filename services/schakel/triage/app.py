"""Triage's process: consumes received referrals, publishes triaged ones."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from schakel.contracts.events import ReferralReceived
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings
from schakel.triage.domain import DISTRICTS, RULE_SET_VERSION
from schakel.triage.handlers import on_referral_received

router = APIRouter(prefix="/api/v1/triage", tags=["triage"])


@router.get("/rules")
async def rules() -> dict[str, object]:
    """The rule set in force (no personal data): version and district table."""
    return {"rule_set_version": RULE_SET_VERSION, "districts": DISTRICTS}


class TriageSettings(ServiceSettings):
    service_name: str = "triage"
    http_port: int = 8082


def settings() -> ServiceSettings:
    return TriageSettings()


def build(config: ServiceSettings | None = None) -> FastAPI:
    config = config or settings()
    runtime = ServiceRuntime(config, {ReferralReceived.event_name: on_referral_received})
    return runtime.app("schakel triage", [router])
