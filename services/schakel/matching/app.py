"""Matching's process: learns needs from triage, proposes after the owner's first conversation
(or another offer after a decline) and publishes proposals and waitlist decisions,
and shows the offer registry to social brokers, the municipality and auditors."""

from __future__ import annotations

from fastapi import FastAPI

from schakel.matching import api
from schakel.matching.adapters import prepare
from schakel.matching.handlers import HANDLERS
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: str = "matching"
    http_port: int = 8083


def settings() -> ServiceSettings:
    return MatchingSettings()


def build(config: ServiceSettings | None = None) -> FastAPI:
    config = config or settings()
    runtime = ServiceRuntime(config, HANDLERS, on_start=prepare)
    return runtime.app("schakel matching", [api.router])
