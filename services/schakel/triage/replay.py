"""What replay rebuilds of triage: its decisions, decided again by the live handlers with the
rule set this deployment configures (``SCHAKEL_TRIAGE_RULE_SET``)."""

from __future__ import annotations

from schakel.platform.handling import EventHandling
from schakel.platform.readmodels import ReadModel, Replaying
from schakel.triage.adapters import DECISIONS
from schakel.triage.app import rule_book, settings
from schakel.triage.handlers import handlers

# When the decision was stored and revised: the wall clock of the run, not of the event.
READ_MODELS = (ReadModel(DECISIONS, ignore=frozenset({"decided_at", "revised_at"})),)


def replaying() -> Replaying:
    config = settings()
    return Replaying(config, EventHandling(handlers(rule_book(config))), READ_MODELS)
