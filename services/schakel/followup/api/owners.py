"""Follow-up's HTTP adapter: the owners' inbox and every owner action on a referral.

Only the owning organisation sees and acts on a referral (the coordination point also sees
the referrals escalated to it, and may transfer them); anyone else gets 404, as for a
referral that does not exist. An impossible action is refused with 409 and the reason, and
changes nothing. ``Idempotency-Key`` makes a retried action count once.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from schakel.contracts.lifecycle import Actor, Wishes
from schakel.contracts.persons import ReferralView
from schakel.contracts.receipts import receipt_hash
from schakel.contracts.vocabulary import (
    ActorRole,
    CloseOutcome,
    DeclineReason,
    Grade,
    HoldReason,
    OfferKind,
    RejectReason,
    Route,
    TransferReason,
)
from schakel.followup import duplicates
from schakel.followup.adapters import (
    MongoIdempotency,
    Remembered,
    StaleReferral,
    find_referral,
    inbox_of,
)
from schakel.followup.domain import commands as c
from schakel.followup.domain.machine import Refusal, RefusalKind
from schakel.followup.domain.state import Referral
from schakel.followup.handlers import Ports, Setup, act
from schakel.followup.views import inbox_item, inbox_order, referral_detail
from schakel.platform.auth import Authenticated, Principal, Role, require_role
from schakel.platform.dependencies import RecordView, Store
from schakel.platform.mongo import Transaction

router = APIRouter(prefix="/api/v1", tags=["followup"])
ACTING_ROLES = (Role.SOCIAAL_MAKELAAR, Role.COORDINATOR, Role.COORDINATIEPUNT)
HELPER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REQUEST_SECONDS = 5.0
ATTEMPTS = 3  # a referral changed by someone else meanwhile is decided again, this often
NOTE = Field(default=None, max_length=2000, description="Kept in follow-up's own records only")
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Send the same key when retrying: the action counts once",
    ),
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such referral, or not one of your organisation's"}
}
ACTION_ANSWERS: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {"description": "Not possible now (the reason says why); nothing was changed"},
    422: {"description": "Invalid values, with the field and reason"},
}


def _clock(request: Request) -> Callable[[], datetime]:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock


def _setup(request: Request) -> Setup:
    setup: Setup = request.app.state.setup
    return setup


Clock = Annotated[Callable[[], datetime], Depends(_clock)]
FollowupSetup = Annotated[Setup, Depends(_setup)]


# --- who may see and act -----------------------------------------------------------------


def actor_of(principal: Principal) -> Actor:
    for role, acting in (
        (Role.COORDINATIEPUNT, ActorRole.COORDINATIEPUNT),
        (Role.COORDINATOR, ActorRole.COORDINATOR),
    ):
        if principal.has(role):
            return Actor(organisation=principal.organisation, role=acting)
    return Actor(organisation=principal.organisation, role=ActorRole.SOCIAAL_MAKELAAR)


def may_see(principal: Principal, state: Referral) -> bool:
    escalated = {e.organisation for e in state.escalations}
    return principal.organisation == state.owner_organisation or (
        principal.organisation in escalated
    )


def may_act(principal: Principal, state: Referral, command: c.Command) -> bool:
    if principal.organisation == state.owner_organisation:
        return True
    return isinstance(command, c.Transfer) and principal.has(Role.COORDINATIEPUNT)


# --- the inbox ---------------------------------------------------------------------------


@router.get("/inbox", summary="The organisation's referrals, most urgent and due first")
async def inbox(
    store: Store,
    principal: Authenticated,
    clock: Clock,
    closed: Annotated[bool, Query(description="Also the closed referrals")] = False,
) -> dict[str, Any]:
    """Referrals the caller's organisation owns (for the coordination point also those
    escalated to it): urgency first, then the next deadline, then the oldest; overdue ones
    marked. At most 200."""
    require_role(principal, *ACTING_ROLES)
    now = clock()
    found = sorted(await inbox_of(store, principal.organisation, closed), key=inbox_order)
    # Signals that may be about the person of one of these referrals wait for an answer.
    waiting = await duplicates.waiting_for(store, [s.referral_id for s in found])
    return {
        "count": len(found),
        "referrals": [inbox_item(s, now) for s in found],
        "suspected_duplicates": [duplicates.suspicion_view(d) for d in waiting],
    }


@router.get("/inbox/{referral_id}", responses=NOT_FOUND, summary="One referral, for its owner")
async def referral(
    store: Store,
    principal: Authenticated,
    clock: Clock,
    setup: FollowupSetup,
    referral_id: str,
    record: RecordView,
) -> dict[str, Any]:
    """The referral's facts (no names: those are in intake's vault), the triage and
    matching reasons, the proposal, the history and the actions possible now. Opening it is
    recorded (``nl.schakel.referral.viewed.v1``, once per account and day)."""
    require_role(principal, *ACTING_ROLES)
    found = await find_referral(store, setup.notes, referral_id)
    if found is None or not may_see(principal, found[0]):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no referral {referral_id}")
    await record(principal, referral_id, ReferralView.INBOX, source="/schakel/followup")
    waiting = await duplicates.waiting_for(store, [referral_id])
    return {
        **referral_detail(*found, clock()),
        "suspected_duplicates": [duplicates.suspicion_view(d) for d in waiting],
    }


# --- the owner's actions -----------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = NOTE


class NoteOnly(_Body):
    pass


class RejectIn(_Body):
    reason: RejectReason


class TransferIn(_Body):
    to_organisation: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
    to_name: str = Field(min_length=1, max_length=200)
    to_route: Route
    reason: TransferReason


class FirstConversationIn(_Body):
    reached: bool = Field(
        default=True, description="False: the person was not reached (counted as an attempt)"
    )
    knew_of_signal: bool = False
    consents_to_support: bool = False
    wishes: Wishes = Field(default_factory=Wishes)
    grade: Grade | None = Field(default=None, description="Your grade after the conversation")
    djg_score: int | None = Field(default=None, ge=0, le=6)


class DeclineIn(_Body):
    reason: DeclineReason


class StartIn(_Body):
    kind: OfferKind | None = Field(
        default=None, description="Only for support arranged without matching's proposal"
    )
    provider_organisation: str | None = Field(default=None, max_length=200)


class CheckInIn(_Body):
    djg_score: int | None = Field(default=None, ge=0, le=6)


class HoldIn(_Body):
    reason: HoldReason


class CloseIn(_Body):
    outcome: CloseOutcome
    djg_score: int | None = Field(
        default=None, ge=0, le=6, description="De Jong Gierveld 6-item follow-up score"
    )

    @model_validator(mode="after")
    def _other_needs_a_note(self) -> CloseIn:
        if self.outcome is CloseOutcome.ANDERS and not (self.note or "").strip():
            raise ValueError("outcome 'anders' needs a note that says what happened")
        return self


def fingerprint(body: BaseModel) -> str:
    dumped = json.dumps(body.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(dumped.encode()).hexdigest()


async def _perform(
    store: Store,
    principal: Principal,
    referral_id: str,
    command: c.Command,
    body: _Body,
    now: datetime,
    key: str | None,
    setup: Setup,
) -> Answer:
    require_role(principal, *ACTING_ROLES)

    async def work(tx: Transaction) -> Answer:
        ports, remembered = Ports.of(tx, setup), MongoIdempotency(tx)
        referrals = ports.referrals
        scoped = f"{principal.organisation}:{referral_id}:{command.action}:{key}"
        if key:
            earlier = await remembered.remembered(scoped)
            if earlier is not None:
                if earlier.fingerprint != fingerprint(body):
                    return Answer(409, {"detail": "Idempotency-Key was used with another request"})
                return Answer(earlier.status_code, earlier.body, replayed=True)
        state = await referrals.get(referral_id)
        if state is None or not may_see(principal, state):
            return Answer(404, {"detail": f"no referral {referral_id}"})
        if not may_act(principal, state, command):
            return Answer(403, {"detail": "only the owning organisation acts on this referral"})
        done = await act(ports, setup, referral_id, command, now, tx.emit, body.note)
        answer = _answer(done, referral_id, await referrals.log(referral_id), now)
        if key and answer.status_code == 200:
            kept = Remembered(fingerprint(body), answer.status_code, answer.body)
            await remembered.remember(scoped, kept)
        return answer

    return await in_transaction(store, work)


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict[str, Any]
    replayed: bool = False  # the answer remembered for this Idempotency-Key

    def response(self) -> JSONResponse:
        return JSONResponse(status_code=self.status_code, content=self.body)


async def in_transaction(store: Store, work: Callable[[Transaction], Awaitable[Answer]]) -> Answer:
    """``work`` in one transaction; decided again when someone else changed the referral
    meanwhile (a few times)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await store.transaction(work, within=REQUEST_SECONDS)
        except StaleReferral:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def refused(refusal: Refusal) -> Answer:
    if refusal.kind is RefusalKind.INVALID:
        errors = [{"field": "(body)", "reason": refusal.reason}]
        return Answer(422, {"detail": refusal.reason, "errors": errors})
    return Answer(409, {"detail": refusal.reason})


