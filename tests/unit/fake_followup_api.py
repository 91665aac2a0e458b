"""Follow-up's HTTP API in memory, for the gateway's page tests: the real request models,
state machine, handlers and views of ``schakel.followup`` on the in-memory store of
``tests/fakes/followup.py``; only the MongoDB transaction and the idempotency memory are left
out. So a page that posts JSON follow-up would refuse, or misreads an answer, fails here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from schakel.contracts.envelope import new_event
from schakel.contracts.events import MatchProposed, Offer, ReferralReceived, Signaler
from schakel.contracts.lifecycle import Actor
from schakel.contracts.vocabulary import (
    Channel,
    DeadlineKind,
    SignalerRole,
    Urgency,
)
from schakel.followup import policy
from schakel.followup.api import owners as api
from schakel.followup.domain import commands as c
from schakel.followup.domain.state import Referral
from schakel.followup.handlers import Ports, Setup, act, follow
from schakel.followup.views import inbox_item, inbox_order, referral_detail
from schakel.platform.auth import Principal, Role, verify_token
from tests import payloads
from tests.fakes.followup import NOTES, FakeDeadlines, FakeReferrals
from tests.unit.test_followup_machine import COORDINATION_POINT as POINT
from tests.unit.test_followup_machine import NOW as NOW
from tests.unit.test_followup_machine import OFFER
from tests.unit.test_followup_machine import OWNER as OWNER

Make = Callable[[Actor, Any], c.Command]
SETUP = Setup(policy.load(), POINT, notes=NOTES)
# Each action's path, body model and command, as ``schakel.followup.api`` registers them.
ACTIONS: dict[str, tuple[type[BaseModel], Make]] = {
    "accept": (api.NoteOnly, lambda actor, _: c.Accept(actor)),
    "reject": (api.RejectIn, lambda actor, b: c.Reject(actor, b.reason, POINT)),
    "transfer": (
        api.TransferIn,
        lambda actor, b: c.Transfer(actor, b.to_organisation, b.to_name, b.to_route, b.reason),
    ),
    "contact-attempts": (api.NoteOnly, lambda actor, _: c.AttemptContact(actor)),
    "first-conversation": (
        api.FirstConversationIn,
        lambda actor, b: api._first_conversation(actor, b, POINT),
    ),
    "professional-visit": (api.NoteOnly, lambda actor, _: c.RecordProfessionalVisit(actor)),
    "support/confirm": (api.NoteOnly, lambda actor, _: c.ConfirmSupport(actor)),
    "support/decline": (api.DeclineIn, lambda actor, b: c.DeclineSupport(actor, b.reason)),
    "support/start": (
        api.StartIn,
        lambda actor, b: c.StartSupport(actor, b.kind, b.provider_organisation),
    ),
    "check-ins": (api.CheckInIn, lambda actor, b: c.RecordCheckIn(actor, b.djg_score)),
    "hold": (api.HoldIn, lambda actor, b: c.Hold(actor, b.reason)),
    "resume": (api.NoteOnly, lambda actor, _: c.Resume(actor)),
    "close": (api.CloseIn, lambda actor, b: c.Close(actor, b.outcome, b.djg_score)),
}


Seen = list[dict[str, Any]]


async def recorded(request: Request, seen: Seen) -> dict[str, Any]:
    """What reached a fake service, kept in ``seen`` for the test to read."""
    body = await request.body()
    entry = {
        "method": request.method,
        "path": request.url.path,
        "query": request.url.query,
        "headers": dict(request.headers),
        "json": json.loads(body) if body else None,
    }
    seen.append(entry)
    return entry


@dataclass
class FakeFollowup:
    """The referrals, what reached the API (``seen``), and a switch to answer 503."""

    secret: str
    referrals: FakeReferrals = field(default_factory=FakeReferrals)
    deadlines: FakeDeadlines = field(default_factory=FakeDeadlines)
    seen: Seen = field(default_factory=list)
    down: bool = False
    # Suspected duplicates as followup's API lists them (``suspicion_view``), with ``answer``.
    suspicions: list[dict[str, Any]] = field(default_factory=list)

    def waiting(self, referral_ids: list[str]) -> list[dict[str, Any]]:
        return [
            s
            for s in self.suspicions
            if s["referral_id"] in referral_ids and s["answer"] == "waiting"
        ]

    def _answer_duplicate(self, principal: Principal, path: str) -> tuple[int, dict[str, Any]]:
        _, signal_id, answer = path.split("/")
        found = [s for s in self.suspicions if s["signal_id"] == signal_id]
        if not found:
            return 404, {"detail": f"no suspected duplicate {signal_id}"}
        if found[0]["answer"] != "waiting":
            return 409, {"detail": f"already answered: {found[0]['answer']}"}
        found[0]["answer"] = {"confirm": "confirmed", "reject": "rejected"}[answer]
        return 200, dict(found[0])

    @property
    def ports(self) -> Ports:
        return Ports(self.referrals, self.deadlines)

    async def route(
        self,
        referral_id: str,
        *,
        owner: str = OWNER,
        urgency: Urgency = Urgency.ROUTINE,
        consent: bool = True,
        received_at: datetime = NOW - timedelta(hours=2),
    ) -> None:
        """A referral as triage routes it: received, then triaged to ``owner``."""
        received = ReferralReceived(
            referral_id=referral_id,
            channel=Channel.WELZIJN_OP_RECEPT,
            signaler=Signaler(role=SignalerRole.HUISARTS, organisation="huisartsenpraktijk-a"),
            person_pseudonym="ps-" + "b" * 32,
            postcode_area="3562",
            consent_to_contact=consent,
            received_at=received_at,
        )
        triaged = payloads.triaged(
            referral_id,
            urgency=urgency,
            consent_to_contact=consent,
            owner_organisation=owner,
        )
        for payload in (received, triaged):
            await self._follow(payload)

    async def propose(self, referral_id: str, offer: Offer = OFFER) -> None:
        await self._follow(
            MatchProposed(referral_id=referral_id, offer=offer, score=0.8, reasons=["near"])
        )

    async def do(self, referral_id: str, path: str, body: dict[str, Any]) -> None:
        """An action done by its owner directly (a colleague, not through the page)."""
        state = await self.referrals.get(referral_id)
        assert state is not None and state.owner_organisation is not None
        principal = Principal(
            "collega", state.owner_organisation, frozenset({Role.SOCIAAL_MAKELAAR})
        )
        code, answer = await self._act(principal, referral_id, path, body)
        assert code == 200, answer

    async def due(self, referral_id: str, at: datetime, kind: DeadlineKind) -> None:
        """Set the next deadline (follow-up's scheduler does that in the real service)."""
        state = await self.referrals.get(referral_id)
        assert state is not None
        self.referrals.docs[referral_id] = replace(state, next_due_at=at, next_due_kind=kind)

    async def _follow(self, payload: Any) -> None:
        event = new_event(payload, source="/schakel/test", subject=payload.referral_id)
        await follow(event, self.ports, SETUP, lambda _: None, NOW)

    async def _act(
        self, principal: Principal, referral_id: str, path: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        model, make = ACTIONS[path]
        try:
            given = model.model_validate(body)
        except ValidationError as exc:
            errors = [
                {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "reason": e["msg"]}
                for e in exc.errors()
            ]
            return 422, {"detail": "request is not valid", "errors": errors}
        state = await self.referrals.get(referral_id)
        if state is None or not api.may_see(principal, state):
            return 404, {"detail": f"no referral {referral_id}"}
        command = make(api.actor_of(principal), given)
        if not api.may_act(principal, state, command):
            return 403, {"detail": "only the owning organisation acts on this referral"}
        done = await act(
            self.ports, SETUP, referral_id, command, NOW, lambda _: None, body.get("note")
        )
        answer = api._answer(done, referral_id, await self.referrals.log(referral_id), NOW)
        return answer.status_code, answer.body

    def app(self) -> FastAPI:
        app = FastAPI(title="fake followup")

        def caller(request: Request) -> Principal | JSONResponse:
            _, _, token = request.headers.get("authorization", "").partition(" ")
            try:
                principal = verify_token(token, self.secret)
            except jwt.PyJWTError:
                return JSONResponse(status_code=401, content={"detail": "invalid token"})
            if not any(principal.has(role) for role in api.ACTING_ROLES):
                return JSONResponse(status_code=403, content={"detail": "no inbox role"})
            return principal

        async def record(request: Request) -> dict[str, Any]:
            return await recorded(request, self.seen)

        @app.get("/healthz")
        async def healthz() -> dict[str, str]:
            return {"status": "ok"}

        @app.get("/api/v1/inbox")
        async def inbox(request: Request) -> Any:
            await record(request)
            principal = caller(request)
            if self.down:
                return JSONResponse(status_code=503, content={"detail": "database down"})
            if isinstance(principal, JSONResponse):
                return principal
            closed = request.query_params.get("closed") == "true"
            mine = [
                s
                for s in self.referrals.docs.values()
                if api.may_see(principal, s) and (closed or not s.closed)
            ]
            found = sorted(mine, key=inbox_order)
            return {
                "count": len(found),
                "referrals": [inbox_item(s, NOW) for s in found],
                "suspected_duplicates": self.waiting([s.referral_id for s in found]),
            }

        @app.get("/api/v1/inbox/{referral_id}")
        async def referral(request: Request, referral_id: str) -> Any:
            await record(request)
            principal = caller(request)
            if isinstance(principal, JSONResponse):
                return principal
            state: Referral | None = await self.referrals.get(referral_id)
            if state is None or not api.may_see(principal, state):
                return JSONResponse(status_code=404, content={"detail": "no referral"})
            return {
                **referral_detail(state, await self.referrals.log(referral_id), NOW),
                "suspected_duplicates": self.waiting([referral_id]),
            }

        @app.post("/api/v1/referrals/{referral_id}/{action:path}")
        async def action(request: Request, referral_id: str, action: str) -> Any:
            sent = await record(request)
            principal = caller(request)
            if isinstance(principal, JSONResponse):
                return principal
            if action.startswith("duplicates/"):
                code, body = self._answer_duplicate(principal, action)
                return JSONResponse(status_code=code, content=body)
            code, body = await self._act(principal, referral_id, action, sent["json"] or {})
            return JSONResponse(status_code=code, content=body)

        return app
