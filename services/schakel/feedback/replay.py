"""What replay rebuilds of feedback: every referral's view, with the live handler."""

from __future__ import annotations

from schakel.feedback.adapters import REFERRALS, prepare
from schakel.feedback.app import settings
from schakel.feedback.handlers import HANDLERS
from schakel.feedback.receipts import RECEIPTS
from schakel.platform.handling import EventHandling
from schakel.platform.readmodels import ReadModel, Replaying

READ_MODELS = (ReadModel(REFERRALS), ReadModel(RECEIPTS, referral="referral_id"))


def replaying() -> Replaying:
    return Replaying(settings(), EventHandling(HANDLERS), READ_MODELS, on_start=prepare)
