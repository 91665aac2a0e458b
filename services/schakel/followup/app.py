"""Follow-up's process: follows every routed referral, takes the owners' actions through its
HTTP API, and (see ``scheduler``) fires the deadlines of its policy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI

from schakel.followup import api
from schakel.followup.adapters import prepare
from schakel.followup.handlers import handlers
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings

Clock = Callable[[], datetime]


class FollowupSettings(ServiceSettings):
    service_name: str = "followup"
    http_port: int = 8086
    # The municipality's coordination point: responsible for a rejected referral until triage
    # names the next owner, and the last step of every escalation.
    # SCHAKEL_COORDINATION_POINT_ID: the same organisation triage routes to (its default too).
    coordination_point_id: str = "coordinatiepunt-eenzaamheid"


def settings() -> FollowupSettings:
    return FollowupSettings()


def system_clock() -> datetime:
    return datetime.now(UTC)


def build(config: FollowupSettings | None = None, clock: Clock = system_clock) -> FastAPI:
    config = config or settings()
    runtime = ServiceRuntime(config, handlers(clock), on_start=prepare)
    app = runtime.app("schakel followup", [api.router])
    app.state.clock = clock
    return app
