"""How feedback shows a referral: the signaler's texts and the JSON views of the read model
for the public (receipt holders) and for organisations. Presentation only; the read model
itself is folded in ``domain``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from schakel.contracts.receipts import normalise_receipt
from schakel.contracts.vocabulary import SignalerStatus
from schakel.feedback.domain import ReferralState

STATUS_TEXT: dict[SignalerStatus, dict[str, str]] = {
    SignalerStatus.ONTVANGEN: {
        "nl": "Uw signaal is ontvangen. Het wordt nu doorgezet naar de juiste organisatie.",
        "en": "Your signal has been received. It is being passed on to the right organisation.",
    },
    SignalerStatus.IN_BEHANDELING: {
        "nl": "Uw signaal is in behandeling bij een sociaal makelaar of buurtteam.",
        "en": "A social broker or neighbourhood team is taking care of your signal.",
    },
    SignalerStatus.HULP_VOORGESTELD: {
        "nl": "Er is passende hulp gevonden en voorgesteld.",
        "en": "Suitable support has been found and proposed.",
    },
    SignalerStatus.WACHTLIJST: {
        "nl": "Er is nu geen plek vrij. Het signaal staat op de wachtlijst en wordt opgepakt "
        "zodra er plek is.",
        "en": "No place is free right now. The signal is on the waiting list and will be "
        "taken up as soon as a place is free.",
    },
}

UNKNOWN_RECEIPT: dict[str, str] = {
    "nl": "Deze ontvangstcode kennen we niet, of het signaal wordt nog verwerkt. Controleer "
    "de code of probeer het over een paar minuten opnieuw.",
    "en": "This receipt code is unknown, or the signal is still being processed. Check the "
    "code or try again in a few minutes.",
}


def signaler_view(state: ReferralState, receipt: str) -> dict[str, Any]:
    """What anyone holding the receipt code may see: progress only, nothing about the person
    (no pseudonym, grade, district or referral id)."""
    return {
        "receipt": normalise_receipt(receipt),
        "status": state.signaler_status.value,
        "status_text": STATUS_TEXT[state.signaler_status],
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