def _answer(done: Referral | Refusal | None, referral_id: str, log: Any, now: datetime) -> Answer:
    if done is None:
        return Answer(404, {"detail": f"no referral {referral_id}"})
    if isinstance(done, Refusal):
        return refused(done)
    return Answer(200, referral_detail(done, log, now))


MakeCommand = Callable[[Actor, Any, str], c.Command]


def _register(
    path: str, model: type[_Body], make: MakeCommand, summary: str, *, optional: bool = False
) -> None:
    """One POST route per action: the body ``model``, turned into a command by ``make``
    (given the actor, the body and the coordination point)."""

    async def endpoint(
        store: Any,
        principal: Principal,
        clock: Callable[[], datetime],
        setup: Setup,
        referral_id: str,
        body: _Body | None,
        idempotency_key: str | None,
    ) -> JSONResponse:
        require_role(principal, *ACTING_ROLES)  # before an actor is made of the principal
        given = body if body is not None else model()
        command = make(actor_of(principal), given, setup.coordination_point)
        answer = await _perform(
            store, principal, referral_id, command, given, clock(), idempotency_key, setup
        )
        return answer.response()

    keyword = inspect.Parameter.KEYWORD_ONLY
    body_default = Body(None) if optional else Body()
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("store", keyword, annotation=Store),
            inspect.Parameter("principal", keyword, annotation=Authenticated),
            inspect.Parameter("clock", keyword, annotation=Clock),
            inspect.Parameter("setup", keyword, annotation=FollowupSetup),
            inspect.Parameter("referral_id", keyword, annotation=str),
            inspect.Parameter(
                "body",
                keyword,
                annotation=model | None if optional else model,
                default=body_default,
            ),
            inspect.Parameter("idempotency_key", keyword, annotation=IdempotencyKey, default=None),
        ],
        return_annotation=JSONResponse,
    )
    name = path.strip("/").replace("/", "_").replace("-", "_")
    router.add_api_route(
        f"/referrals/{{referral_id}}/{path}",
        endpoint,
        methods=["POST"],
        summary=summary,
        responses=ACTION_ANSWERS,
        name=name,
        operation_id=f"followup_{name}",
    )


