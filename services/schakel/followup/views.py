"""How follow-up shows a referral to its owner: an inbox line, and the whole referral with
its facts, the triage and matching reasons, the proposal, the history and the actions
possible now. Presentation only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter

from schakel.contracts.vocabulary import Urgency
from schakel.followup.domain.log import LogEntry
from schakel.followup.domain.machine import allowed_actions
from schakel.followup.domain.state import URGENCY_ORDER, Referral

_JSON: TypeAdapter[Any] = TypeAdapter(Any)


def _plain(value: Any) -> Any:
    return _JSON.dump_python(value, mode="json")


def inbox_order(state: Referral) -> tuple[int, bool, datetime, datetime]:
    """Most urgent first, an open concern before the rest, then the deadline that comes
    first, then the oldest."""
    far = datetime.max.replace(tzinfo=UTC)
    received = state.facts.received_at if state.facts else (state.assigned_at or far)
    due = state.next_due_at or far
    urgency = -URGENCY_ORDER.index(state.urgency)
    return (urgency, not state.concern_open, _aware(due), _aware(received))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def overdue(state: Referral, now: datetime) -> bool:
    return state.next_due_at is not None and _aware(state.next_due_at) <= now


def inbox_item(state: Referral, now: datetime) -> dict[str, Any]:
    proposal = state.proposal
    return {
        "referral_id": state.referral_id,
        "status": _plain(state.status),
        "business_status": _plain(state.business_status),
        "status_reason": state.status_reason,
        "urgency": state.urgency.value,
        "urgent": state.urgency is not Urgency.ROUTINE,
        "grade": _plain(state.grade),
        "grade_provisional": state.grade_provisional,
        "route": _plain(state.route),
        "owner_organisation": state.owner_organisation,
        "owner_name": state.owner_name,
        "district_name": state.district_name,
        "consent_to_contact": state.consent_to_contact,
        "received_at": _plain(state.facts.received_at if state.facts else None),
        "assigned_at": _plain(state.assigned_at),
        "accepted_at": _plain(state.accepted_at),
        "updated_at": _plain(state.updated_at),
        "attempts": state.attempts,
        "proposal": None
        if proposal is None
        else {"kind": proposal.offer.kind.value, "title": proposal.offer.title},
        "concerns": state.concerns,
        "last_concern_at": _plain(state.last_concern_at),
        "escalations": [
            {"level": e.level.value, "organisation": e.organisation, "at": _plain(e.at)}
            for e in state.escalations
        ],
        "next_deadline": None
        if state.next_due_at is None
        else {
            "kind": _plain(state.next_due_kind),
            "due_at": _plain(state.next_due_at),
            "overdue": overdue(state, now),
            "rule_id": state.deadline_rule,
            "escalated": _plain(state.deadline_level),
            "next_escalation_at": _plain(state.next_escalation_at),
        },
        "overdue": overdue(state, now),
        "concern_open": state.concern_open,
        "allowed_actions": allowed_actions(state),
    }


def referral_detail(state: Referral, log: list[LogEntry], now: datetime) -> dict[str, Any]:
    proposal = state.proposal
    return {
        **inbox_item(state, now),
        "facts": _plain(state.facts),
        "triage_reasons": list(state.triage_reasons),
        "grade_provisional": state.grade_provisional,
        "district": state.district,
        "proposal": None
        if proposal is None
        else {
            "offer": _plain(proposal.offer),
            "score": proposal.score,
            "reasons": list(proposal.reasons),
        },
        "waitlist_reason": state.waitlist_reason,
        "first_conversation": None
        if state.consents_to_support is None
        else {
            "knew_of_signal": state.knew_of_signal,
            "consents_to_support": state.consents_to_support,
            "wishes": _plain(state.wishes),
        },
        "declined_offers": list(state.declined_offers),
        "rejected_by": list(state.rejected_by),
        "support": _plain(state.support),
        "check_ins": state.check_ins,
        "outcome": _plain(state.outcome),
        "follow_up_djg_score": state.follow_up_djg_score,
        "history": [_plain(entry) for entry in log],
    }
