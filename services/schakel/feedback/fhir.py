"""A referral as an HL7 FHIR R4 ``Task`` (the Gravity SDOH referral workflow's shape), for
the organisation that sent it: ``basedOn``/``focus`` its ``ServiceRequest``, the status and
business status, who owns and who accepted it, the support started and the outcome.
Presentation only; the read model is folded in ``domain``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schakel.contracts.fhir import (
    FHIR_JSON,
    concept,
    operation_outcome,
    organisation_reference,
    referral_task,
)
from schakel.contracts.vocabulary import TaskStatus
from schakel.feedback.domain import ReferralState

__all__ = ["FHIR_JSON", "fhir_task", "not_found"]


def _output(kind: str, **value: Any) -> dict[str, Any]:
    return {"type": concept("task-output", kind), **value}


def _outputs(state: ReferralState) -> list[dict[str, Any]]:
    lifecycle = state.lifecycle
    outputs: list[dict[str, Any]] = []
    accepted = lifecycle.accepted_by
    if accepted is not None:
        who = organisation_reference(accepted.organisation, accepted.name)
        outputs.append(_output("accepted-by", valueReference=who))
        outputs.append(
            _output(
                "accepted-by-role", valueCodeableConcept=concept("actor-role", accepted.role.value)
            )
        )
    if lifecycle.support_kind is not None:
        kind = concept("offer-kind", lifecycle.support_kind.value)
        outputs.append(_output("support-kind", valueCodeableConcept=kind))
    if lifecycle.outcome is not None:
        outcome = concept("close-outcome", lifecycle.outcome.value)
        outputs.append(_output("outcome", valueCodeableConcept=outcome))
    if lifecycle.djg_score is not None:
        outputs.append(_output("djg-follow-up-score", valueInteger=lifecycle.djg_score))
    return outputs


def _period(start: datetime | None, end: datetime | None) -> dict[str, str] | None:
    if start is None and end is None:
        return None
    period = {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
    }
    return {k: v for k, v in period.items() if v is not None}


def fhir_task(state: ReferralState) -> dict[str, Any]:
    """The referral as a FHIR R4 Task (no personal details: the person is not referenced)."""
    lifecycle = state.lifecycle
    task = referral_task(
        state.referral_id,
        state.updated_at,
        received_at=state.received_at,
        referrer_organisation=state.referrer_organisation,
        status=lifecycle.task_status or TaskStatus.REQUESTED,
    )
    if lifecycle.status_reason:
        task["statusReason"] = concept("status-reason", lifecycle.status_reason)
    if lifecycle.business_status is not None:
        task["businessStatus"] = concept("business-status", lifecycle.business_status.value)
    if state.owner_organisation:
        task["owner"] = organisation_reference(state.owner_organisation, state.owner_name)
    accepted = lifecycle.accepted_by
    period = _period(accepted.at if accepted else None, lifecycle.closed_at)
    if period:
        task["executionPeriod"] = period
    outputs = _outputs(state)
    if outputs:
        task["output"] = outputs
    return task


def not_found(referral_id: str) -> dict[str, Any]:
    """FHIR's answer for a Task the caller may not see or that does not exist."""
    return operation_outcome(("not-found", f"no Task {referral_id} for your organisation", None))
