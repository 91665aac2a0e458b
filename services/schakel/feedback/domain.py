"""The referral read model as a pure fold over lifecycle events, with the signaler status
each step means. No I/O; how the model is shown is in ``views``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import MatchProposed, ReferralReceived, ReferralTriaged, Waitlisted
from schakel.contracts.receipts import receipt_hash as receipt_hash
from schakel.contracts.vocabulary import (
    Channel,
    Grade,
    OfferKind,
    Route,
    SignalerRole,
    SignalerStatus,
    Urgency,
)

# receipt_hash is re-exported from the contract that intake hashes with too: a code typed with
# other spaces or case still finds its signal.

LifecyclePayload = ReferralReceived | ReferralTriaged | MatchProposed | Waitlisted


class ReferralStatus(StrEnum):
    """Where a referral is in its lifecycle (for referrers and owners, not the public)."""

    RECEIVED = "received"
    TRIAGED = "triaged"
    MATCH_PROPOSED = "match_proposed"
    WAITLISTED = "waitlisted"


@dataclass(frozen=True)
class HistoryEntry:
    event_id: str
    type: str
    time: datetime


@dataclass(frozen=True)
class ProposedSupport:
    kind: OfferKind
    title: str
    provider_organisation: str


@dataclass(frozen=True)
class ReferralState:
    """One referral as feedback knows it. ``receipt_hash`` is only for the public lookup."""

    referral_id: str
    status: ReferralStatus
    signaler_status: SignalerStatus
    signaler_status_since: datetime
    updated_at: datetime
    receipt_hash: str | None = None
    channel: Channel | None = None
    referrer_organisation: str | None = None
    signaler_role: SignalerRole | None = None
    person_pseudonym: str | None = None
    received_at: datetime | None = None
    grade: Grade | None = None
    urgency: Urgency | None = None
    district: str | None = None
    route: Route | None = None
    owner_organisation: str | None = None
    owner_name: str | None = None
    proposal: ProposedSupport | None = None
    waitlist_reason: str | None = None
    history: tuple[HistoryEntry, ...] = ()


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


def _triaged(state: ReferralState, data: ReferralTriaged) -> ReferralState:
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


def _fold(state: ReferralState, data: LifecyclePayload) -> ReferralState:
    if isinstance(data, ReferralReceived):
        return _received(state, data)
    if isinstance(data, ReferralTriaged):
        return _triaged(state, data)
    if isinstance(data, MatchProposed):
        return _match_proposed(state, data)
    return _waitlisted(state, data)


def _blank(referral_id: str, time: datetime) -> ReferralState:
    # Only a first event other than *received* meets a blank (e.g. a replay that starts late).
    return ReferralState(
        referral_id=referral_id,
        status=ReferralStatus.RECEIVED,
        signaler_status=SignalerStatus.ONTVANGEN,
        signaler_status_since=time,
        updated_at=time,
    )


def apply(
    state: ReferralState | None, event: EventEnvelope[Any]
) -> tuple[ReferralState, SignalerStatus | None]:
    """The state after ``event``, and the new signaler status if it changed (else None)."""
    data = event.data
    if not isinstance(data, LifecyclePayload):
        raise TypeError(f"feedback does not follow {event.type}")
    if state is not None and any(h.event_id == event.id for h in state.history):
        return state, None
    before = state.signaler_status if state is not None else None
    folded = _fold(state or _blank(data.referral_id, event.time), data)
    changed = folded.signaler_status if folded.signaler_status != before else None
    new = replace(
        folded,
        updated_at=event.time,
        signaler_status_since=event.time if changed else folded.signaler_status_since,
        history=(*folded.history, HistoryEntry(event.id, event.type, event.time)),
    )
    return new, changed
