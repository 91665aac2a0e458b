"""The state machine: ``decide(state, command, now)`` gives the events a command causes, or a
``Refusal`` that says why it cannot happen now; it never changes anything itself. ``apply``
(in ``state``) folds the events in.

Statuses are HL7 FHIR R4 ``Task.status`` with the Gravity SDOH referral workflow's
``businessStatus`` in between. Which owner actions each stage allows is the table
``ALLOWED``; a few rules beyond it (consent, urgency, a proposal to answer) are checked per
command and named in the refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from schakel.contracts.lifecycle import (
    Actor,
    CheckInRecorded,
    ConcernRaised,
    ContactAttempted,
    FirstConversationRecorded,
    LifecycleEvent,
    ProfessionalVisitRecorded,
    PutOnHold,
    ReferralAccepted,
    ReferralClosed,
    ReferralRejected,
    ReferralTransferred,
    Resumed,
    SupportConfirmed,
    SupportDeclined,
    SupportProposed,
    SupportStarted,
)
from schakel.contracts.vocabulary import BusinessStatus as B
from schakel.contracts.vocabulary import CloseOutcome
from schakel.contracts.vocabulary import TaskStatus as S
from schakel.followup.domain.commands import (
    OWNER_ACTIONS,
    Accept,
    AttemptContact,
    Close,
    Command,
    ConfirmSupport,
    DeclineSupport,
    Hold,
    RaiseConcern,
    RecordCheckIn,
    RecordFirstConversation,
    RecordProfessionalVisit,
    Reject,
    Resume,
    StartSupport,
    TakeProposal,
    Transfer,
)
from schakel.followup.domain.state import Referral

Stage = tuple[S | None, B | None]


class RefusalKind(StrEnum):
    CONFLICT = "conflict"  # impossible now (HTTP 409)
    INVALID = "invalid"  # possible, but not with these values (HTTP 422)


@dataclass(frozen=True)
class Refusal:
    reason: str
    kind: RefusalKind = RefusalKind.CONFLICT


_BEFORE_CONTACT = frozenset({"attempt_contact", "record_first_conversation"})
_ALWAYS_OPEN = frozenset({"transfer", "put_on_hold", "close"})
_URGENT_VISIT = "record_professional_visit"

# Which owner actions each stage allows (status, business status). On hold, the business
# status of before the hold is kept, so every (on-hold, x) allows the same.
ALLOWED: dict[Stage, frozenset[str]] = {
    (S.REQUESTED, None): frozenset({"accept", "reject", "transfer"}),
    (S.REJECTED, None): frozenset(),  # triage names the next owner
    (S.ACCEPTED, None): _BEFORE_CONTACT | _ALWAYS_OPEN,
    (S.ACCEPTED, B.NO_CONSENT): _ALWAYS_OPEN | {_URGENT_VISIT},
    (S.IN_PROGRESS, B.CONTACT_ATTEMPTED): _BEFORE_CONTACT | _ALWAYS_OPEN,
    (S.IN_PROGRESS, B.NO_CONSENT): _ALWAYS_OPEN | {_URGENT_VISIT},
    (S.IN_PROGRESS, B.PROFESSIONAL_VISIT): _ALWAYS_OPEN | {"record_first_conversation"},
    (S.IN_PROGRESS, B.CONTACT_MADE): _ALWAYS_OPEN | {"start_support"},
    (S.IN_PROGRESS, B.SUPPORT_PROPOSED): _ALWAYS_OPEN | {"confirm_support", "decline_support"},
    (S.IN_PROGRESS, B.SUPPORT_DECLINED): _ALWAYS_OPEN | {"start_support"},
    (S.IN_PROGRESS, B.SUPPORT_ACCEPTED): _ALWAYS_OPEN | {"start_support"},
    (S.IN_PROGRESS, B.SUPPORT_STARTED): frozenset({"record_check_in", "put_on_hold", "close"}),
    (S.IN_PROGRESS, B.CHECK_IN_DONE): frozenset({"record_check_in", "put_on_hold", "close"}),
}
ON_HOLD_ALLOWS = frozenset({"resume", "close"})
TERMINAL = frozenset({S.COMPLETED, S.CANCELLED, S.FAILED})

CLOSED_AS: dict[CloseOutcome, S] = {
    CloseOutcome.HULP_GEKREGEN: S.COMPLETED,
    CloseOutcome.ELDERS_VERWEZEN: S.COMPLETED,
    CloseOutcome.AFGESLAGEN: S.CANCELLED,
    CloseOutcome.VERHUISD: S.CANCELLED,
    CloseOutcome.OVERLEDEN: S.CANCELLED,
    CloseOutcome.ANDERS: S.CANCELLED,
    CloseOutcome.NIET_BEREIKT: S.FAILED,
    CloseOutcome.GEEN_CAPACITEIT: S.FAILED,
}


def stage_of(state: Referral) -> Stage:
    return (state.status, state.business_status)


def allowed_by_table(state: Referral) -> frozenset[str]:
    if state.status is S.ON_HOLD:
        return ON_HOLD_ALLOWS
    return ALLOWED.get(stage_of(state), frozenset())


def allowed_actions(state: Referral) -> list[str]:
    """The owner actions possible now (table and rules), in the API's order."""
    if state.status is None:
        return []
    return [c.action for c in OWNER_ACTIONS if _extra_rule(state, c.action) is None]


