"""GP prescriptions as HL7 FHIR R4 through intake's HTTP API with real MongoDB and Kafka: a
ServiceRequest and a transaction Bundle become a referral (the same event as the JSON API),
answered with a valid Task; invalid resources get a valid OperationOutcome and store nothing."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from schakel.platform.auth import Principal, Role, issue_token
from schakel.platform.mongo import OUTBOX
from tests.contract.validators import fhir_problems

pytestmark = pytest.mark.integration
LOCAL = "https://schakel.nl/fhir/CodeSystem"
PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "patient",
    "name": [{"family": "Yilmaz", "given": ["Ayşe"]}],
    "birthDate": "1948-03-21",
    "telecom": [{"system": "phone", "value": "030 765 4321"}],
    "address": [{"line": ["Gageldijk 12"], "postalCode": "3563 AB", "city": "Utrecht"}],
}
CONSENT: dict[str, Any] = {
    "resourceType": "Consent",
    "id": "consent",
    "status": "active",
    "scope": {
        "coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "treatment"}
        ]
    },
    "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
    "patient": {"reference": "#patient"},
    "provision": {"type": "permit"},
}


def service_request(**changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "identifier": [{"system": "urn:oid:2.16.840.1.113883.2.4.6.1", "value": uuid.uuid4().hex}],
        "contained": [copy.deepcopy(PATIENT), copy.deepcopy(CONSENT)],
        "status": "active",
        "intent": "order",
        "code": {
            "coding": [{"system": f"{LOCAL}/referral-kind", "code": "welzijn-op-recept"}],
            "text": "Welzijn op recept",
        },
        "performerType": {
            "coding": [{"system": f"{LOCAL}/prescribed-to", "code": "beweegmakelaar"}]
        },
        "reasonCode": [{"coding": [{"system": f"{LOCAL}/observation", "code": "weinig_contact"}]}],
        "subject": {"reference": "#patient"},
        "requester": {"display": "Huisartsenpraktijk Overvecht"},
        "supportingInfo": [{"reference": "#consent"}],
        "note": [{"text": "Komt sinds het overlijden van haar man nauwelijks buiten."}],
    }
    request.update(changes)
    return request


def bundle() -> dict[str, Any]:
    patient = {k: v for k, v in PATIENT.items() if k != "id"}
    consent = {
        **{k: v for k, v in CONSENT.items() if k != "id"},
        "patient": {"reference": "urn:uuid:p"},
    }
    request = service_request(
        subject={"reference": "urn:uuid:p"},
        supportingInfo=[{"reference": "urn:uuid:c"}],
        requester={"reference": "urn:uuid:dr"},
    )
    del request["contained"]
    practitioner = {"resourceType": "Practitioner", "name": [{"family": "De Boer"}]}
    entries = [
        ("urn:uuid:sr", request),
        ("urn:uuid:p", patient),
        ("urn:uuid:c", consent),
        ("urn:uuid:dr", practitioner),
    ]
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": url,
                "resource": resource,
                "request": {"method": "POST", "url": resource["resourceType"]},
            }
            for url, resource in entries
        ],
    }


def token(app: FastAPI, role: Role = Role.HUISARTS) -> dict[str, str]:
    gp = Principal("dr-de-boer", "huisartsenpraktijk-overvecht", frozenset({role}))
    return {
        "Authorization": f"Bearer {issue_token(gp, app.state.settings.auth_secret)}",
        "Content-Type": "application/fhir+json",
    }


async def received(app: FastAPI) -> list[dict[str, Any]]:
    rows = await app.state.runtime.store.db[OUTBOX].find().to_list()
    return [json.loads(bytes(row["value"])) for row in rows]


@pytest.mark.parametrize("path", ["/api/v1/fhir/ServiceRequest", "/api/v1/fhir"])
async def test_a_fhir_prescription_becomes_a_referral_answered_with_its_task(
    client: httpx.AsyncClient, intake: FastAPI, path: str
) -> None:
    resource = service_request() if path.endswith("ServiceRequest") else bundle()
    answer = await client.post(path, json=resource, headers=token(intake))
    assert answer.status_code == 201, answer.text
    assert answer.headers["content-type"].startswith("application/fhir+json")
    task = answer.json()
    assert fhir_problems(task) == []
    assert (task["resourceType"], task["status"]) == ("Task", "requested")
    assert task["requester"]["identifier"]["value"] == "huisartsenpraktijk-overvecht"
    assert answer.headers["location"] == f"/api/v1/fhir/Task/{task['id']}"
    [event] = await received(intake)
    assert event["referral_id"] == task["id"]
    assert event["channel"] == "welzijn_op_recept"
    assert event["signaler"] == {"role": "huisarts", "organisation": "huisartsenpraktijk-overvecht"}
    assert (event["prescribed_to"], event["observations"]) == ("beweegmakelaar", ["weinig_contact"])
    assert (event["postcode_area"], event["consent_to_contact"]) == ("3563", True)
    for personal in ("Yilmaz", "1948", "Gageldijk", "765 4321"):
        assert personal not in json.dumps(event)


async def test_a_resent_service_request_is_one_referral(
    client: httpx.AsyncClient, intake: FastAPI
) -> None:
    resource = service_request()
    first = await client.post("/api/v1/fhir/ServiceRequest", json=resource, headers=token(intake))
    again = await client.post("/api/v1/fhir/ServiceRequest", json=resource, headers=token(intake))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    changed = {**resource, "note": [{"text": "iets anders"}]}
    conflict = await client.post("/api/v1/fhir/ServiceRequest", json=changed, headers=token(intake))
    assert conflict.status_code == 409
    assert conflict.json()["issue"][0]["code"] == "duplicate"
    assert len(await received(intake)) == 1


def _without_consent() -> dict[str, Any]:
    return service_request(supportingInfo=[])


def _refused_consent() -> dict[str, Any]:
    request = service_request()
    request["contained"][1]["provision"] = {"type": "deny"}
    return request


def _patient(**changes: Any) -> dict[str, Any]:
    request = service_request()
    request["contained"][0].update(changes)
    return request


TOMORROW = (date.today() + timedelta(days=2)).isoformat()
INVALID: dict[str, tuple[Any, int, str, str]] = {
    # name: (resource, status, issue code, expression or words in the diagnostics)
    "not json": ("{", 400, "structure", "not JSON"),
    "another resource": ({"resourceType": "Patient"}, 400, "not-supported", "ServiceRequest"),
    "unknown element": (
        service_request(verwijzer="x"),
        400,
        "structure",
        "ServiceRequest.verwijzer",
    ),
    "subject a string": (
        service_request(subject="#patient"),
        400,
        "structure",
        "ServiceRequest.subject",
    ),
    "no intent": (
        {k: v for k, v in service_request().items() if k != "intent"},
        400,
        "structure",
        "ServiceRequest.intent",
    ),
    "a draft": (service_request(status="draft"), 422, "business-rule", "ServiceRequest.status"),
    "another service": (
        service_request(code={"text": "Fysiotherapie"}),
        422,
        "code-invalid",
        "ServiceRequest.code",
    ),
    "patient not there": (
        service_request(subject={"reference": "Patient/elders"}),
        422,
        "invalid",
        "ServiceRequest.subject",
    ),
    "no consent": (_without_consent(), 422, "business-rule", "ServiceRequest.supportingInfo"),
    "consent refused": (_refused_consent(), 422, "business-rule", "ServiceRequest.supportingInfo"),
    "no Dutch postcode": (
        _patient(address=[{"postalCode": "10115"}]),
        422,
        "invalid",
        "Patient.address.postalCode",
    ),
    "born tomorrow": (_patient(birthDate=TOMORROW), 422, "invalid", "Patient.birthDate"),
    "a bundle of two requests": (
        {**bundle(), "entry": [*bundle()["entry"], bundle()["entry"][0]]},
        422,
        "invariant",
        "Bundle.entry",
    ),
    "a batch": ({**bundle(), "type": "batch"}, 400, "not-supported", "Bundle.type"),
}


@pytest.mark.parametrize("case", INVALID)
async def test_an_invalid_resource_gets_an_operation_outcome_and_stores_nothing(
    client: httpx.AsyncClient, intake: FastAPI, case: str
) -> None:
    resource, status, code, where = INVALID[case]
    path = (
        "/api/v1/fhir"
        if isinstance(resource, dict) and resource.get("resourceType") == "Bundle"
        else "/api/v1/fhir/ServiceRequest"
    )
    content = resource if isinstance(resource, str) else json.dumps(resource)
    answer = await client.post(path, content=content, headers=token(intake))
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/fhir+json")
    outcome = answer.json()
    assert fhir_problems(outcome) == []
    issue = outcome["issue"][0]
    assert issue["code"] == code
    assert where in (issue.get("expression") or [""])[0] or where in issue["diagnostics"], issue
    assert await received(intake) == []


async def test_only_a_gp_practice_sends_a_fhir_prescription(
    client: httpx.AsyncClient, intake: FastAPI
) -> None:
    anonymous = await client.post("/api/v1/fhir/ServiceRequest", json=service_request())
    partner = await client.post(
        "/api/v1/fhir/ServiceRequest",
        json=service_request(),
        headers=token(intake, Role.SIGNALERINGSPARTNER),
    )
    assert (anonymous.status_code, partner.status_code) == (401, 403)
    for refused in (anonymous, partner):
        assert refused.json()["resourceType"] == "OperationOutcome"
        assert fhir_problems(refused.json()) == []
    assert await received(intake) == []
