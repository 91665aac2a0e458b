"""Events about a person rather than a referral's progress: their erasure (AVG art. 17),
each time someone read their sealed details, and who opened a view of a referral. All travel
on ``schakel.referral-events``, one record per referral of the person (keyed by the referral
id), so every consumer sees them in order with the referral's other events and the audit
keeps them in the referral's timeline.

Neither carries personal details: a pseudonym, who acted and why (as a code), and when.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from schakel.contracts.envelope import EventPayload
from schakel.contracts.events import PSEUDONYM_PATTERN


class ErasureReason(StrEnum):
    """Why a person's details were erased (codes: free text could itself name the person)."""

    VERZOEK_BETROKKENE = "verzoek_betrokkene"  # the person asked (AVG art. 17)
    BEZWAAR_BETROKKENE = "bezwaar_betrokkene"  # the person objects to the processing (art. 21)
    ONTERECHT_GEMELD = "onterecht_gemeld"  # the signal should never have been made
    BEWAARTERMIJN_VERSTREKEN = "bewaartermijn_verstreken"  # kept longer than needed


class ReadPurpose(StrEnum):
    """Why someone opened a person's sealed details."""

    CONTACT_OPNEMEN = "contact_opnemen"  # the owner must reach the person (first contact)
    AFSPRAAK_MAKEN = "afspraak_maken"  # to arrange a visit or a meeting
    BEREIKBAARHEID_CONTROLEREN = "bereikbaarheid_controleren"  # earlier attempts failed
    INZAGEVERZOEK = "inzageverzoek"  # the person asked what schakel holds (AVG art. 15)


class DetailsReader(BaseModel):
    """Who read or erased: the account, its organisation and the role it acted in."""

    model_config = ConfigDict(frozen=True)

    username: str = Field(min_length=1)
    organisation: str = Field(min_length=1)
    role: str = Field(min_length=1)


class PersonErased(EventPayload):
    """The person's details were erased: intake destroyed their data key, so what it sealed
    can never be opened again. Every service drops or anonymises what it derived about the
    person for this referral (free text first); the referral's timeline stays, pseudonymous."""

    event_name: ClassVar[str] = "nl.schakel.person.erased"
    event_version: ClassVar[int] = 1

    referral_id: str = Field(min_length=1, description="One of the person's referrals")
    person_pseudonym: str = Field(pattern=PSEUDONYM_PATTERN)
    erased_by: DetailsReader
    reason: ErasureReason
    erased_at: datetime


class ContactDetailsRead(EventPayload):
    """Someone opened the person's sealed details (to reach them, or for the person's own
    request to see what is held): who, in which organisation and role, why and when; never
    the details themselves."""

    event_name: ClassVar[str] = "nl.schakel.person.contact-details-read"
    event_version: ClassVar[int] = 1

    referral_id: str = Field(min_length=1, description="The referral the read was made for")
    person_pseudonym: str = Field(pattern=PSEUDONYM_PATTERN)
    read_by: DetailsReader
    purpose: ReadPurpose
    read_at: datetime


class ReferralView(StrEnum):
    """Which view of a referral someone opened; each has its purpose implied by who may open
    it (docs/architecture.md, "Reads are audited")."""

    INBOX = "inbox"  # followup: the owner's referral view, to handle it
    PROPOSAL = "proposal"  # matching: what was proposed, for the owner, municipality, auditors


class ReferralViewed(EventPayload):
    """Someone opened a view of a referral: the first time each day per account and view, so
    a page that refreshes does not flood the history. No personal details travel."""

    event_name: ClassVar[str] = "nl.schakel.referral.viewed"
    event_version: ClassVar[int] = 1

    referral_id: str = Field(min_length=1)
    viewed_by: DetailsReader
    view: ReferralView
    viewed_at: datetime


PERSON_PAYLOADS: tuple[type[EventPayload], ...] = (
    PersonErased,
    ContactDetailsRead,
    ReferralViewed,
)
PERSON_EVENT_TYPES: tuple[str, ...] = tuple(p.event_type() for p in PERSON_PAYLOADS)