def _describe(state: Referral) -> str:
    if state.status is None:
        return "not routed to an owner yet"
    if state.status in TERMINAL:
        return f"closed ({state.status.value}, {state.status_reason})"
    if state.status is S.REJECTED:
        return "rejected: waiting for triage to name the next owner"
    business = f", {state.business_status.value}" if state.business_status else ""
    return f"{state.status.value}{business}"


def _extra_rule(state: Referral, action: str) -> str | None:
    """Why ``action`` cannot happen now beyond the table, or None when it can."""
    if action not in allowed_by_table(state):
        return f"{action} is not possible while the referral is {_describe(state)}"
    visited = state.business_status is B.PROFESSIONAL_VISIT  # consent may be asked there
    if action in _BEFORE_CONTACT and not state.consent_to_contact and not visited:
        return (
            "the person did not consent to contact: close the referral, or record a "
            "professional visit when it is urgent"
        )
    if action == _URGENT_VISIT and not state.urgent:
        return "a professional visit without consent is only for urgent referrals"
    return None


# --- the events each command causes ---------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """Where a command leaves the referral: status, business status, reason, owner."""

    status: S
    business: B | None = None
    reason: str | None = None
    owner: str | None = None


def _event(
    cls: type[LifecycleEvent],
    state: Referral,
    actor: Actor,
    now: datetime,
    after: Outcome,
    facts: dict[str, Any] | None = None,
) -> LifecycleEvent:
    return cls(
        referral_id=state.referral_id,
        actor=actor,
        status=after.status,
        status_reason=after.reason,
        business_status=after.business,
        owner_organisation=after.owner or state.owner_organisation or actor.organisation,
        occurred_at=now,
        **(facts or {}),
    )


def _unchanged(state: Referral) -> Outcome:
    assert state.status is not None
    return Outcome(state.status, state.business_status, state.status_reason)


Decided = list[LifecycleEvent] | Refusal
Rule = Callable[[Referral, Any, datetime], Decided]


def _accept(state: Referral, c: Accept, now: datetime) -> Decided:
    business = None if state.consent_to_contact else B.NO_CONSENT
    facts = {"owner_name": state.owner_name or c.actor.organisation}
    return [_event(ReferralAccepted, state, c.actor, now, Outcome(S.ACCEPTED, business), facts)]


def _reject(state: Referral, c: Reject, now: datetime) -> Decided:
    if state.owner_organisation == c.interim_owner:
        return Refusal("the coordination point cannot reject a referral: transfer it instead")
    excluded = list(dict.fromkeys([*state.rejected_by, c.actor.organisation]))
    after = Outcome(S.REJECTED, None, c.reason.value, c.interim_owner)
    facts = {"reason": c.reason, "excluded_organisations": excluded}
    return [_event(ReferralRejected, state, c.actor, now, after, facts)]


def _transfer(state: Referral, c: Transfer, now: datetime) -> Decided:
    if c.to_organisation == state.owner_organisation:
        return Refusal("a referral cannot be transferred to its own owner", RefusalKind.INVALID)
    after = Outcome(S.REQUESTED, None, None, c.to_organisation)
    facts = {
        "from_organisation": state.owner_organisation or c.actor.organisation,
        "to_name": c.to_name,
        "to_route": c.to_route,
        "reason": c.reason,
    }
    return [_event(ReferralTransferred, state, c.actor, now, after, facts)]


def _attempt(state: Referral, c: AttemptContact, now: datetime) -> Decided:
    after = Outcome(S.IN_PROGRESS, B.CONTACT_ATTEMPTED)
    return [_event(ContactAttempted, state, c.actor, now, after, {"attempt": state.attempts + 1})]


def _first_conversation(state: Referral, c: RecordFirstConversation, now: datetime) -> Decided:
    business = B.CONTACT_MADE if c.consents_to_support else B.NO_CONSENT
    facts = {
        "knew_of_signal": c.knew_of_signal,
        "consents_to_support": c.consents_to_support,
        "wishes": c.wishes,
        "grade": c.grade,
        "djg_score": c.djg_score,
    }
    after = Outcome(S.IN_PROGRESS, business)
    return [_event(FirstConversationRecorded, state, c.actor, now, after, facts)]


def _visit(state: Referral, c: RecordProfessionalVisit, now: datetime) -> Decided:
    after = Outcome(S.IN_PROGRESS, B.PROFESSIONAL_VISIT)
    return [_event(ProfessionalVisitRecorded, state, c.actor, now, after)]


def _confirm(state: Referral, c: ConfirmSupport, now: datetime) -> Decided:
    assert state.proposal is not None  # the stage support-proposed has one
    offer = state.proposal.offer
    facts = {"offer_id": offer.offer_id, "kind": offer.kind}
    after = Outcome(S.IN_PROGRESS, B.SUPPORT_ACCEPTED)
    return [_event(SupportConfirmed, state, c.actor, now, after, facts)]


