"""FHIR resources, checked by a maintained model library (fhir.resources, R4B). schakel serves
and accepts no FHIR resource yet: this proves the helper, for the issues that add them (their
examples and responses go through `fhir_problems`)."""

from __future__ import annotations

import copy
from typing import Any

from tests.contract.validators import fhir_problems

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
