"""What owners did, folded into the read model from followup's events: FHIR statuses, who
accepted, the support started, the outcome, and the signaler's stage, which moves only when
someone did something the signaler may know of."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from schakel.contracts.events import ReferralTriaged
from schakel.contracts.lifecycle import (
    FirstConversationRecorded,
    LifecycleEvent,
    ProfessionalVisitRecorded,
    ReferralAccepted,
    ReferralClosed,
    ReferralRejected,
    ReferralTransferred,
    SupportStarted,
)
from schakel.contracts.vocabulary import SignalerStage, TaskStatus
from schakel.feedback.domain.model import Acceptance, Lifecycle, ReferralState, StageReached

# The stage each kind of event brings the signaler to; any other event leaves it.
STAGE_AFTER: dict[type[LifecycleEvent], SignalerStage] = {
    ReferralTransferred: SignalerStage.DOORGEZET,  # passed on to another organisation
    ReferralAccepted: SignalerStage.OPGEPAKT,
    FirstConversationRecorded: SignalerStage.IN_CONTACT,
    ProfessionalVisitRecorded: SignalerStage.IN_CONTACT,
    SupportStarted: SignalerStage.HULP_GESTART,
    ReferralClosed: SignalerStage.AFGESLOTEN,
}


def reached(lifecycle: Lifecycle, stage: SignalerStage, at: datetime) -> Lifecycle:
    """``stage`` from ``at`` on (no new entry when it is the stage already)."""
    if lifecycle.stages and lifecycle.stage is stage:
        return lifecycle
    return replace(lifecycle, stages=(*lifecycle.stages, StageReached(stage, at)))


def _owned_by(lifecycle: Lifecycle, organisation: str) -> Lifecycle:
    if organisation in lifecycle.owners:
        return lifecycle
    return replace(lifecycle, owners=(*lifecycle.owners, organisation))


def routed(lifecycle: Lifecycle, data: ReferralTriaged, at: datetime) -> Lifecycle:
    """Triage named an owner (first, or again after a rejection): it is asked to accept.
    Triage again after the owner took it up (a concern's regrade) changes nothing here."""
    if lifecycle.task_status not in (None, TaskStatus.REQUESTED, TaskStatus.REJECTED):
        return lifecycle
    asked = replace(lifecycle, task_status=TaskStatus.REQUESTED, business_status=None)
    asked = replace(asked, status_reason=None)
    return reached(_owned_by(asked, data.owner_organisation), SignalerStage.DOORGEZET, at)


def followed_up(state: ReferralState, data: LifecycleEvent, at: datetime) -> ReferralState:
    """A followup event: its resulting status and owner, and its own facts."""
    lifecycle = replace(
        state.lifecycle,
        task_status=data.status,
        business_status=data.business_status,
        status_reason=data.status_reason,
    )
    lifecycle = _owned_by(lifecycle, data.owner_organisation)
    stage = STAGE_AFTER.get(type(data))
    if stage is not None:
        lifecycle = reached(lifecycle, stage, at)
    new = replace(state, owner_organisation=data.owner_organisation, lifecycle=lifecycle)
    return _facts(new, data)


def _facts(state: ReferralState, data: LifecycleEvent) -> ReferralState:
    lifecycle = state.lifecycle
    if isinstance(data, ReferralAccepted):
        accepted = Acceptance(
            data.actor.organisation, data.owner_name, data.actor.role, data.occurred_at
        )
        return replace(
            state, owner_name=data.owner_name, lifecycle=replace(lifecycle, accepted_by=accepted)
        )
    if isinstance(data, ReferralTransferred):  # the new owner is asked to accept
        asked = replace(lifecycle, accepted_by=None)
        return replace(state, owner_name=data.to_name, route=data.to_route, lifecycle=asked)
    if isinstance(data, ReferralRejected):
        return replace(state, owner_name=None)  # the coordination point, until triage routes
    if isinstance(data, SupportStarted):
        started = replace(lifecycle, support_kind=data.kind, support_started_at=data.occurred_at)
        return replace(state, lifecycle=started)
    if isinstance(data, ReferralClosed):
        closed = replace(
            lifecycle,
            outcome=data.outcome,
            closed_at=data.occurred_at,
            djg_score=data.djg_score,
            support_kind=data.support_kind or lifecycle.support_kind,
        )
        return replace(state, lifecycle=closed)
    return state