def _first_conversation(actor: Actor, body: FirstConversationIn, _: str) -> c.Command:
    if not body.reached:
        return c.AttemptContact(actor)
    return c.RecordFirstConversation(
        actor,
        knew_of_signal=body.knew_of_signal,
        consents_to_support=body.consents_to_support,
        wishes=body.wishes,
        grade=body.grade,
        djg_score=body.djg_score,
    )


_register(
    "accept",
    NoteOnly,
    lambda actor, _, __: c.Accept(actor),
    "Accept: your organisation is responsible from now on",
    optional=True,
)
_register(
    "reject",
    RejectIn,
    lambda actor, body, point: c.Reject(actor, body.reason, point),
    "Reject with a reason: triage names the next owner (the coordination point meanwhile)",
)
_register(
    "transfer",
    TransferIn,
    lambda actor, body, _: c.Transfer(
        actor, body.to_organisation, body.to_name, body.to_route, body.reason
    ),
    "Transfer to another organisation, with a reason; it is asked to accept",
)
_register(
    "contact-attempts",
    NoteOnly,
    lambda actor, _, __: c.AttemptContact(actor),
    "Log an attempt to reach the person that did not succeed (counted)",
    optional=True,
)
_register(
    "first-conversation",
    FirstConversationIn,
    _first_conversation,
    "Record the first conversation: reached or not, knew of the signal, consent, wishes",
)
_register(
    "professional-visit",
    NoteOnly,
    lambda actor, _, __: c.RecordProfessionalVisit(actor),
    "Urgent without consent: record the neighbourhood team's professional visit",
    optional=True,
)
_register(
    "support/confirm",
    NoteOnly,
    lambda actor, _, __: c.ConfirmSupport(actor),
    "The person accepts the proposed support",
    optional=True,
)
_register(
    "support/decline",
    DeclineIn,
    lambda actor, body, _: c.DeclineSupport(actor, body.reason),
    "The person declines the proposed support, with a reason: matching proposes another",
)


