"""Intake's process: the HTTP entry for signals and GP prescriptions; publishes via its outbox."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, HTTPException, Request, Response, status

from schakel.contracts.vocabulary import Channel, SignalerRole
from schakel.intake import adapters
from schakel.intake.domain import Accepted, Intake
from schakel.intake.handlers import Idempotency, IdempotencyConflict, Submission, submit
from schakel.intake.schemas import PersonIn, ReferralIn, ReferralReceipt, SignalIn, SignalReceipt
from schakel.intake.vault import Sealer
from schakel.platform.auth import Authenticated, Role, require_role
from schakel.platform.logging import get_logger
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings

log = get_logger(__name__)
router = APIRouter(prefix="/api/v1", tags=["intake"])
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Send the same key when retrying: the signal is accepted only once",
    ),
]
THANKS = {
    "nl": "Dank u wel. Uw melding is ontvangen. Bewaar de code om later de status te bekijken.",
    "en": "Thank you. Your report was received. Keep the code to check its status later.",
}


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    http_port: int = 8081
    vault_master_key: str | None = None

    def master_key(self) -> bytes:
        if self.vault_master_key:
            return base64.b64decode(self.vault_master_key)
        # Development only: a fixed key derived from the auth secret, announced loudly.
        log.warning("SCHAKEL_VAULT_MASTER_KEY not set: using a development key")
        return hashlib.sha256(f"vault:{self.auth_secret}".encode()).digest()


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
    )


def _person(person: PersonIn) -> dict[str, Any]:
    return person.model_dump(mode="json", exclude_none=True)


async def _submit(
    request: Request,
    response: Response,
    body: SignalIn | ReferralIn,
    intake: Intake,
    person: PersonIn,
    scope: str,
    key: str | None,
    respond: Callable[[Accepted], dict[str, Any]],
) -> dict[str, Any]:
    runtime: ServiceRuntime = request.app.state.runtime
    idem = None
    if key:
        idem = Idempotency(
            adapters.idempotency_id(scope, key),
            adapters.request_fingerprint(body.model_dump(mode="json")),
        )
    submission = Submission(intake, _person(person), body.note, request.state.correlation_id, idem)
    try:
        answer, new = await submit(runtime.store, request.app.state.sealer, submission, respond)
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
    request: Request, response: Response, body: SignalIn, idempotency_key: IdempotencyKey = None
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
        request, response, body, intake, body.person, "public", idempotency_key, respond
    )


@router.post(
    "/referrals",
    status_code=202,
    response_model=ReferralReceipt,
    summary="Send a wellbeing prescription (Welzijn op recept), GP practices only",
)
async def post_referral(
    request: Request,
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
        request,
        response,
        body,
        intake,
        body.patient,
        f"org:{principal.organisation}",
        idempotency_key,
        respond,
    )


def settings() -> IntakeSettings:
    return IntakeSettings()


def build(config: IntakeSettings | None = None) -> FastAPI:
    config = config or settings()
    runtime = ServiceRuntime(config, on_start=adapters.create_indexes)
    app = runtime.app("schakel intake", [router])
    app.state.sealer = Sealer(config.master_key())
    return app
