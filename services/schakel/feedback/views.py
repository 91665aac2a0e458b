"""How feedback shows a referral: the signaler's texts and the JSON views of the read model
for the public (receipt holders) and for organisations. Presentation only; the read model
itself is folded in ``domain``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from schakel.contracts.receipts import normalise_receipt
from schakel.contracts.vocabulary import Route, SignalerStatus
from schakel.feedback.domain import ReferralState

RECEIVED_TEXT = {
    "nl": "Uw melding is ontvangen en wordt doorgegeven aan de juiste organisatie.",
    "en": "Your report has been received and is being passed to the right organisation.",
}
# Once routed, a signaler hears only what someone has done: where the report went. Whether
# support was found is not said before the owner has talked with the person. The social
# brokers and the neighbourhood team read the same: triage sends urgent referrals (signs of
# vulnerability) to the buurtteam, so naming it would tell a receipt holder that much.
LOCAL_HELP: dict[str, str] = {
    "nl": "een sociaal makelaar of het buurtteam in uw wijk",
    "en": "a social broker or the neighbourhood team in your area",
}
HANDLED_BY: dict[Route | None, dict[str, str]] = {
    Route.SOCIAAL_MAKELAAR: LOCAL_HELP,
    Route.BUURTTEAM: LOCAL_HELP,
    Route.BEWEEGMAKELAAR: {
        "nl": "de beweegmakelaar in uw wijk",
        "en": "the exercise broker in your neighbourhood",
    },
    Route.COORDINATIEPUNT: {
        "nl": "het coördinatiepunt, dat de organisatie zoekt die uw melding oppakt",
        "en": "the coordination point, which finds the organisation to take it up",
    },
    None: {  # a referral routed before triage named its route
        "nl": "de juiste organisatie",
        "en": "the right organisation",
    },
}


def handled_by(state: ReferralState) -> dict[str, str] | None:
    """Who has the report, as a lay signaler may know it: the kind of organisation in plain
    words, never the owner's id (it names the district); None before it was routed."""
    if state.signaler_status is SignalerStatus.ONTVANGEN:
        return None
    return HANDLED_BY[state.route]


def status_text(state: ReferralState) -> dict[str, str]:
    """The words for the signaler: received, or where the report went (also after a proposal
    or a waitlist decision, which no person has acted on yet)."""
    where = handled_by(state)
    if where is None:
        return RECEIVED_TEXT
    return {
        "nl": f"Uw melding is doorgegeven aan {where['nl']}.",
        "en": f"Your report has been passed to {where['en']}.",
    }


UNKNOWN_RECEIPT: dict[str, str] = {
    "nl": "Deze ontvangstcode kennen we niet, of de melding wordt nog verwerkt. Controleer "
    "de code of probeer het over een paar minuten opnieuw.",
    "en": "This receipt code is unknown, or the report is still being processed. Check the "
    "code or try again in a few minutes.",
}


def signaler_view(state: ReferralState, receipt: str) -> dict[str, Any]:
    """What anyone holding the receipt code may see: the stage, who has it (the kind of
    organisation only) and when; nothing about the person, nor the grade, district, owner or
    referral id."""
    return {
        "receipt": normalise_receipt(receipt),
        "status": state.signaler_status.value,
        "status_text": status_text(state),
        "handled_by": handled_by(state),
        "received_at": None if state.received_at is None else state.received_at.isoformat(),
        "updated_at": state.signaler_status_since.isoformat(),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def referral_view(state: ReferralState, *, with_pseudonym: bool = False) -> dict[str, Any]:
    """The read model for referrers, owners and auditors: never the receipt hash, and the
    person's pseudonym (the key to their details in intake's vault) only for the owner and
    auditors: a referrer needs the outcome, not a handle on the person."""
    hidden = {"receipt_hash", "proposal", "history"} | (
        set() if with_pseudonym else {"person_pseudonym"}
    )
    view: dict[str, Any] = {
        name: _plain(getattr(state, name))
        for name in ReferralState.__dataclass_fields__
        if name not in hidden
    }
    proposal = state.proposal
    view["proposal"] = (
        None
        if proposal is None
        else {
            "kind": proposal.kind.value,
            "title": proposal.title,
            "provider_organisation": proposal.provider_organisation,
        }
    )
    view["history"] = [
        {"event_id": h.event_id, "type": h.type, "time": h.time.isoformat()} for h in state.history
    ]
    return view
