"""A GP's wellbeing prescription as HL7 FHIR R4: a ``ServiceRequest`` (its Patient and Consent
contained) or a transaction ``Bundle`` (ServiceRequest, Patient, Consent and the requester as
Practitioner, PractitionerRole or Organization), read into intake's own ``ReferralIn``.

Resources are checked with fhir.resources' R4B models (structure, data types, cardinality,
unknown elements). R4B changed none of these resources from R4, so an R4 client's JSON is
read as sent. What the models accept is then held to intake's rules (``ReferralIn``: a Dutch
postcode, a plausible date of birth, the patient's consent).

The codes are schakel's own (a local code system, ``https://schakel.nl/fhir/CodeSystem/…``):
the Utrecht documents name no terminology for *Welzijn op recept*, and neither SNOMED CT nor
the Dutch GP standards give a code for it that they cite.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from schakel.contracts.fhir import code_system
from schakel.contracts.vocabulary import Observation, PrescribedTo

Json = dict[str, Any]
# ServiceRequest.code (or .category) must carry this coding: what the request is.
REFERRAL_KIND = code_system("referral-kind")
WELZIJN_OP_RECEPT = "welzijn-op-recept"
# ServiceRequest.performerType: whom the GP refers to (the values of PrescribedTo).
PRESCRIBED_TO = code_system("prescribed-to")
# ServiceRequest.reasonCode: what the GP noticed, in intake's observation codes.
OBSERVATIONS = code_system("observation")
ORDER_INTENTS = frozenset({"order", "original-order"})
TYPES = ("ServiceRequest", "Bundle")


@dataclass(frozen=True)
class Problem(Exception):
    """Why a resource is refused: FHIR issue code, diagnostics, FHIRPath expression."""

    status: int
    code: str
    diagnostics: str
    expression: str | None = None


@dataclass(frozen=True)
class Prescription:
    """What intake needs: the body of ``POST /api/v1/referrals`` and the GP's own id."""

    referral: Json
    gp_identifier: str | None  # "system|value" of ServiceRequest.identifier, for retries


def structure_problems(resource: Mapping[str, Any]) -> list[Problem]:
    """What the R4B models refuse (400 each), empty when the resource is well-formed."""
    kind = resource.get("resourceType")
    if kind not in TYPES:
        return [Problem(400, "not-supported", f"expected one of {TYPES}, not {kind!r}", None)]
    try:
        get_fhir_model_class(str(kind)).model_validate(dict(resource))
    except ValidationError as exc:
        return [
            Problem(400, "structure", str(e["msg"]), ".".join([str(kind), *map(str, e["loc"])]))
            for e in exc.errors(include_url=False)
        ]
    return []


def prescription(resource: Json) -> Prescription:
    """The prescription in a well-formed ServiceRequest or Bundle; Problem when it is not
    a *Welzijn op recept* request intake can act on."""
    if resource["resourceType"] == "Bundle":
        request, index = _from_bundle(resource)
    else:
        request, index = resource, _contained(resource)
    _check_request(request)
    patient = _resolve(request.get("subject"), index, "Patient", "ServiceRequest.subject")
    _check_consent(request, index)
    referral: Json = {
        "patient": _patient(patient),
        "consent_to_contact": True,
        "prescribed_to": _prescribed_to(request),
        "observations": sorted(_observations(request)),
    }
    if notes := [n["text"] for n in request.get("note", []) if n.get("text")]:
        referral["note"] = "\n".join(notes)
    return Prescription(referral, _identifier(request))


def _contained(resource: Json) -> dict[str, Json]:
    return {f"#{r['id']}": r for r in resource.get("contained", []) if r.get("id")}


def _from_bundle(bundle: Json) -> tuple[Json, dict[str, Json]]:
    if bundle.get("type") != "transaction":
        raise Problem(400, "not-supported", "only a transaction Bundle is accepted", "Bundle.type")
    index: dict[str, Json] = {}
    requests: list[Json] = []
    for entry in bundle.get("entry", []):
        found = entry.get("resource")
        if not found:
            continue
        if entry.get("fullUrl"):
            index[entry["fullUrl"]] = found
        if found.get("id"):
            index[f"{found['resourceType']}/{found['id']}"] = found
        if found["resourceType"] == "ServiceRequest":
            requests.append(found)
    if len(requests) != 1:
        raise Problem(
            422,
            "invariant",
            f"the Bundle must hold one ServiceRequest, not {len(requests)}",
            "Bundle.entry",
        )
    [request] = requests
    return request, {**index, **_contained(request)}


