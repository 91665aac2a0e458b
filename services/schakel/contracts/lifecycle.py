"""Follow-up events: what owners did with a referral, and what the deadlines and concerns
brought, one published type per fact.

The follow-up service decides them (its state machine refuses impossible transitions) and
each carries the resulting HL7 FHIR R4 ``Task.status`` and ``Task.businessStatus`` (the Gravity
SDOH referral workflow) and who acted, so consumers never re-implement the state machine.
Free text (notes) stays in followup's own database: events carry codes only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schakel.contracts.envelope import EventPayload
from schakel.contracts.events import FiredRule, Offer
from schakel.contracts.vocabulary import (
    ActorRole,
    BusinessStatus,
    CloseOutcome,
    ConcernSource,
    Daypart,
    DeadlineKind,
    DeclineReason,
    DietNeed,
    EscalationLevel,
    Grade,
    HoldReason,
    Mobility,
    Observation,
    OfferKind,
    RejectReason,
    Route,
    TaskStatus,
    TransferReason,
    Urgency,
)

INTEREST_CODE = r"^[a-z][a-z_-]{0,39}$"  # a code, never a sentence: no free text travels

# FHIR requires Task.statusReason for these (the Gravity workflow does too).
NEEDS_REASON = frozenset(
    {TaskStatus.REJECTED, TaskStatus.CANCELLED, TaskStatus.ON_HOLD, TaskStatus.FAILED}
)
LANGUAGE_PATTERN = r"^[a-z]{2,3}$"


class Actor(BaseModel):
    """Who acted: an organisation and the role the account acted in; a service acts as
    organisation ``schakel`` with role ``systeem``."""

    model_config = ConfigDict(frozen=True)

    organisation: str = Field(min_length=1)
    role: ActorRole


class LifecycleEvent(EventPayload):
    """What every follow-up event carries besides its own facts."""

    referral_id: str = Field(min_length=1)
    actor: Actor
    status: TaskStatus = Field(description="FHIR Task.status after this event")
    status_reason: str | None = Field(
        default=None,
        description="FHIR Task.statusReason as a code (the reason or outcome of this event); "
        "required for rejected, cancelled, on-hold and failed",
    )
    business_status: BusinessStatus | None = Field(
        default=None, description="FHIR Task.businessStatus after this event"
    )
    owner_organisation: str = Field(
        min_length=1, description="The organisation responsible after this event"
    )
    occurred_at: datetime

    @model_validator(mode="after")
    def _reason_when_fhir_needs_one(self) -> Self:
        if self.status in NEEDS_REASON and not self.status_reason:
            raise ValueError(f"status {self.status.value} needs a status_reason")
        return self


class ReferralAccepted(LifecycleEvent):
    """The owning organisation accepted the referral: it is responsible from now on."""

    event_name: ClassVar[str] = "nl.schakel.referral.accepted"
    event_version: ClassVar[int] = 1

    owner_name: str = Field(min_length=1)


class ReferralRejected(LifecycleEvent):
    """The owner rejected the referral; triage routes it to the next owner. Until then the
    coordination point (``owner_organisation``) is responsible."""

    event_name: ClassVar[str] = "nl.schakel.referral.rejected"
    event_version: ClassVar[int] = 1

    reason: RejectReason
    excluded_organisations: list[str] = Field(
        description="Every organisation that rejected this referral so far: routing skips them"
    )


class ReferralTransferred(LifecycleEvent):
    """The owner handed the referral to another organisation, which owns it from now on."""

    event_name: ClassVar[str] = "nl.schakel.referral.transferred"
    event_version: ClassVar[int] = 1

    from_organisation: str = Field(min_length=1)
    to_name: str = Field(min_length=1, description="The new owner's readable name")
    to_route: Route = Field(description="Which kind of organisation the new owner is")
    reason: TransferReason


class ContactAttempted(LifecycleEvent):
    """The owner tried to reach the person and did not."""

    event_name: ClassVar[str] = "nl.schakel.referral.contact-attempted"
    event_version: ClassVar[int] = 1

    attempt: int = Field(ge=1, description="How many attempts so far")


class Wishes(BaseModel):
    """What the person would like, as codes (no free text travels)."""

    model_config = ConfigDict(frozen=True)

    kinds: list[OfferKind] = Field(
        default_factory=list, description="Kinds of support wanted, first choice first"
    )
    languages: list[str] = Field(
        default_factory=list,
        description="Languages the person prefers (ISO 639 codes, e.g. nl, tr, ar)",
    )
    diet: list[DietNeed] = Field(default_factory=list)
    mobility: Mobility | None = Field(
        default=None, description="How far the person can go; None: not asked"
    )
    interests: list[Annotated[str, Field(pattern=INTEREST_CODE)]] = Field(
        default_factory=list,
        max_length=20,
        description="Interests as short codes (e.g. wandelen, koffie), matched against helpers'",
    )
    availability: list[Daypart] = Field(
        default_factory=list, description="When the person is available for support"
    )


class FirstConversationRecorded(LifecycleEvent):
    """The owner spoke with the person: do they know of the signal, do they consent to
    support, and what would they like. Matching proposes only after this, with consent."""

    event_name: ClassVar[str] = "nl.schakel.referral.first-conversation-recorded"
    event_version: ClassVar[int] = 1

    knew_of_signal: bool
    consents_to_support: bool = Field(
        description="The person agrees that support is sought and a helper may contact them"
    )
    wishes: Wishes = Field(default_factory=Wishes)
    grade: Grade | None = Field(
        default=None,
        description="The owner's grade after talking with the person (no longer "
        "provisional); None: not judged",
    )
    djg_score: int | None = Field(default=None, ge=0, le=6)


class ProfessionalVisitRecorded(LifecycleEvent):
    """Urgent and without consent: a professional of the neighbourhood team visited."""

    event_name: ClassVar[str] = "nl.schakel.referral.professional-visit-recorded"
    event_version: ClassVar[int] = 1


class SupportProposed(LifecycleEvent):
    """Matching's proposal reached the owner (a suggestion to discuss with the person)."""

    event_name: ClassVar[str] = "nl.schakel.referral.support-proposed"
    event_version: ClassVar[int] = 1

    offer: Offer


