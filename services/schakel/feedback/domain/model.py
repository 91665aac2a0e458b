"""Feedback's read model of one referral: what the pipeline decided and what owners did with
it, and the signaler's stages with their dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from schakel.contracts.vocabulary import (
    ActorRole,
    BusinessStatus,
    Channel,
    CloseOutcome,
    Grade,
    OfferKind,
    PlainOutcome,
    Route,
    SignalerRole,
    SignalerStage,
    SignalerStatus,
    TaskStatus,
    Urgency,
)


class ReferralStatus(StrEnum):
    """Where the pipeline is with a referral (received, triaged, matching's last answer); what
    owners did is in ``Lifecycle``."""

    RECEIVED = "received"
    TRIAGED = "triaged"
    MATCH_PROPOSED = "match_proposed"
    WAITLISTED = "waitlisted"


@dataclass(frozen=True)
class HistoryEntry:
    event_id: str
    type: str
    time: datetime


@dataclass(frozen=True)
class ProposedSupport:
    kind: OfferKind
    title: str
    provider_organisation: str


@dataclass(frozen=True)
class StageReached:
    """A stage of the signaler's view and when it was reached."""

    stage: SignalerStage
    at: datetime


@dataclass(frozen=True)
class Acceptance:
    """Who took the referral up: the organisation, its readable name and the role acted in."""

    organisation: str
    name: str | None
    role: ActorRole
    at: datetime


@dataclass(frozen=True)
class Lifecycle:
    """What owners did, as followup's events say it (FHIR ``Task`` statuses)."""

    task_status: TaskStatus | None = None  # None until triage named an owner
    business_status: BusinessStatus | None = None
    status_reason: str | None = None
    stages: tuple[StageReached, ...] = ()
    accepted_by: Acceptance | None = None
    support_kind: OfferKind | None = None
    support_started_at: datetime | None = None
    outcome: CloseOutcome | None = None
    closed_at: datetime | None = None
    djg_score: int | None = None  # the De Jong Gierveld follow-up score at closing
    owners: tuple[str, ...] = ()  # every organisation that owned it, first one first

    @property
    def stage(self) -> SignalerStage:
        return self.stages[-1].stage if self.stages else SignalerStage.ONTVANGEN

    @property
    def plain_outcome(self) -> PlainOutcome | None:
        if self.outcome is None:
            return None
        helped = self.outcome in (CloseOutcome.HULP_GEKREGEN, CloseOutcome.ELDERS_VERWEZEN)
        return PlainOutcome.HULP_GEVONDEN if helped else PlainOutcome.AFGEROND


@dataclass(frozen=True)
class ReferralState:
    """One referral as feedback knows it. ``receipt_hash`` is only for the public lookup."""

    referral_id: str
    status: ReferralStatus
    signaler_status: SignalerStatus
    signaler_status_since: datetime
    updated_at: datetime
    receipt_hash: str | None = None
    channel: Channel | None = None
    referrer_organisation: str | None = None
    signaler_role: SignalerRole | None = None
    person_pseudonym: str | None = None
    received_at: datetime | None = None
    grade: Grade | None = None
    urgency: Urgency | None = None
    district: str | None = None
    route: Route | None = None
    owner_organisation: str | None = None
    owner_name: str | None = None
    proposal: ProposedSupport | None = None
    waitlist_reason: str | None = None
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    history: tuple[HistoryEntry, ...] = ()

    @property
    def stage(self) -> SignalerStage:
        if not self.lifecycle.stages and self.signaler_status is not SignalerStatus.ONTVANGEN:
            return SignalerStage.DOORGEZET  # folded before stages were kept: it was routed
        return self.lifecycle.stage

    @property
    def stage_since(self) -> datetime:
        stages = self.lifecycle.stages
        return stages[-1].at if stages else self.signaler_status_since

    @property
    def signaler_news(self) -> tuple[SignalerStage, Route | None, PlainOutcome | None]:
        """What the signaler is told: a change of it is published as feedback-recorded."""
        passed_on = self.stage is not SignalerStage.ONTVANGEN
        return (self.stage, self.route if passed_on else None, self.lifecycle.plain_outcome)
