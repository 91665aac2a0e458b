"""How feedback shows a referral: the signaler's texts and the JSON views of the read model
for the public (receipt holders) and for organisations. Presentation only; the read model
itself is folded in ``domain``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from schakel.contracts.receipts import normalise_receipt
from schakel.contracts.vocabulary import PlainOutcome, Route, SignalerStage
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
    if state.stage is SignalerStage.ONTVANGEN:
        return None
    return HANDLED_BY[state.route]


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


# What someone did, for each stage after the report was passed on ({where}: ``handled_by``).
STAGE_TEXT: dict[SignalerStage, dict[str, str]] = {
    SignalerStage.DOORGEZET: {
        "nl": "Uw melding is doorgegeven aan {where}.",
        "en": "Your report has been passed to {where}.",
    },
    SignalerStage.OPGEPAKT: {
        "nl": "Uw melding is opgepakt door {where}.",
        "en": "Your report has been taken up by {where}.",
    },
    SignalerStage.IN_CONTACT: {
        "nl": "{Where} heeft naar aanleiding van uw melding contact gelegd.",
        "en": "{Where} has been in touch following your report.",
    },
    SignalerStage.HULP_GESTART: {
        "nl": "Naar aanleiding van uw melding is ondersteuning gestart.",
        "en": "Support has started following your report.",
    },
}
CLOSED_TEXT: dict[PlainOutcome | None, dict[str, str]] = {
    PlainOutcome.HULP_GEVONDEN: {
        "nl": "Uw melding is afgesloten: er is hulp gevonden.",
        "en": "Your report has been closed: help was found.",
    },
    PlainOutcome.AFGEROND: {
        "nl": "Uw melding is afgesloten.",
        "en": "Your report has been closed.",
    },
    None: {"nl": "Uw melding is afgesloten.", "en": "Your report has been closed."},
}


def status_text(state: ReferralState) -> dict[str, str]:
    """The words for the signaler: only what someone has done (received, passed on, taken
    up, in contact, support started, closed with a plain outcome); never why or for whom."""
    where = handled_by(state)
    if where is None:
        return RECEIVED_TEXT
    if state.stage is SignalerStage.AFGESLOTEN:
        return CLOSED_TEXT[state.lifecycle.plain_outcome]
    text = STAGE_TEXT[state.stage]
    return {
        lang: text[lang].format(where=where[lang], Where=_first_upper(where[lang]))
        for lang in ("nl", "en")
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
    outcome = state.lifecycle.plain_outcome
    return {
        "receipt": normalise_receipt(receipt),
        "status": state.signaler_status.value,  # the older, coarser status: read ``stage``
        "stage": state.stage.value,
        "stages": [
            {"stage": s.stage.value, "at": s.at.isoformat()} for s in state.lifecycle.stages
        ],
        "outcome": None if outcome is None else outcome.value,
        "status_text": status_text(state),
        "handled_by": handled_by(state),
        "received_at": None if state.received_at is None else state.received_at.isoformat(),
        "updated_at": state.stage_since.isoformat(),
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
    hidden = {"receipt_hash", "proposal", "history", "lifecycle"} | (
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
    view.update(lifecycle_view(state))
    view["history"] = [
        {"event_id": h.event_id, "type": h.type, "time": h.time.isoformat()} for h in state.history
    ]
    return view


def lifecycle_view(state: ReferralState) -> dict[str, Any]:
    """What owners did: the FHIR Task status, who accepted (organisation, name, role), the
    support started, the outcome and the signaler's stage."""
    lifecycle = state.lifecycle
    accepted = lifecycle.accepted_by
    return {
        "task_status": _plain(lifecycle.task_status),
        "business_status": _plain(lifecycle.business_status),
        "status_reason": lifecycle.status_reason,
        "stage": state.stage.value,
        "accepted_by": None
        if accepted is None
        else {
            "organisation": accepted.organisation,
            "name": accepted.name,
            "role": accepted.role.value,
            "at": accepted.at.isoformat(),
        },
        "support_kind": _plain(lifecycle.support_kind),
        "support_started_at": _plain(lifecycle.support_started_at),
        "outcome": _plain(lifecycle.outcome),
        "closed_at": _plain(lifecycle.closed_at),
        "follow_up_djg_score": lifecycle.djg_score,
        "owners": list(lifecycle.owners),
    }
