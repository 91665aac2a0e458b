"""A referral as an HL7 FHIR R4 ``Task`` (the Gravity SDOH referral workflow's shape), for
the organisation that sent it: ``basedOn``/``focus`` its ``ServiceRequest``, the status and
business status, who owns and who accepted it, the support started and the outcome.
Presentation only; the read model is folded in ``domain``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schakel.contracts.vocabulary import TaskStatus
from schakel.feedback.domain import ReferralState

FHIR_JSON = "application/fhir+json"
# schakel's own code systems and naming systems (its codes, in its own namespace).
SYSTEM = "https://schakel.nl/fhir"
ORGANISATION_IDS = f"{SYSTEM}/NamingSystem/organisation"
REFERRAL_IDS = f"{SYSTEM}/NamingSystem/referral"
TASK_CODES = "http://hl7.org/fhir/CodeSystem/task-code"


def _code(system: str, code: str, text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {
        "coding": [{"system": f"{SYSTEM}/CodeSystem/{system}", "code": code}]
    }
    if text:
        concept["text"] = text
    return concept


def _organisation(organisation: str, name: str | None = None) -> dict[str, Any]:
    reference: dict[str, Any] = {
        "type": "Organization",
        "identifier": {"system": ORGANISATION_IDS, "value": organisation},
    }
    if name:
        reference["display"] = name
    return reference


def _output(kind: str, **value: Any) -> dict[str, Any]:
    return {"type": _code("task-output", kind), **value}


def _outputs(state: ReferralState) -> list[dict[str, Any]]:
    lifecycle = state.lifecycle
    outputs: list[dict[str, Any]] = []
    accepted = lifecycle.accepted_by
    if accepted is not None:
        who = _organisation(accepted.organisation, accepted.name)
        outputs.append(_output("accepted-by", valueReference=who))
        outputs.append(
            _output(
                "accepted-by-role", valueCodeableConcept=_code("actor-role", accepted.role.value)
            )
        )
    if lifecycle.support_kind is not None:
        kind = _code("offer-kind", lifecycle.support_kind.value)
        outputs.append(_output("support-kind", valueCodeableConcept=kind))
    if lifecycle.outcome is not None:
        outcome = _code("close-outcome", lifecycle.outcome.value)
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
    request = {"reference": f"ServiceRequest/{state.referral_id}"}
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": state.referral_id,
        "meta": {"lastUpdated": state.updated_at.isoformat()},
        "identifier": [{"system": REFERRAL_IDS, "value": state.referral_id}],
        "basedOn": [request],
        "focus": request,
        "status": (lifecycle.task_status or TaskStatus.REQUESTED).value,
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODES, "code": "fulfill"}]},
        "lastModified": state.updated_at.isoformat(),
    }
    if lifecycle.status_reason:
        task["statusReason"] = _code("status-reason", lifecycle.status_reason)
    if lifecycle.business_status is not None:
        task["businessStatus"] = _code("business-status", lifecycle.business_status.value)
    if state.received_at is not None:
        task["authoredOn"] = state.received_at.isoformat()
    if state.referrer_organisation:
        task["requester"] = _organisation(state.referrer_organisation)
    if state.owner_organisation:
        task["owner"] = _organisation(state.owner_organisation, state.owner_name)
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
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "not-found",
                "diagnostics": f"no Task {referral_id} for your organisation",
            }
        ],
    }
