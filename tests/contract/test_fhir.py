"""FHIR resources, checked by a maintained model library (fhir.resources, R4B): the helper
itself, and the Task feedback serves a referrer for a referral in each stage of its life."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from schakel.contracts.vocabulary import CloseOutcome, TaskStatus
from schakel.feedback.fhir import fhir_task, not_found
from tests.contract.validators import fhir_problems
from tests.unit.test_feedback_domain import GP, REFERRAL, received, triaged
from tests.unit.test_feedback_lifecycle import accepted, closed, fold, started, talked

SERVICE_REQUEST: dict[str, Any] = {
    "resourceType": "ServiceRequest",
    "id": "welzijn-op-recept-1",
    "status": "active",
    "intent": "order",
    "category": [{"coding": [{"system": "http://snomed.info/sct", "code": "410606002"}]}],
    "code": {"text": "Welzijn op recept"},
    "subject": {"reference": "Patient/ps-5d41402abc4b2a76b9719d911017c592"},
    "authoredOn": "2026-11-23T10:00:00+01:00",
    "requester": {"identifier": {"system": "http://fhir.nl/fhir/NamingSystem/agb-z", "value": "1"}},
}


def test_a_valid_resource_has_no_problems() -> None:
    assert fhir_problems(SERVICE_REQUEST) == []


def test_a_deliberately_broken_resource_is_reported() -> None:
    broken = copy.deepcopy(SERVICE_REQUEST)
    broken["subject"] = "Patient/1"  # a Reference, not a string
    broken["authoredOn"] = "gisteren"
    problems = fhir_problems(broken)
    for element in ("subject", "authoredOn"):
        assert any(p.startswith(element) for p in problems), problems
    without_intent = {k: v for k, v in SERVICE_REQUEST.items() if k != "intent"}  # 1..1
    assert [p for p in fhir_problems(without_intent) if p.startswith("intent")]


def test_an_unknown_resource_type_is_reported() -> None:
    assert fhir_problems({"resourceType": "Verwijzing"}) == [
        "resourceType: 'Verwijzing' is not an R4B resource"
    ]


STAGES = {
    "received": (received(),),
    "routed": (received(), triaged()),
    "accepted": (received(), triaged(), accepted()),
    "support started": (received(), triaged(), accepted(), talked(), started()),
    "closed": (
        received(),
        triaged(),
        accepted(),
        talked(),
        started(),
        closed(CloseOutcome.HULP_GEKREGEN, TaskStatus.COMPLETED),
    ),
    "closed unreached": (
        received(),
        triaged(),
        accepted(),
        closed(CloseOutcome.NIET_BEREIKT, TaskStatus.FAILED),
    ),
}


@pytest.mark.parametrize("stage", STAGES)
def test_the_referrers_task_is_a_valid_r4_task_in_every_stage(stage: str) -> None:
    task = fhir_task(fold(*STAGES[stage]))

    assert fhir_problems(task) == []
    assert task["basedOn"] == [{"reference": f"ServiceRequest/{REFERRAL}"}]
    assert task["requester"]["identifier"]["value"] == GP


def test_a_closed_task_says_who_accepted_the_support_and_the_outcome() -> None:
    task = fhir_task(fold(*STAGES["closed"]))
    outputs = {o["type"]["coding"][0]["code"]: o for o in task["output"]}

    assert (task["status"], task["statusReason"]["coding"][0]["code"]) == (
        "completed",
        "hulp_gekregen",
    )
    assert task["businessStatus"]["coding"][0]["code"] == "support-started"
    assert outputs["accepted-by"]["valueReference"]["display"] == "Buurtteam Overvecht"
    assert outputs["accepted-by-role"]["valueCodeableConcept"]["coding"][0]["code"] == (
        "sociaal_makelaar"
    )
    assert outputs["support-kind"]["valueCodeableConcept"]["coding"][0]["code"] == "maatje"
    assert outputs["outcome"]["valueCodeableConcept"]["coding"][0]["code"] == "hulp_gekregen"
    assert outputs["djg-follow-up-score"]["valueInteger"] == 2
    assert "ps-" not in str(task)  # the person is not referenced


def test_an_unknown_task_answers_a_valid_operation_outcome() -> None:
    assert fhir_problems(not_found("ref-x")) == []
