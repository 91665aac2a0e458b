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

# Who has the signal, as a lay signaler may know it: the kind of organisation, in words.
# Never the owner's id: it names the district, and since triage sends severe loneliness to
# the district's buurtteam and everything else to its social brokers, naming either kind
# would tell the grade. So both read the same. A new kind of owner gets its own prefix here.
LOCAL_HELP: dict[str, str] = {
    "nl": "een sociaal makelaar of het buurtteam in de wijk",
    "en": "a social broker or the neighbourhood team in the area",
}
OTHER_HELP: dict[str, str] = {
    "nl": "een organisatie die hierbij helpt",
    "en": "an organisation that helps with this",
}
HANDLED_BY: tuple[tuple[str, dict[str, str]], ...] = (
    ("buurtteam-", LOCAL_HELP),
    ("sociaal-makelaars-", LOCAL_HELP),
)

UNKNOWN_RECEIPT: dict[str, str] = {
    "nl": "Deze ontvangstcode kennen we niet, of het signaal wordt nog verwerkt. Controleer "
    "de code of probeer het over een paar minuten opnieuw.",
    "en": "This receipt code is unknown, or the signal is still being processed. Check the "
    "code or try again in a few minutes.",
}


def handled_by(owner_organisation: str | None) -> dict[str, str] | None:
    """The kind of organisation that owns a referral, in plain words; None before triage."""
    if owner_organisation is None:
        return None
    found = (texts for prefix, texts in HANDLED_BY if owner_organisation.startswith(prefix))
    return next(found, OTHER_HELP)


def signaler_view(state: ReferralState, receipt: str) -> dict[str, Any]:
    """What anyone holding the receipt code may see: the stage, who has it (the kind of
    organisation only) and when; nothing about the person, nor the grade, district, owner or
    referral id."""
    return {
        "receipt": normalise_receipt(receipt),
        "status": state.signaler_status.value,
        "status_text": STATUS_TEXT[state.signaler_status],
        "handled_by": handled_by(state.owner_organisation),
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
