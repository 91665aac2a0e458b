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
# support was found is not said before the owner has talked with the person.
ROUTED_TEXT: dict[Route | None, dict[str, str]] = {
    Route.SOCIAAL_MAKELAAR: {
        "nl": "Uw melding is doorgegeven aan de sociaal makelaar in uw wijk.",
        "en": "Your report has been passed to the social broker in your neighbourhood.",
    },
    Route.BEWEEGMAKELAAR: {
        "nl": "Uw melding is doorgegeven aan de beweegmakelaar in uw wijk.",
        "en": "Your report has been passed to the exercise broker in your neighbourhood.",
    },
    Route.BUURTTEAM: {
        "nl": "Uw melding is doorgegeven aan het buurtteam in uw wijk.",
        "en": "Your report has been passed to the neighbourhood team in your area.",
    },
    Route.COORDINATIEPUNT: {
        "nl": "Uw melding is doorgegeven aan het coördinatiepunt. Dat zoekt de organisatie die "
        "uw melding oppakt.",
        "en": "Your report has been passed to the coordination point, which finds the "
        "organisation to take it up.",
    },
    None: {  # a referral routed before triage named its route
        "nl": "Uw melding is doorgegeven aan de juiste organisatie.",
        "en": "Your report has been passed to the right organisation.",
    },
}


def status_text(state: ReferralState) -> dict[str, str]:
    """The words for the signaler: received, or where the report went (also after a proposal
    or a waitlist decision, which no person has acted on yet)."""
    if state.signaler_status is SignalerStatus.ONTVANGEN:
        return RECEIVED_TEXT
    return ROUTED_TEXT[state.route]


UNKNOWN_RECEIPT: dict[str, str] = {
    "nl": "Deze ontvangstcode kennen we niet, of de melding wordt nog verwerkt. Controleer "
    "de code of probeer het over een paar minuten opnieuw.",
    "en": "This receipt code is unknown, or the report is still being processed. Check the "
    "code or try again in a few minutes.",
}


def signaler_view(state: ReferralState, receipt: str) -> dict[str, Any]:
    """What anyone holding the receipt code may see: progress only, nothing about the person
    (no pseudonym, grade, district or referral id)."""
    return {
        "receipt": normalise_receipt(receipt),
        "status": state.signaler_status.value,
        "status_text": status_text(state),
        "owner_organisation": state.owner_organisation,
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
