"""Payloads of the referral lifecycle. Each class is one published (name, version).

A published version never changes incompatibly (``make schemas`` and the contract tests
check this); a new meaning gets a new version plus an upcaster from the previous one.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from schakel.contracts.envelope import EventPayload
from schakel.contracts.vocabulary import (
    AgeBand,
    BuddyType,
    BusinessStatus,
    Channel,
    CloseOutcome,
    ContactWay,
    Daypart,
    Grade,
    LonelinessKind,
    MealDiet,
    Observation,
    OfferKind,
    PlainOutcome,
    PrescribedTo,
    ReferrerUpdate,
    RiskGroup,
    Route,
    SignalerRole,
    SignalerStage,
    SignalerStatus,
    TaskStatus,
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
    prescribed_to: PrescribedTo | None = Field(
        default=None,
        description="Welzijn op recept: whom the GP refers to (social or exercise broker); "
        "None for other signals",
    )
    receipt_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    received_at: datetime
    contact_preference: ContactWay | None = Field(
        default=None,
        description="How the person asked to be reached (telefoon, email, brief, "
        "via_huisarts), mostly said in a self-report; only the way: the number, address or "
        "GP practice stays in intake's vault. None when not said (and in events before "
        "2026-12)",
    )

    @property
    def referrer_organisation(self) -> str | None:
        """The organisation that sent the referral, as its token named it; None for public
        signals, also old ones whose ``signaler.organisation`` holds the form's free text."""
        return authenticated_organisation(self.channel, self.signaler.organisation)


class ReferralTriagedV1(_Referral):
    """First version of *triaged* (2026-11): always a grade, the owner by id only, reasons as
    free text. Read today through the upcaster to v2."""

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


class FiredRule(BaseModel):
    """One rule of triage's rule set that fired for a referral, and what it found."""

    model_config = ConfigDict(frozen=True)

    rule_id: str | None = Field(
        description="Id in the rule set named by rule_set_version; None only in decisions "
        "upcast from v1, whose rules had no ids"
    )
    reason: str = Field(min_length=1)


class ReferralTriaged(_Referral):
    """Triage routed the referral to the organisation that owns it from now on.

    The grade of loneliness and the urgency are two axes. The grade is provisional (or absent
    when nothing points to one) until the owner has talked with the person; urgency is about
    safety (signs of vulnerability) and decides how soon a professional follows up.
    """

    event_name: ClassVar[str] = "nl.schakel.referral.triaged"
    event_version: ClassVar[int] = 2

    grade: Grade | None = Field(
        description="Movisie grade; None: ungraded, the owner's first conversation grades it"
    )
    grade_provisional: bool = Field(
        default=True,
        description="True until the owner has talked with the person (always true from triage)",
    )
    urgency: Urgency
    route: Route = Field(description="Which kind of organisation owns the referral")
    owner_organisation: str = Field(min_length=1, description="Owner's organisation id")
    owner_name: str = Field(min_length=1, description="Owner's readable name")
    assign_within_hours: int | None = Field(
        default=None,
        ge=1,
        description="For route coordinatiepunt: the coordination point must assign an owner "
        "within this many hours; None for other routes",
    )
    district: str | None = Field(default=None, description="District (wijk) id; None: unknown")
    district_name: str | None = None
    risk_groups: list[RiskGroup] = Field(default_factory=list)
    kinds: list[LonelinessKind] = Field(default_factory=list)
    consent_to_contact: bool = Field(
        default=False, description="As received: the person agreed to be contacted by the owner"
    )
    rules_fired: list[FiredRule] = Field(
        description="Every rule that fired, in the order the rule set applies them"
    )
    rule_set_version: str = Field(min_length=1)


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


class FeedbackRecordedV1(_Referral):
    """First version of *feedback-recorded* (2026-11): statuses that followed matching, and
    the owner's id. Read today through the upcaster to v2."""

    event_name: ClassVar[str] = "nl.schakel.referral.feedback-recorded"
    event_version: ClassVar[int] = 1

    signaler_status: SignalerStatus
    owner_organisation: str | None = None
    caused_by_type: str = Field(description="Type of the lifecycle event that changed the status")


