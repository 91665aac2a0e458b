"""A referral as follow-up knows it: a fold over its events (``apply``), never edited by hand."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from schakel.contracts.events import (
    MatchProposed,
    Offer,
    ReferralReceived,
    ReferralTriaged,
    Waitlisted,
)
from schakel.contracts.lifecycle import (
    CheckInRecorded,
    ConcernRaised,
    ContactAttempted,
    DeadlinePassed,
    FirstConversationRecorded,
    LifecycleEvent,
    PutOnHold,
    ReferralAccepted,
    ReferralClosed,
    ReferralRegraded,
    ReferralRejected,
    ReferralTransferred,
    Resumed,
    SupportDeclined,
    SupportProposed,
    SupportStarted,
    Wishes,
)
from schakel.contracts.vocabulary import (
    ActorRole,
    AgeBand,
    BusinessStatus,
    Channel,
    CloseOutcome,
    DeadlineKind,
    EscalationLevel,
    Grade,
    Observation,
    OfferKind,
    Route,
    SignalerRole,
    TaskStatus,
    Urgency,
)

URGENCY_ORDER = (Urgency.ROUTINE, Urgency.SPOEDIG, Urgency.DIRECT)
GRADE_ORDER = (Grade.PREVENTIE, Grade.VERHOOGD_RISICO, Grade.LICHT_TOT_MATIG, Grade.ERNSTIG)
TERMINAL = frozenset({TaskStatus.COMPLETED, TaskStatus.CANCELLED, TaskStatus.FAILED})


@dataclass(frozen=True)
class Facts:
    """What the signal said (no names, no free text): for the owner's referral page."""

    channel: Channel
    signaler_role: SignalerRole
    referrer_organisation: str | None
    person_pseudonym: str
    postcode_area: str | None
    age_band: AgeBand | None
    observations: tuple[Observation, ...]
    djg_score: int | None
    consent_to_contact: bool
    received_at: datetime


@dataclass(frozen=True)
class Proposal:
    offer: Offer
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Support:
    kind: OfferKind
    offer_id: str | None
    provider_organisation: str | None
    started_at: datetime


@dataclass(frozen=True)
class Escalation:
    level: EscalationLevel
    organisation: str
    at: datetime


@dataclass(frozen=True)
class Referral:
    """One referral. ``status`` is None until triage named an owner."""

    referral_id: str
    correlation_id: str | None = None  # of the signal: every event of the referral shares it
    status: TaskStatus | None = None
    business_status: BusinessStatus | None = None
    status_reason: str | None = None
    owner_organisation: str | None = None
    owner_name: str | None = None
    route: Route | None = None
    grade: Grade | None = None
    grade_provisional: bool = True
    urgency: Urgency = Urgency.ROUTINE
    district: str | None = None
    district_name: str | None = None
    triage_reasons: tuple[str, ...] = ()
    facts: Facts | None = None
    # Hashes of the codes with which someone may report a concern: the signaler's receipt,
    # the helper's reference code (never shown: they find the referral, nothing more).
    receipt_hash: str | None = None
    helper_code_hash: str | None = None
    assigned_at: datetime | None = None  # when the current owner was named
    accepted_at: datetime | None = None
    rejected_by: tuple[str, ...] = ()
    attempts: int = 0
    knew_of_signal: bool | None = None
    consents_to_support: bool | None = None
    wishes: Wishes | None = None
    proposal: Proposal | None = None
    waitlist_reason: str | None = None
    declined_offers: tuple[str, ...] = ()
    support: Support | None = None
    check_ins: int = 0
    held_from: tuple[TaskStatus, BusinessStatus | None] | None = None
    outcome: CloseOutcome | None = None
    follow_up_djg_score: int | None = None
    escalations: tuple[Escalation, ...] = ()
    concerns: int = 0
    last_concern_at: datetime | None = None
    assign_within_hours: int | None = None  # triage's, when the coordination point owns it
    stage_since: datetime | None = None  # when status or business status last changed
    last_check_in_at: datetime | None = None
    concern_open: bool = False  # a concern came in and the owner has not acted since
    # The deadline of the policy that guards the referral now (kept by the deadline sync):
    # its key (rule and anchor), when it is due, the highest level that fired and when the
    # next level falls due.
    deadline_key: str | None = None
    deadline_rule: str | None = None
    next_due_at: datetime | None = None
    next_due_kind: DeadlineKind | None = None
    deadline_level: EscalationLevel | None = None
    next_escalation_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0  # events applied; a save checks it (optimistic concurrency)
    history: tuple[str, ...] = ()  # ids of the events applied, oldest first

    @property
    def closed(self) -> bool:
        return self.status in TERMINAL

    @property
    def consent_to_contact(self) -> bool:
        """Consent on the signal, unless the first conversation said otherwise."""
        if self.consents_to_support is not None:
            return self.consents_to_support
        return self.facts is not None and self.facts.consent_to_contact

    @property
    def urgent(self) -> bool:
        return self.urgency is not Urgency.ROUTINE


