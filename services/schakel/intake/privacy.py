"""A person's rights and the owner's need, each in one unit of work: erasure (crypto-shredding
plus an erased event per referral), the data export (inzage) and contact details on need (an
event per read).

Who may do what (docs/architecture.md, "Erasure, export and contact details"):

- contact details: staff of the organisation that owns the referral now (roles sociaal
  makelaar, coordinator, coordinatiepunt), with a purpose code;
- erasure: an administrator (the privacy desk, on the person's request) or the owner's staff,
  with a reason code;
- export: the same, its purpose implied (the person asked what is held: AVG art. 15).

A referral that does not exist and one the caller's organisation does not own answer alike
(404), so a guess learns nothing; a role that may never do it gets 403 first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schakel.contracts.envelope import EventPayload, new_event
from schakel.contracts.persons import (
    ContactDetailsRead,
    DetailsReader,
    ErasureReason,
    PersonErased,
    ReadPurpose,
)
from schakel.intake.adapters import ReferralRecord
from schakel.intake.privacy_store import Erasure, PrivacyRecords
from schakel.intake.vault import Sealer
from schakel.platform.logging import get_logger

log = get_logger(__name__)
SOURCE = "/schakel/intake"
OWNER_ROLES = frozenset({"sociaal_makelaar", "coordinator", "coordinatiepunt"})
ADMINISTRATOR = "administrator"
# What the owner needs to reach someone: not the birth date, not the signaler's note.
CONTACT_FIELDS = ("name", "phone", "email", "street_address", "postcode", "contact_way")
CONTACT_FIELDS_VIA_GP = ("gp_practice",)


class Refused(Exception):
    """Not allowed (403), not found or not yours (404), or erased already (410)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Caller:
    """The authenticated account asking, as its token names it."""

    username: str
    organisation: str
    roles: frozenset[str]

    def acting_role(self, allowed: frozenset[str]) -> str | None:
        """The role it acts in: the first of ``allowed`` it has, by name."""
        return next(iter(sorted(self.roles & allowed)), None)


@dataclass(frozen=True)
class Request:
    caller: Caller
    referral_id: str
    correlation_id: str
    at: datetime


def _reader(caller: Caller, role: str) -> DetailsReader:
    return DetailsReader(username=caller.username, organisation=caller.organisation, role=role)


async def _owned(
    records: PrivacyRecords, request: Request, administrator_too: bool
) -> tuple[ReferralRecord, str]:
    """The referral, if the caller may act on it, and the role it acts in."""
    allowed = OWNER_ROLES | ({ADMINISTRATOR} if administrator_too else frozenset())
    role = request.caller.acting_role(allowed)
    if role is None:
        raise Refused(403, "this needs one of the roles: " + ", ".join(sorted(allowed)))
    referral = await records.referral(request.referral_id)
    if referral is None:
        raise Refused(404, "no such referral")
    if administrator_too and ADMINISTRATOR in request.caller.roles:
        return referral, ADMINISTRATOR
    owner = await records.owner(referral.referral_id)
    if owner is None or owner != request.caller.organisation:
        raise Refused(404, "no such referral among those your organisation owns")
    return referral, role


def _emit(
    records: PrivacyRecords, payload: EventPayload, referral_id: str, request: Request
) -> None:
    records.emit(
        new_event(
            payload, source=SOURCE, subject=referral_id, correlation_id=request.correlation_id
        )
    )


def _erasure_answer(erasure: Erasure, new: bool) -> dict[str, Any]:
    return {
        "erased": True,
        "new": new,
        "erased_at": erasure.erased_at.isoformat(),
        "reason": erasure.reason,
        "referral_ids": list(erasure.referral_ids),
    }


