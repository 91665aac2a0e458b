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
from schakel.contracts.vocabulary import SignalerStatus
from schakel.feedback.adapters import MongoReferrals, ReferralStore
from schakel.feedback.domain import ReferralState, apply
from schakel.platform.consumer import Handler
from schakel.platform.mongo import Transaction

SOURCE = "/schakel/feedback"
Emit = Callable[[EventEnvelope[Any]], None]


def feedback_recorded(
    event: EventEnvelope[Any], state: ReferralState, status: SignalerStatus
) -> EventEnvelope[FeedbackRecorded]:
    payload = FeedbackRecorded(
        referral_id=state.referral_id,
        signaler_status=status,
        owner_organisation=state.owner_organisation,
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