def higher_urgency(a: Urgency, b: Urgency) -> Urgency:
    return max(a, b, key=URGENCY_ORDER.index)


def higher_grade(a: Grade | None, b: Grade | None) -> Grade | None:
    if a is None or b is None:
        return a or b
    return max(a, b, key=GRADE_ORDER.index)


def _received(state: Referral, data: ReferralReceived) -> Referral:
    facts = Facts(
        channel=data.channel,
        signaler_role=data.signaler.role,
        referrer_organisation=data.referrer_organisation,  # from a token, never typed text
        person_pseudonym=data.person_pseudonym,
        postcode_area=data.postcode_area,
        age_band=data.age_band,
        observations=tuple(data.observations),
        djg_score=data.djg_score,
        consent_to_contact=data.consent_to_contact,
        received_at=data.received_at,
    )
    return replace(state, facts=facts, receipt_hash=data.receipt_hash)


def _triaged(state: Referral, data: ReferralTriaged, at: datetime) -> Referral:
    first = state.status is None
    regrade = first or state.grade_provisional
    triage = replace(
        state,
        grade=data.grade if regrade else state.grade,
        grade_provisional=data.grade_provisional if regrade else state.grade_provisional,
        urgency=data.urgency if first else higher_urgency(state.urgency, data.urgency),
        district=data.district,
        district_name=data.district_name,
        triage_reasons=tuple(r.reason for r in data.rules_fired),
        assign_within_hours=data.assign_within_hours,
    )
    if state.status not in (None, TaskStatus.REQUESTED, TaskStatus.REJECTED):
        return triage  # owned and taken up: only a transfer changes the owner now
    return replace(
        triage,
        status=TaskStatus.REQUESTED,
        business_status=None,
        status_reason=None,
        owner_organisation=data.owner_organisation,
        owner_name=data.owner_name,
        route=data.route,
        assigned_at=at,
    )


def _regraded(state: Referral, data: ReferralRegraded) -> Referral:
    return replace(
        state,
        grade=higher_grade(state.grade, data.grade),
        urgency=higher_urgency(state.urgency, data.urgency),
    )


def _own_facts(state: Referral, before: Referral, data: LifecycleEvent) -> Referral:
    """The follow-up event's own facts, beyond status and owner."""
    if isinstance(data, ReferralAccepted):
        return replace(state, accepted_at=data.occurred_at, owner_name=data.owner_name)
    if isinstance(data, ReferralRejected):
        return replace(state, rejected_by=(*state.rejected_by, data.actor.organisation))
    if isinstance(data, ReferralTransferred):
        return replace(
            state, owner_name=data.to_name, route=data.to_route, assigned_at=data.occurred_at
        )
    if isinstance(data, ContactAttempted):
        return replace(state, attempts=data.attempt)
    if isinstance(data, FirstConversationRecorded):
        return replace(
            state,
            knew_of_signal=data.knew_of_signal,
            consents_to_support=data.consents_to_support,
            wishes=data.wishes,
            grade=data.grade or state.grade,
            grade_provisional=state.grade_provisional and data.grade is None,
        )
    return _support_facts(state, before, data)


