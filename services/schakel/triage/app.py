"""Triage's process: consumes received referrals, publishes triaged ones."""

from __future__ import annotations

from fastapi import FastAPI

from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings
from schakel.triage import api, rules
from schakel.triage.domain.ruleset import Owner, RuleBook
from schakel.triage.handlers import handlers


class TriageSettings(ServiceSettings):
    service_name: str = "triage"
    http_port: int = 8082
    # SCHAKEL_TRIAGE_RULE_SET: which shipped rule set decides (schakel/triage/rules/).
    triage_rule_set: str = rules.CURRENT
    # SCHAKEL_COORDINATION_POINT_ID / _NAME: the coordination point that must assign referrals
    # no district owns (followup reads the same id); the documents name none, so each
    # deployment names its own.
    coordination_point_id: str = rules.DEFAULT_COORDINATION_POINT.organisation
    coordination_point_name: str = rules.DEFAULT_COORDINATION_POINT.name


def settings() -> ServiceSettings:
    return TriageSettings()


def rule_book(config: ServiceSettings) -> RuleBook:
    if not isinstance(config, TriageSettings):
        config = TriageSettings.model_validate(config.model_dump())
    point = Owner(
        organisation=config.coordination_point_id,
        name=config.coordination_point_name,
    )
    return rules.load(config.triage_rule_set, point)


def build(config: ServiceSettings | None = None) -> FastAPI:
    config = config or settings()
    book = rule_book(config)
    runtime = ServiceRuntime(config, handlers(book))
    app = runtime.app("schakel triage", [api.router])
    app.state.rule_book = book
    return app
