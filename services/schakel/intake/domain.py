"""Intake's rules, pure Python: receipt codes, pseudonyms, postcodes, the received event."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from schakel.contracts.events import ReferralReceived, Signaler
from schakel.contracts.receipts import receipt_hash
from schakel.contracts.vocabulary import (
    AgeBand,
    Channel,
    ContactWay,
    Observation,
    PrescribedTo,
    SignalerRole,
)

# Crockford's alphabet: no I, L, O or U, so a code read aloud over the phone is unambiguous.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})\s*$")
MAX_AGE_YEARS = 130  # older than anyone has been


def new_receipt_code() -> str:
    """``K7QM-4XWD-2P``: 50 random bits, enough that guessing a status page is hopeless."""
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def new_pseudonym() -> str:
    return f"ps-{secrets.token_hex(16)}"


def new_referral_id() -> str:
    return f"ref-{secrets.token_hex(12)}"


def normalise_postcode(postcode: str) -> str:
    """``3562ab`` → ``3562 AB``; raises ValueError for anything that is not a Dutch postcode."""
    match = POSTCODE.match(postcode)
    if match is None:
        raise ValueError("not a Dutch postcode (four digits and two letters, e.g. 3562 AB)")
    return f"{match[1]} {match[2].upper()}"


def birth_date_problem(born: date, today: date) -> str | None:
    """Why ``born`` cannot be a living patient's date of birth, or None."""
    if born > today:
        return "a date of birth cannot be in the future"
    # 29 February has no twin 130 years earlier in most years: 1 March is as good.
    oldest = date(today.year - MAX_AGE_YEARS, today.month, 1) + (today - today.replace(day=1))
    if born < oldest:
        return f"a date of birth more than {MAX_AGE_YEARS} years ago is not plausible"
    return None


def postcode_area(postcode: str) -> str:
    """The four-digit area (PC4): enough for a district, too coarse to point at a home."""
    return normalise_postcode(postcode)[:4]


@dataclass(frozen=True)
class Intake:
    """A signal or prescription as intake accepted it, before personal data is split off."""

    channel: Channel
    signaler_role: SignalerRole
    signaler_organisation: str | None
    postcode: str
    received_at: datetime
    age_band: AgeBand | None = None
    observations: tuple[Observation, ...] = field(default_factory=tuple)
    djg_score: int | None = None
    consent_to_contact: bool = False
    prescribed_to: PrescribedTo | None = None  # Welzijn op recept only
    contact_way: ContactWay | None = None  # the way only; its detail goes to the vault


@dataclass(frozen=True)
class Accepted:
    referral_id: str
    pseudonym: str
    receipt: str
    event: ReferralReceived


def accept(intake: Intake) -> Accepted:
    """Give the intake an id, a pseudonym and a receipt; the event holds no personal details."""
    referral_id, pseudonym, receipt = new_referral_id(), new_pseudonym(), new_receipt_code()
    event = ReferralReceived(
        referral_id=referral_id,
        channel=intake.channel,
        signaler=Signaler(role=intake.signaler_role, organisation=intake.signaler_organisation),
        person_pseudonym=pseudonym,
        postcode_area=postcode_area(intake.postcode),
        age_band=intake.age_band,
        observations=sorted(set(intake.observations)),
        djg_score=intake.djg_score,
        consent_to_contact=intake.consent_to_contact,
        prescribed_to=intake.prescribed_to,
        receipt_hash=receipt_hash(receipt),
        received_at=intake.received_at,
        contact_preference=intake.contact_way,
    )
    return Accepted(referral_id, pseudonym, receipt, event)
