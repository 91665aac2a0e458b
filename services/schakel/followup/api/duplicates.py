"""The owner's answer to a suspected duplicate: the same person (confirm) or someone else
(reject). Each answer is an event, written with the suspicion in one unit of work; only the
referral's owning organisation answers, and only once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.responses import JSONResponse

from schakel.contracts.envelope import new_event
from schakel.contracts.events import DuplicateConfirmed, DuplicateRejected
from schakel.followup import duplicates
from schakel.followup.api.owners import (
    ACTING_ROLES,
    NOT_FOUND,
    Answer,
    Clock,
    FollowupSetup,
    in_transaction,
    router,
)
from schakel.followup.handlers import SOURCE, Ports, Setup
from schakel.platform.auth import Authenticated, Principal, require_role
from schakel.platform.dependencies import Store
from schakel.platform.mongo import Transaction

Decision = type[DuplicateConfirmed] | type[DuplicateRejected]
ANSWERS: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {"description": "Already answered (the answer says which); nothing was changed"},
}


async def _answer(
    store: Store,
    principal: Principal,
    now: datetime,
    referral_id: str,
    signal_id: str,
    decision: Decision,
    setup: Setup,
) -> Answer:
    require_role(principal, *ACTING_ROLES)

    async def work(tx: Transaction) -> Answer:
        state = await Ports.of(tx, setup).referrals.get(referral_id)
        suspicion = await duplicates.waiting_in(tx, signal_id)
        missing = state is None or suspicion is None or suspicion["referral_id"] != referral_id
        if missing or state is None or state.owner_organisation != principal.organisation:
            return Answer(404, {"detail": f"no suspected duplicate {signal_id} of {referral_id}"})
        if suspicion is not None and suspicion["answer"] != duplicates.Answer.WAITING.value:
            return Answer(409, {"detail": f"already answered: {suspicion['answer']}"})
        payload = decision(
            referral_id=referral_id,
            signal_id=signal_id,
            decided_by=principal.organisation,
            decided_at=now,
        )
        await duplicates.decided(tx, payload)
        correlation = suspicion.get("correlation_id") if suspicion else None
        tx.emit(new_event(payload, source=SOURCE, subject=referral_id, correlation_id=correlation))
        done = duplicates.suspicion_view({**(suspicion or {}), "answer": _answer_of(decision)})
        return Answer(200, done)

    return await in_transaction(store, work)


def _answer_of(decision: Decision) -> str:
    confirmed = decision is DuplicateConfirmed
    return (duplicates.Answer.CONFIRMED if confirmed else duplicates.Answer.REJECTED).value


def _route(action: str, decision: Decision, summary: str) -> Callable[..., Any]:
    @router.post(
        f"/referrals/{{referral_id}}/duplicates/{{signal_id}}/{action}",
        responses=ANSWERS,
        summary=summary,
        name=f"duplicate_{action}",
    )
    async def endpoint(
        store: Store,
        principal: Authenticated,
        clock: Clock,
        setup: FollowupSetup,
        referral_id: str,
        signal_id: str,
    ) -> JSONResponse:
        answer = await _answer(store, principal, clock(), referral_id, signal_id, decision, setup)
        return answer.response()

    return endpoint


confirm = _route(
    "confirm",
    DuplicateConfirmed,
    "A suspected duplicate is about this referral's person: attach the signal to it",
)
reject = _route(
    "reject",
    DuplicateRejected,
    "A suspected duplicate is about someone else: it becomes a referral of its own",
)