class FeedbackRecorded(_Referral):
    """Feedback recorded what the signaler may now see: only what someone has done (no
    personal details, no grade, no district, no owner id)."""

    event_name: ClassVar[str] = "nl.schakel.referral.feedback-recorded"
    event_version: ClassVar[int] = 2

    stage: SignalerStage
    organisation_kind: Route | None = Field(
        default=None, description="The kind of organisation it was passed on to"
    )
    outcome: PlainOutcome | None = Field(default=None, description="Only once closed")
    caused_by_type: str = Field(description="Type of the lifecycle event that changed the stage")


class AcceptedBy(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation: str = Field(min_length=1)
    name: str | None = None
    role: str = Field(min_length=1, description="The role the account accepted in")


class ReferrerUpdated(_Referral):
    """What the referring GP practice or professional hears (topic ``schakel.gp-feedback``):
    who accepted, the kind of support started, the outcome. A snapshot of the referral's
    FHIR Task each time, so a GP system needs only the newest record."""

    event_name: ClassVar[str] = "nl.schakel.referral.referrer-updated"
    event_version: ClassVar[int] = 1

    update: ReferrerUpdate
    referrer_organisation: str = Field(min_length=1)
    status: TaskStatus = Field(description="FHIR Task.status")
    status_reason: str | None = None
    business_status: BusinessStatus | None = None
    owner_organisation: str = Field(min_length=1)
    owner_name: str | None = None
    accepted_by: AcceptedBy | None = Field(default=None, description="Who took it up")
    support_kind: OfferKind | None = None
    outcome: CloseOutcome | None = None
    djg_score: int | None = Field(default=None, ge=0, le=6, description="Follow-up score")
    occurred_at: datetime


class HelperProfile(BaseModel):
    """A helper in a provider's registry, as its coordinator describes them: never a name or
    an address, only a four-digit postcode area."""

    model_config = ConfigDict(frozen=True)

    kind: OfferKind = Field(
        description="maatje (a buddy), thuisgekookt (a home cook) or the kind of an activity"
    )
    buddy_type: BuddyType | None = Field(default=None, description="For a buddy: which kind")
    title: str | None = Field(default=None, max_length=200, description="For an activity")
    postcode_area: str | None = Field(
        default=None,
        pattern=POSTCODE_AREA_PATTERN,
        description="Four-digit postcode (PC4) where the helper lives or the activity is; "
        "None for a phone buddy",
    )
    capacity: int = Field(
        ge=0,
        le=1000,
        description="Maximum matches (buddy), neighbours cooked for (cook) or places (activity)",
    )
    languages: list[str] = Field(default_factory=lambda: ["nl"], description="ISO 639 codes")
    interests: list[str] = Field(default_factory=list, max_length=20)
    age_groups: list[AgeBand] = Field(
        default_factory=list, description="Ages the helper wants to support; empty: any age"
    )
    availability: list[Daypart] = Field(default_factory=list)
    diets: list[MealDiet] = Field(default_factory=list, description="For a cook")
    meals_per_week: int | None = Field(default=None, ge=1, le=14, description="For a cook")
    grades: list[Grade] = Field(
        default_factory=list,
        description="For an activity: the grades it serves (a buddy's and a cook's follow "
        "from the Wegwijzer)",
    )
    district: str | None = Field(
        default=None, description="For an activity: its district id; None: city-wide"
    )
    schedule: str | None = Field(default=None, max_length=200, description="For an activity")


class _HelperEvent(EventPayload):
    helper_id: str = Field(min_length=1, max_length=100)
    organisation: str = Field(min_length=1, description="The provider's organisation id")


class HelperRegistered(_HelperEvent):
    """A provider's coordinator registered a buddy, a home cook or an activity."""

    event_name: ClassVar[str] = "nl.schakel.helper.registered"
    event_version: ClassVar[int] = 1

    profile: HelperProfile


class HelperUpdated(_HelperEvent):
    """The coordinator changed a helper's profile (the whole new profile travels)."""

    event_name: ClassVar[str] = "nl.schakel.helper.updated"
    event_version: ClassVar[int] = 1

    profile: HelperProfile


class HelperStopped(_HelperEvent):
    """The helper stopped: never proposed again; matches already made keep their end."""

    event_name: ClassVar[str] = "nl.schakel.helper.stopped"
    event_version: ClassVar[int] = 1


class HelperMatchEnded(_HelperEvent):
    """A match of this helper (or Table 1 offer: its id) ran its term out: its place is free
    again. A match that ends because its referral closed needs no event of its own."""

    event_name: ClassVar[str] = "nl.schakel.helper.match-ended"
    event_version: ClassVar[int] = 1

    referral_id: str = Field(min_length=1)
    ended_at: datetime = Field(description="The end of the match's term")


class HelperMatchRenewed(_HelperEvent):
    """The helper's coordinator renewed a match for one more term (a buddy match, once)."""

    event_name: ClassVar[str] = "nl.schakel.helper.match-renewed"
    event_version: ClassVar[int] = 1

    referral_id: str = Field(min_length=1)
    until: datetime = Field(description="The new end of the match")


HELPER_PAYLOADS: tuple[type[EventPayload], ...] = (
    HelperRegistered,
    HelperUpdated,
    HelperStopped,
    HelperMatchEnded,
    HelperMatchRenewed,
)

# One person, one open referral (intake's duplicate rule): what a signal about someone who
# already has an open referral becomes. Never a name, date, number or address: the rule's
# reasons are feature names only.
MatchedOn = Literal["name", "name_partial", "no_name", "birth_date", "address", "phone"]


class _SecondSignal(_Referral):
    """A signal intake recognised as about the person of an open referral (``referral_id``)."""

    signal_id: str = Field(
        min_length=1, description="Intake's id of the new signal (never a referral of its own)"
    )
    receipt_hash: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="The new signaler's own receipt, hashed"
    )
    channel: Channel
    signaler: Signaler
    observations: list[Observation] = Field(default_factory=list)
    matched_on: list[MatchedOn] = Field(
        description="What agreed, compared on keyed hashes (the name's agreement first)"
    )


