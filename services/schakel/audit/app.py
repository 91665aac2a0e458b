"""Audit's process: consumes every event into the archive; serves timelines and chain checks."""

from __future__ import annotations

from fastapi import FastAPI

from schakel.audit import api
from schakel.audit.adapters import ensure_indexes
from schakel.audit.handlers import on_every_record
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings


class AuditSettings(ServiceSettings):
    service_name: str = "audit"
    http_port: int = 8085


def settings() -> ServiceSettings:
    return AuditSettings()


def build(config: ServiceSettings | None = None) -> FastAPI:
    config = config or settings()
    runtime = ServiceRuntime(config, every_record=on_every_record, on_start=ensure_indexes)
    return runtime.app("schakel audit", [api.router])
