"""Intake's HTTP adapter: signals from anyone (the public form) and GP prescriptions.

The signaler's organisation in the received event comes only from a token or a key: a GP
practice's token for a prescription, a partner's token or its organisation's API key
(``X-Api-Key``, see ``admin``) when it sends a signal. What someone types as their
organisation on the public form is a label kept with the note in the vault; it grants no
access to anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request, Response, status

from schakel.contracts.vocabulary import Channel, SignalerRole
from schakel.intake import admin
from schakel.intake.adapters import (
    IntakeUnitOfWork,
    MongoIntakeUnitOfWork,
    idempotency_id,
    request_fingerprint,
)
from schakel.intake.domain import Accepted, Intake
from schakel.intake.duplicates import BlindIndex
from schakel.intake.handlers import Idempotency, IdempotencyConflict, Submission, submit
from schakel.intake.keys import ApiKey
from schakel.intake.routes import router
from schakel.intake.schemas import PersonIn, ReferralIn, ReferralReceipt, SignalIn, SignalReceipt
from schakel.intake.vault import Sealer
from schakel.platform.auth import (
    Authenticated,
    MaybeAuthenticated,
    Principal,
    Role,
    require_role,
)
from schakel.platform.dependencies import CorrelationId, Store
from schakel.platform.edge import ID_PATTERN, ID_RULE, IDEMPOTENCY_HEADER

__all__ = ["router"]  # with the routes of ``admin`` and ``fhir_api`` on it too
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        pattern=ID_PATTERN,  # checked before routing already (400): this documents it
        description="Send the same key when retrying: the signal is accepted only once. "
        f"{ID_RULE}.",
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
        contact_way=concern.contact_way if isinstance(concern, SignalIn) else None,
    )


def _details(person: PersonIn, signal: SignalIn | None = None) -> dict[str, Any]:
    """What goes into the vault besides the note: the person (birth date included), how
    they want to be reached, and the signaler's own words for their organisation (a label,
    never an identity)."""
    details = person.model_dump(mode="json", exclude_none=True)
    if signal is not None:
        extra = {
            "signaler_organisation_label": signal.signaler_organisation,
            "contact_way": signal.contact_way.value if signal.contact_way else None,
            "gp_practice": signal.gp_practice,
        }
        details.update({name: value for name, value in extra.items() if value})
    return details


@dataclass(frozen=True)
class Desk:
    """What a route needs to accept a submission: the unit of work, the vault's sealer, the
    request's correlation id and the blind index the duplicate check hashes with."""

    uow: IntakeUnitOfWork
    sealer: Sealer
    correlation_id: str
    index: BlindIndex | None = None


def _desk(request: Request, store: Store, correlation_id: CorrelationId) -> Desk:
    sealer: Sealer = request.app.state.sealer
    index: BlindIndex = request.app.state.blind_index
    uow = MongoIntakeUnitOfWork(store, within=REQUEST_SECONDS)
    return Desk(uow, sealer, correlation_id, index)


IntakeDesk = Annotated[Desk, Depends(_desk)]


async def _submit(
    desk: Desk,
    response: Response,
    body: SignalIn | ReferralIn,
    intake: Intake,
    details: dict[str, Any],
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
    submission = Submission(intake, details, body.note, desk.correlation_id, idem)
    try:
        answer, new = await submit(desk.uow, desk.sealer, submission, respond, desk.index)
    except IdempotencyConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    response.status_code = status.HTTP_202_ACCEPTED if new else status.HTTP_200_OK
    return answer


@dataclass(frozen=True)
class Sender:
    """Who vouches for a signal: an organisation (from a token or a key), or nobody."""

    organisation: str | None = None
    role: SignalerRole | None = None  # a key's kind of signaler overrides the body's


def _sender(principal: Principal | None, key: ApiKey | None) -> Sender:
    if principal is not None and key is not None:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"send either a bearer token or an {admin.API_KEY_HEADER}, not both",
        )
    if key is not None:
        return Sender(key.organisation, key.signaler_role)
    return Sender(None if principal is None else principal.organisation)


def _signal_channel(body: SignalIn, sender: Sender) -> Channel:
    if sender.organisation is not None:
        return Channel.SIGNALERINGS_API
    return Channel.ZELFMELDING if body.about_self else Channel.WEBFORMULIER


@router.post(
    "/signals",
    tags=["intake"],
    status_code=202,
    response_model=SignalReceipt,
    summary="Report a concern about someone (public, no account; an organisation sends its "
    "API key or a partner its token)",
    responses={
        400: {"description": "Both a bearer token and an API key were sent"},
        401: {"description": "A bearer token or API key was sent and is not (or no longer) valid"},
    },
)
async def post_signal(
    desk: IntakeDesk,
    response: Response,
    body: SignalIn,
    principal: MaybeAuthenticated,
    key: admin.SignallingKey,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Anyone may report. With an organisation's API key (``X-Api-Key``) or a partner's
    bearer token the signal is that organisation's (its staff can follow it), and a key's
    kind of signaler replaces ``signaler_role``; without either it is anonymous, whatever
    ``signaler_organisation`` says."""
    sender = _sender(principal, key)
    organisation = sender.organisation
    channel = _signal_channel(body, sender)
    role = sender.role or body.signaler_role
    intake = _intake(body, body.person, channel, role, organisation)

    def respond(accepted: Accepted) -> dict[str, Any]:
        return {
            "receipt": accepted.receipt,
            "status_url": _status_url(accepted.receipt),
            "message": THANKS,
        }

    scope = "public" if organisation is None else f"org:{organisation}"
    details = _details(body.person, body)
    return await _submit(desk, response, body, intake, details, scope, idempotency_key, respond)


@router.post(
    "/referrals",
    tags=["intake"],
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
    return await accept_prescription(desk, response, body, principal, idempotency_key)


async def accept_prescription(
    desk: Desk, response: Response, body: ReferralIn, principal: Principal, key: str | None
) -> dict[str, Any]:
    """A GP practice's prescription, however it came (JSON here, FHIR in ``fhir_api``)."""
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
        _details(body.patient),
        f"org:{principal.organisation}",
        key,
        respond,
    )


from schakel.intake import fhir_api  # noqa: E402  (adds its routes to the router)

__all__ += ["fhir_api"]
from schakel.intake import privacy_api  # noqa: E402  (erasure, export, contact details)

__all__ += ["privacy_api"]