@router.post(
    "/referrals/{referral_id}/support/start",
    summary="Support has started (the accepted proposal, or support arranged otherwise)",
    responses=ACTION_ANSWERS,
    name="support_start",
    operation_id="followup_support_start",
)
async def start_support(
    store: Store,
    principal: Authenticated,
    clock: Clock,
    setup: FollowupSetup,
    referral_id: str,
    body: Annotated[StartIn | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The answer carries ``helper_code``, shown once: the owner gives it to the helper, who
    can report a concern with it (``POST /api/v1/concerns``). Only its hash is kept; a retry
    with the same Idempotency-Key answers without it."""
    given = body or StartIn()
    code = new_helper_code()
    command = c.StartSupport(
        actor_of(principal),
        given.kind,
        given.provider_organisation,
        helper_code_hash=receipt_hash(code),
    )
    answer = await _perform(
        store, principal, referral_id, command, given, clock(), idempotency_key, setup
    )
    if answer.status_code == 200 and not answer.replayed:
        return JSONResponse({**answer.body, "helper_code": code})
    return answer.response()


def new_helper_code() -> str:
    """A reference code for the helper: ``H`` and eight characters that cannot be mistaken
    for one another (about 40 bits), e.g. ``HK7QM-4XPD``."""
    chars = "".join(secrets.choice(HELPER_CODE_ALPHABET) for _ in range(8))
    return f"H{chars[:4]}-{chars[4:]}"


_register(
    "check-ins",
    CheckInIn,
    lambda actor, body, _: c.RecordCheckIn(actor, body.djg_score),
    "Record a check-in with the person after support started",
    optional=True,
)
_register(
    "hold",
    HoldIn,
    lambda actor, body, _: c.Hold(actor, body.reason),
    "Put on hold, with a reason",
)
_register(
    "resume",
    NoteOnly,
    lambda actor, _, __: c.Resume(actor),
    "Take up again where it was before the hold",
    optional=True,
)
_register(
    "close",
    CloseIn,
    lambda actor, body, _: c.Close(actor, body.outcome, body.djg_score),
    "Close with an outcome (and optionally a De Jong Gierveld follow-up score)",
)
