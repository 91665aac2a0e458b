"""What replay rebuilds of matching: the offers' places, the providers' registries of helpers
(places in use included) and every referral's need and proposal, with the live handlers, from
the offer registry its start seeds. Helper events are applied in archive order between the
referral events, as the coordinators' changes happened between them live."""

from __future__ import annotations

from schakel.matching.adapters import OFFERS, PROPOSALS, prepare
from schakel.matching.app import settings
from schakel.matching.handlers import HANDLERS, HELPER_HANDLERS
from schakel.matching.helper_store import HELPERS
from schakel.platform.handling import EventHandling
from schakel.platform.readmodels import ReadModel, Replaying

READ_MODELS = (
    ReadModel(OFFERS),
    ReadModel(HELPERS),  # a difference names the helper id where others name a referral
    # When the proposal was stored: the wall clock of the run, not of the event.
    ReadModel(PROPOSALS, ignore=frozenset({"decided_at"})),
)


def replaying() -> Replaying:
    handling = EventHandling({**HANDLERS, **HELPER_HANDLERS})
    return Replaying(settings(), handling, READ_MODELS, on_start=prepare)
