"""The HL7 FHIR R4 shapes schakel publishes to referrers: its code and naming systems and the
``Task`` that tracks a referral. Feedback serves the Task as the referral lives on
(``GET /api/v1/fhir/Task/{id}``); intake answers a GP's ``ServiceRequest`` with the same
Task as it stands when it is received. Plain dicts; validated in the tests with a
maintained FHIR model library."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schakel.contracts.vocabulary import TaskStatus

FHIR_JSON = "application/fhir+json"
# schakel's own code systems and naming systems (its codes, in its own namespace).
SYSTEM = "https://schakel.nl/fhir"
ORGANISATION_IDS = f"{SYSTEM}/NamingSystem/organisation"
REFERRAL_IDS = f"{SYSTEM}/NamingSystem/referral"
TASK_CODES = "http://hl7.org/fhir/CodeSystem/task-code"


def code_system(name: str) -> str:
    return f"{SYSTEM}/CodeSystem/{name}"


def concept(system: str, code: str, text: str | None = None) -> dict[str, Any]:
    """A CodeableConcept in one of schakel's code systems."""
    found: dict[str, Any] = {"coding": [{"system": code_system(system), "code": code}]}
    if text:
        found["text"] = text
    return found


def organisation_reference(organisation: str, name: str | None = None) -> dict[str, Any]:
    reference: dict[str, Any] = {
        "type": "Organization",
        "identifier": {"system": ORGANISATION_IDS, "value": organisation},
    }
    if name:
        reference["display"] = name
    return reference


def referral_task(
    referral_id: str,
    updated_at: datetime,
    *,
    received_at: datetime | None = None,
    referrer_organisation: str | None = None,
    status: TaskStatus = TaskStatus.REQUESTED,
) -> dict[str, Any]:
    """The Task of a referral, without what only later stages add (owner, outputs…): its
    ``basedOn`` and ``focus`` are the referral's ServiceRequest. No personal details."""
    request = {"reference": f"ServiceRequest/{referral_id}"}
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": referral_id,
        "meta": {"lastUpdated": updated_at.isoformat()},
        "identifier": [{"system": REFERRAL_IDS, "value": referral_id}],
        "basedOn": [request],
        "focus": request,
        "status": status.value,
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODES, "code": "fulfill"}]},
        "lastModified": updated_at.isoformat(),
    }
    if received_at is not None:
        task["authoredOn"] = received_at.isoformat()
    if referrer_organisation:
        task["requester"] = organisation_reference(referrer_organisation)
    return task


def operation_outcome(*issues: tuple[str, str, str | None]) -> dict[str, Any]:
    """An OperationOutcome of (code, diagnostics, expression) errors."""
    found: list[dict[str, Any]] = []
    for code, diagnostics, expression in issues:
        issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": diagnostics}
        if expression:
            issue["expression"] = [expression]
        found.append(issue)
    return {"resourceType": "OperationOutcome", "issue": found}