def _decline(state: Referral, c: DeclineSupport, now: datetime) -> Decided:
    assert state.proposal is not None
    offer = state.proposal.offer
    declined = list(dict.fromkeys([*state.declined_offers, offer.offer_id]))
    facts = {
        "offer_id": offer.offer_id,
        "kind": offer.kind,
        "reason": c.reason,
        "declined_offers": declined,
    }
    after = Outcome(S.IN_PROGRESS, B.SUPPORT_DECLINED)
    return [_event(SupportDeclined, state, c.actor, now, after, facts)]


def _start(state: Referral, c: StartSupport, now: datetime) -> Decided:
    accepted = state.business_status is B.SUPPORT_ACCEPTED and state.proposal is not None
    if accepted and state.proposal is not None:
        offer = state.proposal.offer
        if c.kind is not None and c.kind is not offer.kind:
            reason = f"the person accepted {offer.kind.value}, not {c.kind.value}"
            return Refusal(reason, RefusalKind.INVALID)
        facts: dict[str, Any] = {
            "kind": offer.kind,
            "offer_id": offer.offer_id,
            "provider_organisation": offer.provider_organisation,
        }
    elif c.kind is None:
        return Refusal(
            "no accepted proposal: say which kind of support was arranged", RefusalKind.INVALID
        )
    else:
        facts = {"kind": c.kind, "provider_organisation": c.provider_organisation}
    facts["helper_code_hash"] = c.helper_code_hash
    after = Outcome(S.IN_PROGRESS, B.SUPPORT_STARTED)
    return [_event(SupportStarted, state, c.actor, now, after, facts)]


def _check_in(state: Referral, c: RecordCheckIn, now: datetime) -> Decided:
    facts = {"check_in": state.check_ins + 1, "djg_score": c.djg_score}
    after = Outcome(S.IN_PROGRESS, B.CHECK_IN_DONE)
    return [_event(CheckInRecorded, state, c.actor, now, after, facts)]


def _hold(state: Referral, c: Hold, now: datetime) -> Decided:
    after = Outcome(S.ON_HOLD, state.business_status, c.reason.value)
    return [_event(PutOnHold, state, c.actor, now, after, {"reason": c.reason})]


def _resume(state: Referral, c: Resume, now: datetime) -> Decided:
    status, business = state.held_from or (S.ACCEPTED, state.business_status)
    return [_event(Resumed, state, c.actor, now, Outcome(status, business))]


def _close(state: Referral, c: Close, now: datetime) -> Decided:
    facts = {
        "outcome": c.outcome,
        "djg_score": c.djg_score,
        "support_kind": state.support.kind if state.support else None,
    }
    after = Outcome(CLOSED_AS[c.outcome], state.business_status, c.outcome.value)
    return [_event(ReferralClosed, state, c.actor, now, after, facts)]


def _concern(state: Referral, c: RaiseConcern, now: datetime) -> Decided:
    if state.status is None:
        return Refusal("the referral is not routed yet: the concern is in the signal itself")
    if state.closed:
        return Refusal("the referral is closed: please leave a new signal instead")
    facts = {
        "concern_id": c.concern_id,
        "source": c.source,
        "observations": list(c.observations),
    }
    return [_event(ConcernRaised, state, c.actor, now, _unchanged(state), facts)]


def _take_proposal(state: Referral, c: TakeProposal, now: datetime) -> Decided:
    waiting = stage_of(state) in (
        (S.IN_PROGRESS, B.CONTACT_MADE),
        (S.IN_PROGRESS, B.SUPPORT_DECLINED),
    )
    if not waiting:
        return Refusal(f"no proposal is awaited while the referral is {_describe(state)}")
    if c.offer.offer_id in state.declined_offers:
        return Refusal(f"offer {c.offer.offer_id} was declined before")
    after = Outcome(S.IN_PROGRESS, B.SUPPORT_PROPOSED)
    return [_event(SupportProposed, state, c.actor, now, after, {"offer": c.offer})]


RULES: dict[type[Command], Rule] = {
    Accept: _accept,
    Reject: _reject,
    Transfer: _transfer,
    AttemptContact: _attempt,
    RecordFirstConversation: _first_conversation,
    RecordProfessionalVisit: _visit,
    ConfirmSupport: _confirm,
    DeclineSupport: _decline,
    StartSupport: _start,
    RecordCheckIn: _check_in,
    Hold: _hold,
    Resume: _resume,
    Close: _close,
    RaiseConcern: _concern,
    TakeProposal: _take_proposal,
}
SYSTEM_COMMANDS = (RaiseConcern, TakeProposal)  # not in the table of owner actions


def decide(state: Referral, command: Command, now: datetime) -> Decided:
    """The events ``command`` causes on ``state`` at ``now``, or why it cannot happen."""
    if not isinstance(command, SYSTEM_COMMANDS):
        if state.status is None:
            return Refusal("the referral is not routed to an owner yet")
        refused = _extra_rule(state, command.action)
        if refused is not None:
            return Refusal(refused)
    return RULES[type(command)](state, command, now)
