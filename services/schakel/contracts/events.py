"""Payloads of the referral lifecycle. Each class is one published (name, version).

A published version never changes incompatibly (``make schemas`` and the contract tests
check this); a new meaning gets a new version plus an upcaster from the previous one.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from schakel.contracts.envelope import EventPayload
from schakel.contracts.vocabulary import (
    AgeBand,
    Channel,
    Grade,
    LonelinessKind,
    Observation,
    OfferKind,
    SignalerRole,
    SignalerStatus,
    Urgency,
    authenticated_organisation,
)

PSEUDONYM_PATTERN = r"^ps-[0-9a-f]{32}$"
POSTCODE_AREA_PATTERN = r"^[1-9][0-9]{3}$"


class _Referral(EventPayload):
    referral_id: str = Field(min_length=1, description="The referral this event belongs to")


class ReferralReceivedV1(_Referral):
    """First draft of *received* (development, 2026-11); read today through the upcaster."""

    event_name: ClassVar[str] = "nl.schakel.referral.received"
    event_version: ClassVar[int] = 1

    channel: Channel
    signaler_role: SignalerRole
    signaler_organisation: str | None = None
    person_pseudonym: str = Field(pattern=PSEUDONYM_PATTERN)
    postcode_area: str | None = Field(default=None, pattern=POSTCODE_AREA_PATTERN)
    observations: list[Observation] = Field(default_factory=list)
    received_at: datetime


class Signaler(BaseModel):
    """Who raised the signal: a role and, for organisations, their id. Never a person's name."""

    model_config = ConfigDict(frozen=True)

    role: SignalerRole
    organisation: str | None = Field(
        default=None,
        description="Organisation id from the sender's token, e.g. a GP practice; only on "
        "authenticated channels (welzijn_op_recept, signalerings_api)",
    )


class ReferralReceived(_Referral):
    """A signal or GP wellbeing prescription was accepted by intake.

    Personal details stay in intake's person vault; this event carries a pseudonym and only
    what triage, matching and monitoring need. The signaler's receipt code travels only as its
    SHA-256 hash, so the public status page can be served without the code leaving intake.
    """

    event_name: ClassVar[str] = "nl.schakel.referral.received"
    event_version: ClassVar[int] = 2

    channel: Channel
    signaler: Signaler
    person_pseudonym: str = Field(pattern=PSEUDONYM_PATTERN)
    postcode_area: str | None = Field(
        default=None, pattern=POSTCODE_AREA_PATTERN, description="Four-digit postcode (PC4)"
    )
    age_band: AgeBand | None = None
    observations: list[Observation] = Field(default_factory=list)
    djg_score: int | None = Field(
        default=None, ge=0, le=6, description="De Jong Gierveld 6-item loneliness score"
    )
    consent_to_contact: bool = Field(
        default=False, description="The person agreed to be contacted by the owning organisation"
    )
    receipt_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    received_at: datetime

    @property
    def referrer_organisation(self) -> str | None:
        """The organisation that sent the referral, as its token named it; None for public
        signals, also old ones whose ``signaler.organisation`` holds the form's free text."""
        return authenticated_organisation(self.channel, self.signaler.organisation)


class ReferralTriaged(_Referral):
    """Triage graded the referral and named the organisation that owns it from now on."""

    event_name: ClassVar[str] = "nl.schakel.referral.triaged"
    event_version: ClassVar[int] = 1

    grade: Grade
    kinds: list[LonelinessKind] = Field(default_factory=list)
    urgency: Urgency
    risk_groups: list[str] = Field(default_factory=list)
    district: str | None = None
    owner_organisation: str = Field(min_length=1)
    reasons: list[str] = Field(description="Why this grade and owner, one line per rule that fired")
    rule_set_version: str


class Offer(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: OfferKind
    offer_id: str
    title: str
    provider_organisation: str
    district: str | None = None


class MatchProposed(_Referral):
    """Matching proposes support to the owner; the owner accepts or declines (later issue)."""

    event_name: ClassVar[str] = "nl.schakel.referral.match-proposed"
    event_version: ClassVar[int] = 1

    offer: Offer
    score: float = Field(ge=0)
    reasons: list[str]


class Waitlisted(_Referral):
    """Nothing suitable has capacity now; matching retries when capacity appears."""

    event_name: ClassVar[str] = "nl.schakel.referral.waitlisted"
    event_version: ClassVar[int] = 1

    wanted: list[OfferKind]
    reason: str


class FeedbackRecorded(_Referral):
    """Feedback recorded what the signaler may now see (no personal details)."""

    event_name: ClassVar[str] = "nl.schakel.referral.feedback-recorded"
    event_version: ClassVar[int] = 1

    signaler_status: SignalerStatus
    owner_organisation: str | None = None
    caused_by_type: str = Field(description="Type of the lifecycle event that changed the status")


ALL_PAYLOADS: tuple[type[EventPayload], ...] = (
    ReferralReceivedV1,
    ReferralReceived,
    ReferralTriaged,
    MatchProposed,
    Waitlisted,
    FeedbackRecorded,
)