class SupportConfirmed(LifecycleEvent):
    """The person said yes to the proposed support."""

    event_name: ClassVar[str] = "nl.schakel.referral.support-confirmed"
    event_version: ClassVar[int] = 1

    offer_id: str = Field(min_length=1)
    kind: OfferKind


class SupportDeclined(LifecycleEvent):
    """The person said no to the proposed support; matching proposes another offer."""

    event_name: ClassVar[str] = "nl.schakel.referral.support-declined"
    event_version: ClassVar[int] = 1

    offer_id: str = Field(min_length=1)
    kind: OfferKind
    reason: DeclineReason
    declined_offers: list[str] = Field(description="Every offer declined so far: never again")


class SupportStarted(LifecycleEvent):
    """Support has started (proposed by matching, or arranged by the owner otherwise)."""

    event_name: ClassVar[str] = "nl.schakel.referral.support-started"
    event_version: ClassVar[int] = 1

    kind: OfferKind
    offer_id: str | None = Field(default=None, description="None: arranged outside matching")
    provider_organisation: str | None = None
    helper_code_hash: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of the reference code the owner gives the helper, with which the "
        "helper can report a concern (the code itself is never stored or published)",
    )


class CheckInRecorded(LifecycleEvent):
    """The owner checked in with the person after support started."""

    event_name: ClassVar[str] = "nl.schakel.referral.check-in-recorded"
    event_version: ClassVar[int] = 1

    check_in: int = Field(ge=1, description="How many check-ins so far")
    djg_score: int | None = Field(default=None, ge=0, le=6)


class PutOnHold(LifecycleEvent):
    """Paused for a reason; a deadline brings it back to the owner's attention."""

    event_name: ClassVar[str] = "nl.schakel.referral.put-on-hold"
    event_version: ClassVar[int] = 1

    reason: HoldReason


class Resumed(LifecycleEvent):
    """Taken up again where it was before the hold."""

    event_name: ClassVar[str] = "nl.schakel.referral.resumed"
    event_version: ClassVar[int] = 1


class ReferralClosed(LifecycleEvent):
    """Closed with an outcome: completed, cancelled or failed as FHIR counts it."""

    event_name: ClassVar[str] = "nl.schakel.referral.closed"
    event_version: ClassVar[int] = 1

    outcome: CloseOutcome
    support_kind: OfferKind | None = Field(
        default=None, description="The support that had started, if any"
    )
    djg_score: int | None = Field(
        default=None, ge=0, le=6, description="De Jong Gierveld 6-item follow-up score"
    )


class DeadlinePassed(LifecycleEvent):
    """A deadline of the policy passed: a reminder to the owner, then an escalation to its
    coordinator, then to the coordination point. Status and business status are unchanged."""

    event_name: ClassVar[str] = "nl.schakel.referral.deadline-passed"
    event_version: ClassVar[int] = 1

    deadline_id: str = Field(min_length=1)
    kind: DeadlineKind
    due_at: datetime
    level: EscalationLevel
    notify_organisation: str = Field(min_length=1, description="Who is told at this level")
    notify_role: ActorRole
    policy_version: str = Field(min_length=1)
    rule_id: str = Field(min_length=1)


class ConcernRaised(LifecycleEvent):
    """Someone reported a concern about a person already in care; it reaches the owner at
    once. Status and business status are unchanged; triage may raise grade and urgency."""

    event_name: ClassVar[str] = "nl.schakel.referral.concern-raised"
    event_version: ClassVar[int] = 1

    concern_id: str = Field(min_length=1)
    source: ConcernSource
    observations: list[Observation] = Field(min_length=1)


class ReferralRegraded(EventPayload):
    """Triage judged grade and urgency again (after a concern); the owner stays the same."""

    event_name: ClassVar[str] = "nl.schakel.referral.regraded"
    event_version: ClassVar[int] = 1

    referral_id: str = Field(min_length=1)
    grade: Grade | None
    grade_provisional: bool = True
    urgency: Urgency
    raised: bool = Field(description="Grade or urgency went up")
    concern_id: str | None = Field(default=None, description="The concern that caused it")
    rules_fired: list[FiredRule]
    rule_set_version: str = Field(min_length=1)


LIFECYCLE_PAYLOADS: tuple[type[EventPayload], ...] = (
    ReferralAccepted,
    ReferralRejected,
    ReferralTransferred,
    ContactAttempted,
    FirstConversationRecorded,
    ProfessionalVisitRecorded,
    SupportProposed,
    SupportConfirmed,
    SupportDeclined,
    SupportStarted,
    CheckInRecorded,
    PutOnHold,
    Resumed,
    ReferralClosed,
    DeadlinePassed,
    ConcernRaised,
    ReferralRegraded,
)
