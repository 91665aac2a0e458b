"""Intake's HTTP adapter: signals from anyone (the public form) and GP prescriptions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status

from schakel.contracts.vocabulary import Channel, SignalerRole
from schakel.intake.adapters import (
    IntakeUnitOfWork,
    MongoIntakeUnitOfWork,
    idempotency_id,
    request_fingerprint,
)
from schakel.intake.domain import Accepted, Intake
from schakel.intake.handlers import Idempotency, IdempotencyConflict, Submission, submit
from schakel.intake.schemas import PersonIn, ReferralIn, ReferralReceipt, SignalIn, SignalReceipt
from schakel.intake.vault import Sealer
from schakel.platform.auth import Authenticated, Role, require_role
from schakel.platform.dependencies import CorrelationId, Store

router = APIRouter(prefix="/api/v1", tags=["intake"])
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Send the same key when retrying: the signal is accepted only once",
    ),
]
# How long a signaler's request may wait for the database before hearing "try again" (503):
# the same as the client's server selection timeout, well below usual HTTP client timeouts.
REQUEST_SECONDS = 5.0
THANKS = {
    "nl": "Dank u wel. Uw melding is ontvangen. Bewaar de code om later de status te bekijken.",
    "en": "Thank you. Your report was received. Keep the code to check its status later.",
}


def _status_url(receipt: str) -> str:
    return f"/api/v1/signals/{receipt}/status"


def _intake(
    concern: SignalIn | ReferralIn,
    person: PersonIn,
    channel: Channel,
    role: SignalerRole,
    organisation: str | None,
) -> Intake:
    return Intake(
        channel=channel,
        signaler_role=role,
        signaler_organisation=organisation,
        postcode=person.postcode,
        received_at=datetime.now(UTC),
        age_band=concern.age_band,
        observations=tuple(concern.observations),
        djg_score=concern.djg_score,
        consent_to_contact=concern.consent_to_contact,
        prescribed_to=concern.prescribed_to if isinstance(concern, ReferralIn) else None,
    )


def _person(person: PersonIn) -> dict[str, Any]:
    return person.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True)
class Desk:
    """What a route needs to accept a submission: the unit of work, the vault's sealer and
    the request's correlation id."""

    uow: IntakeUnitOfWork
    sealer: Sealer
    correlation_id: str


def _desk(request: Request, store: Store, correlation_id: CorrelationId) -> Desk:
    sealer: Sealer = request.app.state.sealer
    return Desk(MongoIntakeUnitOfWork(store, within=REQUEST_SECONDS), sealer, correlation_id)


IntakeDesk = Annotated[Desk, Depends(_desk)]


async def _submit(
    desk: Desk,
    response: Response,
    body: SignalIn | ReferralIn,
    intake: Intake,
    person: PersonIn,
    scope: str,
    key: str | None,
    respond: Callable[[Accepted], dict[str, Any]],
) -> dict[str, Any]:
    idem = None
    if key:
        idem = Idempotency(
            idempotency_id(scope, key),
            request_fingerprint(body.model_dump(mode="json")),
        )
    submission = Submission(intake, _person(person), body.note, desk.correlation_id, idem)
    try:
        answer, new = await submit(desk.uow, desk.sealer, submission, respond)
    except IdempotencyConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    response.status_code = status.HTTP_202_ACCEPTED if new else status.HTTP_200_OK
    return answer


@router.post(
    "/signals",
    status_code=202,
    response_model=SignalReceipt,
    summary="Report a concern about someone (public, no account)",
)
async def post_signal(
    desk: IntakeDesk, response: Response, body: SignalIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    channel = Channel.ZELFMELDING if body.about_self else Channel.WEBFORMULIER
    intake = _intake(body, body.person, channel, body.signaler_role, body.signaler_organisation)

    def respond(accepted: Accepted) -> dict[str, Any]:
        return {
            "receipt": accepted.receipt,
            "status_url": _status_url(accepted.receipt),
            "message": THANKS,
        }

    return await _submit(
        desk, response, body, intake, body.person, "public", idempotency_key, respond
    )


@router.post(
    "/referrals",
    status_code=202,
    response_model=ReferralReceipt,
    summary="Send a wellbeing prescription (Welzijn op recept), GP practices only",
)
async def post_referral(
    desk: IntakeDesk,
    response: Response,
    body: ReferralIn,
    principal: Authenticated,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    require_role(principal, Role.HUISARTS)
    intake = _intake(
        body, body.patient, Channel.WELZIJN_OP_RECEPT, SignalerRole.HUISARTS, principal.organisation
    )

    def respond(accepted: Accepted) -> dict[str, Any]:
        return {
            "referral_id": accepted.referral_id,
            "receipt": accepted.receipt,
            "status_url": _status_url(accepted.receipt),
            "message": THANKS,
        }

    return await _submit(
        desk,
        response,
        body,
        intake,
        body.patient,
        f"org:{principal.organisation}",
        idempotency_key,
        respond,
    )