def _support_facts(state: Referral, before: Referral, data: LifecycleEvent) -> Referral:
    if isinstance(data, SupportProposed):
        kept = before.proposal if before.proposal and before.proposal.offer == data.offer else None
        return replace(state, proposal=kept or Proposal(data.offer, 0.0, ()), waitlist_reason=None)
    if isinstance(data, SupportDeclined):
        return replace(state, declined_offers=tuple(data.declined_offers))
    if isinstance(data, SupportStarted):
        support = Support(data.kind, data.offer_id, data.provider_organisation, data.occurred_at)
        return replace(state, support=support, helper_code_hash=data.helper_code_hash)
    if isinstance(data, CheckInRecorded):
        return replace(state, check_ins=data.check_in, last_check_in_at=data.occurred_at)
    if isinstance(data, ReferralClosed):
        return replace(state, outcome=data.outcome, follow_up_djg_score=data.djg_score)
    return _attention(state, before, data)


def _attention(state: Referral, before: Referral, data: LifecycleEvent) -> Referral:
    """Holds, escalations and concerns: what calls for someone's attention."""
    if isinstance(data, PutOnHold) and before.status is not None:
        return replace(state, held_from=(before.status, before.business_status))
    if isinstance(data, Resumed):
        return replace(state, held_from=None)
    if isinstance(data, DeadlinePassed):
        escalation = Escalation(data.level, data.notify_organisation, data.occurred_at)
        return replace(state, escalations=(*state.escalations, escalation))
    if isinstance(data, ConcernRaised):
        return replace(
            state,
            concerns=state.concerns + 1,
            last_concern_at=data.occurred_at,
            concern_open=True,
        )
    return state


def _by_the_owner(data: LifecycleEvent) -> bool:
    """An action someone took on the referral (not a service's, nor a concern reported)."""
    return data.actor.role is not ActorRole.SYSTEEM and not isinstance(data, ConcernRaised)


def _followed_up(state: Referral, data: LifecycleEvent) -> Referral:
    with_status = replace(
        state,
        status=data.status,
        business_status=data.business_status,
        status_reason=data.status_reason,
        owner_organisation=data.owner_organisation,
        concern_open=state.concern_open and not _by_the_owner(data),
    )
    return _own_facts(with_status, state, data)


Followed = (
    ReferralReceived | ReferralTriaged | ReferralRegraded | MatchProposed | Waitlisted
) | LifecycleEvent


def apply(state: Referral | None, data: Followed, event_id: str, at: datetime) -> Referral:
    """The state after one event; ``at`` is when it happened. An event already applied
    (same id) changes nothing."""
    current = state or Referral(referral_id=data.referral_id)
    if event_id in current.history:
        return current
    if isinstance(data, ReferralReceived):
        new = _received(current, data)
    elif isinstance(data, ReferralTriaged):
        new = _triaged(current, data, at)
    elif isinstance(data, ReferralRegraded):
        new = _regraded(current, data)
    elif isinstance(data, MatchProposed):
        new = replace(current, proposal=Proposal(data.offer, data.score, tuple(data.reasons)))
    elif isinstance(data, Waitlisted):
        new = replace(current, waitlist_reason=data.reason)
    elif isinstance(data, LifecycleEvent):
        new = _followed_up(current, data)
    else:
        raise TypeError(f"follow-up does not follow {type(data).__name__}")
    moved = (new.status, new.business_status) != (current.status, current.business_status)
    return replace(
        new,
        stage_since=at if moved else current.stage_since,
        updated_at=at,
        version=current.version + 1,
        history=(*current.history, event_id),
    )