def _codings(*concepts: Any) -> Iterator[Json]:
    for concept in concepts:
        if isinstance(concept, dict):
            yield from concept.get("coding", [])


def _check_request(request: Json) -> None:
    if request.get("status") != "active":
        raise Problem(
            422,
            "business-rule",
            "only an active ServiceRequest is a referral",
            "ServiceRequest.status",
        )
    if request.get("intent") not in ORDER_INTENTS:
        raise Problem(
            422, "business-rule", "a wellbeing prescription is an order", "ServiceRequest.intent"
        )
    kinds = _codings(request.get("code"), *request.get("category", []))
    if not any(
        c.get("system") == REFERRAL_KIND and c.get("code") == WELZIJN_OP_RECEPT for c in kinds
    ):
        raise Problem(
            422,
            "code-invalid",
            f"not a wellbeing prescription: ServiceRequest.code needs the coding "
            f"{REFERRAL_KIND}|{WELZIJN_OP_RECEPT}",
            "ServiceRequest.code",
        )


def _resolve(reference: Any, index: Mapping[str, Json], kind: str, where: str) -> Json:
    target = reference.get("reference") if isinstance(reference, dict) else None
    found = index.get(target) if target else None
    if found is None or found.get("resourceType") != kind:
        raise Problem(
            422,
            "invalid",
            f"{where} must refer to a {kind} in the request (contained, or an entry of the Bundle)",
            where,
        )
    return found


def _check_consent(request: Json, index: Mapping[str, Json]) -> None:
    """The patient agreed to be contacted: an active Consent, permitting, among the
    supporting information (a prescription without consent is refused, as in JSON)."""
    for reference in request.get("supportingInfo", []):
        consent = index.get(reference.get("reference", ""))
        if consent is None or consent.get("resourceType") != "Consent":
            continue
        permits = consent.get("provision", {}).get("type", "permit") == "permit"
        if consent.get("status") == "active" and permits:
            return
    raise Problem(
        422,
        "business-rule",
        "a wellbeing prescription needs the patient's consent to be contacted: an active, "
        "permitting Consent in ServiceRequest.supportingInfo",
        "ServiceRequest.supportingInfo",
    )


def _patient(patient: Json) -> Json:
    names = patient.get("name") or [{}]
    name = names[0].get("text") or " ".join(
        [*names[0].get("given", []), names[0].get("family", "")]
    )
    addresses = [a for a in patient.get("address", []) if a.get("postalCode")]
    person: Json = {
        "name": name.strip(),
        "postcode": addresses[0]["postalCode"] if addresses else "",
    }
    if addresses and addresses[0].get("line"):
        person["street_address"] = " ".join(addresses[0]["line"])
    if born := patient.get("birthDate"):
        person["date_of_birth"] = born
    for telecom in patient.get("telecom", []):
        field = {"phone": "phone", "email": "email"}.get(telecom.get("system", ""))
        if field and telecom.get("value") and field not in person:
            person[field] = telecom["value"]
    return person


def _prescribed_to(request: Json) -> str:
    for coding in _codings(request.get("performerType")):
        if coding.get("system") == PRESCRIBED_TO and coding.get("code") in set(PrescribedTo):
            return str(coding["code"])
    return PrescribedTo.SOCIAAL_MAKELAAR.value


def _observations(request: Json) -> set[str]:
    codes = _codings(*request.get("reasonCode", []))
    return {
        c["code"]
        for c in codes
        if c.get("system") == OBSERVATIONS and c.get("code") in set(Observation)
    }


def _identifier(request: Json) -> str | None:
    for identifier in request.get("identifier", []):
        if identifier.get("value"):
            return f"{identifier.get('system', '')}|{identifier['value']}"
    return None


# Where intake's field names point in the FHIR resources, for an OperationOutcome.
FHIR_PATHS = {
    "patient.name": "Patient.name",
    "patient.postcode": "Patient.address.postalCode",
    "patient.street_address": "Patient.address.line",
    "patient.date_of_birth": "Patient.birthDate",
    "patient.phone": "Patient.telecom",
    "patient.email": "Patient.telecom",
    "note": "ServiceRequest.note",
}
