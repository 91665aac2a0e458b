"""Follow-up's process: follows every routed referral, takes the owners' actions through its
HTTP API, and fires the deadlines of its policy (``scheduler``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Self

from fastapi import FastAPI
from pydantic import field_validator, model_validator

from schakel.followup import api, duplicates, policy
from schakel.followup.adapters import prepare
from schakel.followup.handlers import Setup, handlers
from schakel.followup.notes import NoteSealer
from schakel.followup.scheduler import DeadlineScheduler
from schakel.platform.mongo import MongoStore
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import DEVELOPMENT, ServiceSettings, checked_key, key_bytes

Clock = Callable[[], datetime]
NOTES_KEY = "SCHAKEL_FOLLOWUP_NOTES_KEY"


class FollowupSettings(ServiceSettings):
    service_name: str = "followup"
    http_port: int = 8086
    # The municipality's coordination point: responsible for a rejected referral until triage
    # names the next owner, and the last step of every escalation.
    # SCHAKEL_COORDINATION_POINT_ID: the same organisation triage routes to (its default too).
    coordination_point_id: str = "coordinatiepunt-eenzaamheid"
    # SCHAKEL_DEADLINE_POLICY: the version of followup/policy/<version>.deadlines.toml.
    deadline_policy: str = policy.CURRENT
    # How often the scheduler looks for deadlines that fell due.
    deadline_poll_seconds: float = 5.0
    # Development and tests only: the clock runs this many seconds ahead, so a deadline days
    # away can fall due in a real process (refused outside development mode).
    clock_offset_seconds: float = 0.0
    # SCHAKEL_FOLLOWUP_NOTES_KEY: base64 of 32 bytes, the key that wraps each referral's key
    # of the owners' notes (``notes``). Losing it makes every note unreadable.
    followup_notes_key: str | None = None

    @field_validator("followup_notes_key")
    @classmethod
    def _base64_of_32_bytes(cls, value: str | None) -> str | None:
        return checked_key(NOTES_KEY, value)

    def secret_problems(self) -> list[str]:
        problems = super().secret_problems()
        if self.followup_notes_key is None:
            problems.append(f"{NOTES_KEY} is not set")
        return problems

    def notes_key(self) -> bytes:
        return key_bytes(self, NOTES_KEY, self.followup_notes_key, "followup-notes")

    @model_validator(mode="after")
    def _offset_only_in_development(self) -> Self:
        if self.clock_offset_seconds and self.env != DEVELOPMENT:
            raise ValueError(
                f"SCHAKEL_CLOCK_OFFSET_SECONDS is for SCHAKEL_ENV={DEVELOPMENT} only: a shifted "
                "clock fires deadlines early"
            )
        return self


def settings() -> FollowupSettings:
    return FollowupSettings()


def system_clock() -> datetime:
    return datetime.now(UTC)


def offset_clock(clock: Clock, seconds: float) -> Clock:
    if not seconds:
        return clock
    shift = timedelta(seconds=seconds)
    return lambda: clock() + shift


def setup_of(config: FollowupSettings, notes: NoteSealer | None = None) -> Setup:
    notes = notes or NoteSealer(config.notes_key())
    return Setup(policy.load(config.deadline_policy), config.coordination_point_id, notes=notes)


def build(config: FollowupSettings | None = None, clock: Clock = system_clock) -> FastAPI:
    config = config or settings()
    clock = offset_clock(clock, config.clock_offset_seconds)
    setup = setup_of(config)

    def scheduler(store: MongoStore) -> DeadlineScheduler:
        return DeadlineScheduler(store, setup, clock, config.deadline_poll_seconds)

    async def on_start(store: MongoStore) -> None:
        await prepare(store)
        await duplicates.prepare(store)

    followed = {**handlers(clock, setup), **duplicates.HANDLERS}
    runtime = ServiceRuntime(config, followed, on_start=on_start, workers=(scheduler,))
    app = runtime.app("schakel followup", [api.router])
    app.state.clock = clock
    app.state.setup = setup
    return app
