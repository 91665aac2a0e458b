"""Concerns about someone already in care: ``POST /api/v1/concerns``.

Three kinds of reporter find the referral in three ways: a professional by its id (signed
in, of the organisation that sent or owns it), a matched helper by the reference code the
owner gave them when support started, anyone by the signal's receipt code. A concern
attaches to that referral (never a new one), reaches the owner at once and goes to triage,
which may raise grade and urgency. Its note stays in followup's database; the event
carries the observations only. Helpers and receipt holders learn nothing about the
referral, not even its id.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Self

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from schakel.contracts.lifecycle import Actor
from schakel.contracts.receipts import receipt_hash
from schakel.contracts.vocabulary import ActorRole, ConcernSource, Observation
from schakel.followup.adapters import CodeKind, MongoIdempotency, Remembered
from schakel.followup.api.owners import (
    NOTE,
    Answer,
    Clock,
    FollowupSetup,
    fingerprint,
    in_transaction,
    refused,
    router,
)
from schakel.followup.domain.commands import RaiseConcern
from schakel.followup.domain.machine import Refusal
from schakel.followup.domain.state import Referral
from schakel.followup.handlers import Ports, Setup, act
from schakel.platform.auth import MaybeAuthenticated, Principal, Role
from schakel.platform.dependencies import Store
from schakel.platform.mongo import Transaction

MAX_CODE = 64
NOT_FOUND = "no referral found for this id or code"
# The role a signed-in reporter acts in, by the role of their account.
ACTING_AS: dict[Role, ActorRole] = {
    Role.HUISARTS: ActorRole.HUISARTS,
    Role.SIGNALERINGSPARTNER: ActorRole.SIGNALERINGSPARTNER,
    Role.COORDINATIEPUNT: ActorRole.COORDINATIEPUNT,
    Role.COORDINATOR: ActorRole.COORDINATOR,
    Role.SOCIAAL_MAKELAAR: ActorRole.SOCIAAL_MAKELAAR,
}
PROFESSIONALS = tuple(ACTING_AS)


class ConcernIn(BaseModel):
    """Exactly one of ``referral_id`` (signed in), ``helper_code`` or ``receipt``."""

    model_config = ConfigDict(extra="forbid")

    referral_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="As a signed-in professional"
    )
    helper_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_CODE,
        description="The reference code a helper got from the owner when support started",
    )
    receipt: str | None = Field(
        default=None, min_length=1, max_length=MAX_CODE, description="The signal's receipt code"
    )
    observations: list[Observation] = Field(min_length=1, max_length=len(Observation))
    note: str | None = NOTE

    @model_validator(mode="after")
    def _one_way_to_the_referral(self) -> Self:
        given = [v for v in (self.referral_id, self.helper_code, self.receipt) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of referral_id, helper_code, receipt")
        return self


async def _reporter(
    ports: Ports, principal: Principal | None, body: ConcernIn
) -> tuple[Referral, Actor, ConcernSource] | None:
    """The referral the concern is about, who reports it and as what; None when the caller
    may not report on it (unknown, or not theirs: told alike)."""
    if body.referral_id is not None:
        if principal is None or not any(principal.has(r) for r in PROFESSIONALS):
            return None
        state = await ports.referrals.get(body.referral_id)
        if state is None or not _sent_or_owns(principal, state):
            return None
        role = next(ACTING_AS[r] for r in PROFESSIONALS if principal.has(r))
        return (
            state,
            Actor(organisation=principal.organisation, role=role),
            ConcernSource.PROFESSIONAL,
        )
    code: CodeKind = "helper_code_hash" if body.helper_code else "receipt_hash"
    typed = body.helper_code or body.receipt or ""
    state = await ports.referrals.by_code(code, receipt_hash(typed))
    if state is None:
        return None
    if body.helper_code:
        helper = state.support.provider_organisation if state.support else None
        actor = Actor(organisation=helper or "hulpverlener", role=ActorRole.HULPVERLENER)
        return state, actor, ConcernSource.HULPVERLENER
    return state, Actor(organisation="melder", role=ActorRole.SIGNALER), ConcernSource.SIGNALER


def _sent_or_owns(principal: Principal, state: Referral) -> bool:
    referrer = state.facts.referrer_organisation if state.facts else None
    return principal.organisation in (referrer, state.owner_organisation)


async def _raise(
    tx: Transaction,
    setup: Setup,
    principal: Principal | None,
    body: ConcernIn,
    now: datetime,
    key: str | None,
) -> Answer:
    ports, remembered = Ports.of(tx, setup), MongoIdempotency(tx)
    scoped = f"concern:{principal.organisation if principal else '-'}:{key}"
    if key and (earlier := await remembered.remembered(scoped)) is not None:
        if earlier.fingerprint != fingerprint(body):
            return Answer(409, {"detail": "Idempotency-Key was used with another request"})
        return Answer(earlier.status_code, earlier.body, replayed=True)
    found = await _reporter(ports, principal, body)
    if found is None:
        return Answer(404, {"detail": NOT_FOUND})
    state, actor, source = found
    concern_id = f"concern-{uuid.uuid4().hex}"
    command = RaiseConcern(actor, concern_id, source, tuple(dict.fromkeys(body.observations)))
    done = await act(ports, setup, state.referral_id, command, now, tx.emit, body.note)
    if isinstance(done, Refusal):
        return refused(done)
    answer: dict[str, Any] = {"concern_id": concern_id, "received": True}
    if source is ConcernSource.PROFESSIONAL:
        answer["referral_id"] = state.referral_id
    if key:
        await remembered.remember(scoped, Remembered(fingerprint(body), 202, answer))
    return Answer(202, answer)


@router.post(
    "/concerns",
    status_code=202,
    summary="Report a concern about someone already in care",
    responses={
        401: {"description": "A token was sent but is not valid"},
        404: {"description": "No referral for this id or code, or not one you may report on"},
        409: {"description": "The referral is closed (leave a new signal) or not routed yet"},
        422: {"description": "Invalid values, with the field and reason"},
    },
)
async def raise_concern(
    store: Store,
    principal: MaybeAuthenticated,
    clock: Clock,
    setup: FollowupSetup,
    body: ConcernIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> JSONResponse:
    """The concern reaches the owner at once (marked in the inbox, with its note in the
    history) and triage, which may raise grade and urgency; an urgent concern must be acted
    on within hours (deadline policy). Professionals get the referral id back; helpers and
    receipt holders only that it was received."""
    now = clock()

    async def work(tx: Transaction) -> Answer:
        return await _raise(tx, setup, principal, body, now, idempotency_key)

    return (await in_transaction(store, work)).response()