class SignalAttached(_SecondSignal):
    """The new signal is about the person of the open referral and joins it: no second
    referral; its signaler's receipt follows ``referral_id``."""

    event_name: ClassVar[str] = "nl.schakel.referral.signal-attached"
    event_version: ClassVar[int] = 1

    confirmed_by_owner: bool = Field(
        default=False, description="True when the owner confirmed a suspected duplicate"
    )
    attached_at: datetime


class DuplicateSuspected(_SecondSignal):
    """The new signal may be about the person of the open referral: it waits for the owner,
    who confirms (it attaches) or rejects (it becomes a referral of its own)."""

    event_name: ClassVar[str] = "nl.schakel.referral.duplicate-suspected"
    event_version: ClassVar[int] = 1

    suspected_at: datetime


class _DuplicateDecision(_Referral):
    signal_id: str = Field(min_length=1)
    decided_by: str = Field(min_length=1, description="The owning organisation that decided")
    decided_at: datetime


class DuplicateConfirmed(_DuplicateDecision):
    """The owner says the suspected signal is about the same person (intake attaches it)."""

    event_name: ClassVar[str] = "nl.schakel.referral.duplicate-confirmed"
    event_version: ClassVar[int] = 1


class DuplicateRejected(_DuplicateDecision):
    """The owner says it is someone else (intake lets it become a referral of its own)."""

    event_name: ClassVar[str] = "nl.schakel.referral.duplicate-rejected"
    event_version: ClassVar[int] = 1


DUPLICATE_PAYLOADS: tuple[type[EventPayload], ...] = (
    SignalAttached,
    DuplicateSuspected,
    DuplicateConfirmed,
    DuplicateRejected,
)

ALL_PAYLOADS: tuple[type[EventPayload], ...] = (
    ReferralReceivedV1,
    ReferralReceived,
    ReferralTriagedV1,
    ReferralTriaged,
    MatchProposed,
    Waitlisted,
    FeedbackRecordedV1,
    FeedbackRecorded,
    ReferrerUpdated,
    *HELPER_PAYLOADS,
    *DUPLICATE_PAYLOADS,
)
