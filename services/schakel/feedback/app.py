"""Feedback's process: follows every referral and answers two audiences: signalers holding a
receipt code (public, progress only) and the organisations that sent or own a referral."""

from __future__ import annotations

from fastapi import FastAPI

from schakel.feedback import api
from schakel.feedback.adapters import prepare
from schakel.feedback.handlers import HANDLERS
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    service_name: str = "feedback"
    http_port: int = 8084


def settings() -> ServiceSettings:
    return FeedbackSettings()


def build(config: ServiceSettings | None = None) -> FastAPI:
    config = config or settings()
    runtime = ServiceRuntime(config, HANDLERS, on_start=prepare)
    return runtime.app("schakel feedback", [api.router])
