"""Feedback's handler: every lifecycle event of a referral updates its read model; a change
of what the signaler may see is published as FeedbackRecorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import (
    FeedbackRecorded,
    MatchProposed,
    ReferralReceived,
    ReferralTriaged,
    Waitlisted,
)
from schakel.contracts.vocabulary import SignalerStage, SignalerStatus
from schakel.feedback.adapters import MongoReferrals, ReferralStore
from schakel.feedback.domain import ReferralState, apply
from schakel.platform.consumer import Handler
from schakel.platform.mongo import Transaction

SOURCE = "/schakel/feedback"
Emit = Callable[[EventEnvelope[Any]], None]


def feedback_recorded(
    event: EventEnvelope[Any], state: ReferralState, status: SignalerStatus
) -> EventEnvelope[FeedbackRecorded]:
    # Interim, until feedback follows the owners' actions: anything after *received* is
    # "passed on" to the owner's kind of organisation.
    passed_on = status is not SignalerStatus.ONTVANGEN
    payload = FeedbackRecorded(
        referral_id=state.referral_id,
        stage=SignalerStage.DOORGEZET if passed_on else SignalerStage.ONTVANGEN,
        organisation_kind=state.route if passed_on else None,
        caused_by_type=event.type,
    )
    return new_event(payload, source=SOURCE, subject=event.subject, cause=event)


async def follow(event: EventEnvelope[Any], referrals: ReferralStore, emit: Emit) -> None:
    state = await referrals.get(event.data.referral_id)
    new, changed = apply(state, event)
    if new is state:
        return
    await referrals.save(new)
    if changed is not None:
        emit(feedback_recorded(event, new, changed))


async def on_lifecycle_event(event: EventEnvelope[Any], tx: Transaction) -> None:
    """One projection for every lifecycle event: the domain decides what each one changes."""
    await follow(event, MongoReferrals(tx), tx.emit)


HANDLERS: dict[str, Handler] = {
    payload.event_name: on_lifecycle_event
    for payload in (ReferralReceived, ReferralTriaged, MatchProposed, Waitlisted)
}