async def erase(records: PrivacyRecords, request: Request, reason: ErasureReason) -> dict[str, Any]:
    """Destroy the person's data key and tell every service, once: a second request answers
    the first erasure and emits nothing."""
    referral, role = await _owned(records, request, administrator_too=True)
    earlier = await records.erasure(referral.pseudonym)
    if earlier is not None:
        return _erasure_answer(earlier, new=False)
    referrals = [r.referral_id for r in await records.referrals_of(referral.pseudonym)]
    await records.shred_person(referral.pseudonym)
    for signal in await records.joined(referrals):  # other signalers' signals about them
        await records.shred_person(signal)
    erasure = Erasure(
        pseudonym=referral.pseudonym,
        erased_at=request.at,
        username=request.caller.username,
        organisation=request.caller.organisation,
        role=role,
        reason=reason.value,
        referral_ids=tuple(referrals),
    )
    await records.record_erasure(erasure)
    for referral_id in referrals:
        erased = PersonErased(
            referral_id=referral_id,
            person_pseudonym=referral.pseudonym,
            erased_by=_reader(request.caller, role),
            reason=reason,
            erased_at=request.at,
        )
        _emit(records, erased, referral_id, request)
    log.info("person erased", referral_id=referral.referral_id, referrals=len(referrals))
    return _erasure_answer(erasure, new=True)


async def _opened(
    records: PrivacyRecords, sealer: Sealer, referral: ReferralRecord
) -> dict[str, Any] | None:
    sealed = await records.sealed_person(referral.pseudonym)
    return None if sealed is None else sealer.open(sealed)


def _read(referral: ReferralRecord, request: Request, role: str, why: ReadPurpose) -> Any:
    return ContactDetailsRead(
        referral_id=referral.referral_id,
        person_pseudonym=referral.pseudonym,
        read_by=_reader(request.caller, role),
        purpose=why,
        read_at=request.at,
    )


async def contact_details(
    records: PrivacyRecords, sealer: Sealer, request: Request, purpose: ReadPurpose
) -> dict[str, Any]:
    """The details the owner needs to reach the person; the read is an event."""
    referral, role = await _owned(records, request, administrator_too=False)
    if (erasure := await records.erasure(referral.pseudonym)) is not None:
        raise Refused(410, f"the person's details were erased on {erasure.erased_at.date()}")
    details = await _opened(records, sealer, referral)
    if details is None:
        raise Refused(410, "the person's details are no longer held")
    _emit(records, _read(referral, request, role, purpose), referral.referral_id, request)
    log.info("contact details read", referral_id=referral.referral_id, purpose=purpose.value)
    wanted = CONTACT_FIELDS + CONTACT_FIELDS_VIA_GP
    return {
        "referral_id": referral.referral_id,
        "purpose": purpose.value,
        "contact": {k: details[k] for k in wanted if details.get(k) is not None},
    }


async def export(records: PrivacyRecords, sealer: Sealer, request: Request) -> dict[str, Any]:
    """What schakel holds about the person behind the referral: their details (or that they
    were erased), their referrals and each one's timeline. Opening the details is a read."""
    referral, role = await _owned(records, request, administrator_too=True)
    erasure = await records.erasure(referral.pseudonym)
    details = None if erasure is not None else await _opened(records, sealer, referral)
    if details is not None:
        read = _read(referral, request, role, ReadPurpose.INZAGEVERZOEK)
        _emit(records, read, referral.referral_id, request)
    referrals = [
        await _referral_export(records, r) for r in await records.referrals_of(referral.pseudonym)
    ]
    log.info("person exported", referral_id=referral.referral_id, erased=erasure is not None)
    return {
        "exported_at": request.at.isoformat(),
        "person": {
            "erased": erasure is not None,
            "erased_at": None if erasure is None else erasure.erased_at.isoformat(),
            "details": details,
        },
        "referrals": referrals,
    }


async def _referral_export(records: PrivacyRecords, referral: ReferralRecord) -> dict[str, Any]:
    timeline = await records.timeline(referral.referral_id)
    return {
        "referral_id": referral.referral_id,
        "channel": referral.channel,
        "received_at": referral.received_at.isoformat(),
        "referrer_organisation": referral.referrer_organisation,
        "owner_organisation": await records.owner(referral.referral_id),
        "timeline": [
            {
                "event_type": entry.event_type,
                "at": entry.at.isoformat(),
                "organisation": entry.organisation,
                "role": entry.role,
            }
            for entry in timeline
        ],
    }


def now() -> datetime:
    """To the millisecond, as MongoDB keeps it: an erasure answers the same time when asked
    again as when it was made."""
    at = datetime.now(UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)
