"""What the referring GP practice or professional hears, pure Python: a snapshot of the
referral's FHIR ``Task`` when it is accepted, re-routed, support starts or it is closed."""

from __future__ import annotations

from typing import Any

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import AcceptedBy, ReferralTriaged, ReferrerUpdated
from schakel.contracts.lifecycle import (
    ReferralAccepted,
    ReferralClosed,
    ReferralTransferred,
    SupportStarted,
)
from schakel.contracts.vocabulary import ReferrerUpdate, TaskStatus
from schakel.feedback.domain.model import ReferralState

UPDATE_AFTER: dict[type[Any], ReferrerUpdate] = {
    ReferralAccepted: ReferrerUpdate.ACCEPTED,
    ReferralTransferred: ReferrerUpdate.REROUTED,
    SupportStarted: ReferrerUpdate.SUPPORT_STARTED,
    ReferralClosed: ReferrerUpdate.CLOSED,
}


def _update_kind(before: ReferralState | None, event: EventEnvelope[Any]) -> ReferrerUpdate | None:
    if isinstance(event.data, ReferralTriaged):
        # Routed again after a rejection: the referrer hears of the new owner, not of the
        # coordination point's interim hold in between.
        rejected = before is not None and before.lifecycle.task_status is TaskStatus.REJECTED
        return ReferrerUpdate.REROUTED if rejected else None
    return UPDATE_AFTER.get(type(event.data))


def referrer_update(
    before: ReferralState | None, after: ReferralState, event: EventEnvelope[Any]
) -> ReferrerUpdated | None:
    """The update the referrer gets for ``event`` (None: no referrer, or nothing to tell)."""
    update = _update_kind(before, event)
    if update is None or after.referrer_organisation is None or after.owner_organisation is None:
        return None
    lifecycle = after.lifecycle
    accepted = lifecycle.accepted_by
    return ReferrerUpdated(
        referral_id=after.referral_id,
        update=update,
        referrer_organisation=after.referrer_organisation,
        status=lifecycle.task_status or TaskStatus.REQUESTED,
        status_reason=lifecycle.status_reason,
        business_status=lifecycle.business_status,
        owner_organisation=after.owner_organisation,
        owner_name=after.owner_name,
        accepted_by=None
        if accepted is None
        else AcceptedBy(
            organisation=accepted.organisation, name=accepted.name, role=accepted.role.value
        ),
        support_kind=lifecycle.support_kind,
        outcome=lifecycle.outcome,
        djg_score=lifecycle.djg_score,
        occurred_at=event.time,
    )
