"""GP wellbeing prescriptions as HL7 FHIR R4 over HTTP: ``POST /api/v1/fhir/ServiceRequest``
and a transaction ``Bundle`` at ``POST /api/v1/fhir``. Accepted as a JSON prescription is
(the same command, the same events); answered with the ``Task`` that tracks the referral
(feedback serves it later at ``GET /api/v1/fhir/Task/{id}``) or an ``OperationOutcome``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from schakel.contracts.fhir import FHIR_JSON, operation_outcome, referral_task
from schakel.intake.api import Desk, IdempotencyKey, IntakeDesk, accept_prescription
from schakel.intake.fhir import FHIR_PATHS, Problem, prescription, structure_problems
from schakel.intake.routes import router
from schakel.intake.schemas import ReferralIn
from schakel.platform.auth import MaybeAuthenticated, Principal, Role

TAGS: list[Any] = ["intake: FHIR"]
BODY = {
    "required": True,
    "content": {
        FHIR_JSON: {"schema": {"type": "object", "description": "A FHIR R4 resource"}},
        "application/json": {"schema": {"type": "object"}},
    },
}
OUTCOME = {"content": {FHIR_JSON: {}}, "description": "An OperationOutcome saying why"}
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"content": {FHIR_JSON: {}}, "description": "Sent before (same identifier): its Task"},
    201: {"content": {FHIR_JSON: {}}, "description": "The Task that tracks the referral"},
    400: OUTCOME,
    401: OUTCOME,
    403: OUTCOME,
    409: OUTCOME,
    422: OUTCOME,
}


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


def _refusal(*problems: Problem) -> FhirResponse:
    issues = [(p.code, p.diagnostics, p.expression) for p in problems]
    return FhirResponse(operation_outcome(*issues), status_code=problems[0].status)


def _not_a_gp(principal: Principal | None) -> Problem:
    if principal is None:
        return Problem(401, "login", "authentication required: send Authorization: Bearer <token>")
    return Problem(403, "forbidden", "only a GP practice sends wellbeing prescriptions")


async def _resource(request: Request) -> dict[str, Any] | Problem:
    try:
        found = json.loads(await request.body())
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return Problem(400, "structure", f"the body is not JSON: {exc}")
    if not isinstance(found, dict):
        return Problem(400, "structure", "the body is not a FHIR resource (a JSON object)")
    return found


def _intake_problems(exc: ValidationError) -> list[Problem]:
    """Intake's own rules, said with the FHIR element they concern."""
    problems = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"])
        problems.append(Problem(422, "invalid", str(error["msg"]), FHIR_PATHS.get(where, where)))
    return problems


async def _accept(
    request: Request, desk: Desk, response: Response, principal: Principal | None, key: str | None
) -> Response:
    if principal is None or not principal.has(Role.HUISARTS):
        return _refusal(_not_a_gp(principal))
    resource = await _resource(request)
    if isinstance(resource, Problem):
        return _refusal(resource)
    if problems := structure_problems(resource):
        return _refusal(*problems)
    try:
        found = prescription(resource)
        body = ReferralIn.model_validate(found.referral)
    except Problem as problem:
        return _refusal(problem)
    except ValidationError as exc:
        return _refusal(*_intake_problems(exc))
    # A GP system resending its ServiceRequest (same identifier) makes one referral.
    retry_key = key or (f"fhir:{found.gp_identifier}" if found.gp_identifier else None)
    try:
        answer = await accept_prescription(desk, response, body, principal, retry_key)
    except HTTPException as exc:
        if exc.status_code != status.HTTP_409_CONFLICT:
            raise
        return _refusal(Problem(409, "duplicate", str(exc.detail)))
    now = datetime.now(UTC)
    task = referral_task(
        answer["referral_id"], now, received_at=now, referrer_organisation=principal.organisation
    )
    new = response.status_code == status.HTTP_202_ACCEPTED
    return FhirResponse(
        task,
        status_code=status.HTTP_201_CREATED if new else status.HTTP_200_OK,
        headers={"Location": f"/api/v1/fhir/Task/{answer['referral_id']}"},
    )


async def post_prescription(
    request: Request,
    desk: IntakeDesk,
    response: Response,
    principal: MaybeAuthenticated,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return await _accept(request, desk, response, principal, idempotency_key)


# (path, summary, description): one handler reads both shapes (``fhir.prescription``).
ROUTES = (
    (
        "/fhir/ServiceRequest",
        "Send a wellbeing prescription as a FHIR R4 ServiceRequest, GP practices only",
        "The ServiceRequest holds its Patient (`subject`) and Consent (`supportingInfo`) as "
        "contained resources. `code` carries `https://schakel.nl/fhir/CodeSystem/referral-kind"
        "|welzijn-op-recept`; `performerType` may say `…/prescribed-to|beweegmakelaar` (default "
        "the social broker); `reasonCode` may carry `…/observation` codes. The GP practice is "
        "the token's; `requester` is not read. Answers 201 with the Task that tracks the "
        "referral; the same `identifier` (or `Idempotency-Key`) again answers 200.",
    ),
    (
        "/fhir",
        "Send a wellbeing prescription as a FHIR R4 transaction Bundle, GP practices only",
        "A transaction Bundle with one ServiceRequest and the Patient, Consent and requester "
        "(Practitioner, PractitionerRole or Organization) it refers to by `fullUrl` or "
        "`Type/id`. Read as `POST /api/v1/fhir/ServiceRequest`; answers the Task (not a "
        "transaction-response Bundle: the referral is one resource to follow).",
    ),
)
for path, summary, description in ROUTES:
    router.add_api_route(
        path,
        post_prescription,
        methods=["POST"],
        tags=TAGS,
        response_class=FhirResponse,
        status_code=201,
        responses=ANSWERS,
        openapi_extra={"requestBody": BODY},
        summary=summary,
        description=description,
        name=f"post_fhir{path.replace('/', '_')}",
    )
