"""What replay rebuilds of matching: the offers' places and every referral's need and
proposal, with the live handlers, from the registry its start seeds."""

from __future__ import annotations

from schakel.matching.adapters import OFFERS, PROPOSALS, prepare
from schakel.matching.app import settings
from schakel.matching.handlers import HANDLERS
from schakel.platform.handling import EventHandling
from schakel.platform.readmodels import ReadModel, Replaying

READ_MODELS = (
    ReadModel(OFFERS),
    # When the proposal was stored: the wall clock of the run, not of the event.
    ReadModel(PROPOSALS, ignore=frozenset({"decided_at"})),
)


def replaying() -> Replaying:
    return Replaying(settings(), EventHandling(HANDLERS), READ_MODELS, on_start=prepare)
