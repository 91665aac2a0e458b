"""Feedback's handler: every event of a referral updates its read model; a change of what
the signaler may see is published as FeedbackRecorded, and what the referring organisation
hears as ReferrerUpdated on the GP-facing topic."""

from __future__ import annotations

from typing import Any, Protocol

from schakel.contracts.envelope import EventEnvelope, EventPayload, new_event
from schakel.contracts.events import (
    FeedbackRecorded,
    MatchProposed,
    ReferralReceived,
    ReferralTriaged,
    Waitlisted,
)
from schakel.contracts.lifecycle import LIFECYCLE_PAYLOADS
from schakel.contracts.topics import GP_FEEDBACK, REFERRAL_EVENTS
from schakel.contracts.vocabulary import SignalerStage
from schakel.feedback import receipts
from schakel.feedback.adapters import MongoReferrals, ReferralStore
from schakel.feedback.domain import ReferralState, apply, referrer_update
from schakel.platform.consumer import Handler
from schakel.platform.mongo import Transaction

SOURCE = "/schakel/feedback"
# What intake's answer to the signal (the receipt) already says: received, nobody yet.
RECEIPT_NEWS = (SignalerStage.ONTVANGEN, None, None)


class Emit(Protocol):
    def __call__(self, event: EventEnvelope[Any], topic: str = REFERRAL_EVENTS, /) -> None: ...


def feedback_recorded(
    event: EventEnvelope[Any], state: ReferralState
) -> EventEnvelope[FeedbackRecorded]:
    stage, kind, outcome = state.signaler_news
    payload = FeedbackRecorded(
        referral_id=state.referral_id,
        stage=stage,
        organisation_kind=kind,
        outcome=outcome,
        caused_by_type=event.type,
    )
    return new_event(payload, source=SOURCE, subject=event.subject, cause=event)


def news(
    event: EventEnvelope[Any], before: ReferralState | None, after: ReferralState
) -> EventEnvelope[FeedbackRecorded] | None:
    """The feedback-recorded event ``event`` causes, if what the signaler is told changed.
    The receipt itself told the signaler "ontvangen", so only later news is an event: this
    event, read by the audit to show who was told what, was half of all traffic otherwise."""
    told_before = before.signaler_news if before is not None else RECEIPT_NEWS
    return feedback_recorded(event, after) if after.signaler_news != told_before else None


async def follow(event: EventEnvelope[Any], referrals: ReferralStore, emit: Emit) -> None:
    state = await referrals.get(event.data.referral_id)
    new = apply(state, event)
    if new is state:
        return
    await referrals.save(new)
    told = news(event, state, new)
    if told is not None:
        emit(told)
    update = referrer_update(state, new, event)
    if update is not None:
        emit(new_event(update, source=SOURCE, subject=event.subject, cause=event), GP_FEEDBACK)


async def on_event(event: EventEnvelope[Any], tx: Transaction) -> None:
    """One projection for every event of a referral: the domain decides what each changes."""
    await follow(event, MongoReferrals(tx), tx.emit)


FOLLOWED: tuple[type[EventPayload], ...] = (
    ReferralReceived,
    ReferralTriaged,
    MatchProposed,
    Waitlisted,
    *LIFECYCLE_PAYLOADS,
)
HANDLERS: dict[str, Handler] = {
    **{payload.event_name: on_event for payload in FOLLOWED},
    **receipts.HANDLERS,  # signals that joined another referral keep their own receipt
}
