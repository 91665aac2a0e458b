"""The read model as a pure fold over a referral's events. No I/O; how it is shown is in
``views``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import MatchProposed, ReferralReceived, ReferralTriaged, Waitlisted
from schakel.contracts.lifecycle import LifecycleEvent, ReferralRegraded
from schakel.contracts.vocabulary import SignalerStage, SignalerStatus
from schakel.feedback.domain.lifecycle import followed_up, reached, routed
from schakel.feedback.domain.model import (
    HistoryEntry,
    ProposedSupport,
    ReferralState,
    ReferralStatus,
)

PipelinePayload = ReferralReceived | ReferralTriaged | MatchProposed | Waitlisted
Followed = PipelinePayload | ReferralRegraded | LifecycleEvent


def _received(state: ReferralState, data: ReferralReceived) -> ReferralState:
    return replace(
        state,
        status=ReferralStatus.RECEIVED,
        signaler_status=SignalerStatus.ONTVANGEN,
        receipt_hash=data.receipt_hash,
        channel=data.channel,
        referrer_organisation=data.referrer_organisation,  # from a token, never free text
        signaler_role=data.signaler.role,
        person_pseudonym=data.person_pseudonym,
        received_at=data.received_at,
    )


def _triaged(
    state: ReferralState, data: ReferralTriaged, event: EventEnvelope[Any]
) -> ReferralState:
    return replace(
        state,
        status=ReferralStatus.TRIAGED,
        signaler_status=SignalerStatus.IN_BEHANDELING,
        grade=data.grade,
        urgency=data.urgency,
        district=data.district,
        route=data.route,
        owner_organisation=data.owner_organisation,
        owner_name=data.owner_name,
        lifecycle=routed(state.lifecycle, data, event.time),
    )


def _match_proposed(state: ReferralState, data: MatchProposed) -> ReferralState:
    offer = data.offer
    return replace(
        state,
        status=ReferralStatus.MATCH_PROPOSED,
        signaler_status=SignalerStatus.HULP_VOORGESTELD,
        proposal=ProposedSupport(offer.kind, offer.title, offer.provider_organisation),
        waitlist_reason=None,
    )


def _waitlisted(state: ReferralState, data: Waitlisted) -> ReferralState:
    return replace(
        state,
        status=ReferralStatus.WAITLISTED,
        signaler_status=SignalerStatus.WACHTLIJST,
        proposal=None,
        waitlist_reason=data.reason,
    )


def _regraded(state: ReferralState, data: ReferralRegraded) -> ReferralState:
    return replace(state, grade=data.grade or state.grade, urgency=data.urgency)


def _fold(state: ReferralState, event: EventEnvelope[Any]) -> ReferralState:
    data = event.data
    if isinstance(data, ReferralReceived):
        return _received(state, data)
    if isinstance(data, ReferralTriaged):
        return _triaged(state, data, event)
    if isinstance(data, MatchProposed):
        return _match_proposed(state, data)
    if isinstance(data, Waitlisted):
        return _waitlisted(state, data)
    if isinstance(data, ReferralRegraded):
        return _regraded(state, data)
    return followed_up(state, data, event.time)


def _blank(event: EventEnvelope[Any]) -> ReferralState:
    # Only a first event other than *received* meets a blank (e.g. a replay that starts late).
    return ReferralState(
        referral_id=event.data.referral_id,
        status=ReferralStatus.RECEIVED,
        signaler_status=SignalerStatus.ONTVANGEN,
        signaler_status_since=event.time,
        updated_at=event.time,
    )


def apply(state: ReferralState | None, event: EventEnvelope[Any]) -> ReferralState:
    """The state after ``event``; the same state (``is``) for an event applied before."""
    if not isinstance(event.data, Followed):
        raise TypeError(f"feedback does not follow {event.type}")
    if state is not None and any(h.event_id == event.id for h in state.history):
        return state
    before = state or _blank(event)
    if not before.lifecycle.stages:  # the signal arrived: its first stage
        before = replace(
            before, lifecycle=reached(before.lifecycle, SignalerStage.ONTVANGEN, event.time)
        )
    folded = _fold(before, event)
    changed = folded.signaler_status is not before.signaler_status or state is None
    return replace(
        folded,
        updated_at=event.time,
        signaler_status_since=event.time if changed else folded.signaler_status_since,
        history=(*folded.history, HistoryEntry(event.id, event.type, event.time)),
    )
