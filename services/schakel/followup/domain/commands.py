"""What can be asked of a referral: owners' commands, and the system's (a proposal arriving).

Each command's ``action`` is its name in the HTTP API and in a referral's list of actions
allowed now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from schakel.contracts.events import Offer
from schakel.contracts.lifecycle import Actor, Wishes
from schakel.contracts.vocabulary import (
    CloseOutcome,
    ConcernSource,
    DeclineReason,
    Grade,
    HoldReason,
    Observation,
    OfferKind,
    RejectReason,
    Route,
    TransferReason,
)


@dataclass(frozen=True)
class Command:
    action: ClassVar[str]
    actor: Actor


@dataclass(frozen=True)
class Accept(Command):
    action: ClassVar[str] = "accept"


@dataclass(frozen=True)
class Reject(Command):
    action: ClassVar[str] = "reject"
    reason: RejectReason
    interim_owner: str  # the coordination point: responsible until triage names the next


@dataclass(frozen=True)
class Transfer(Command):
    action: ClassVar[str] = "transfer"
    to_organisation: str
    to_name: str
    to_route: Route
    reason: TransferReason


@dataclass(frozen=True)
class AttemptContact(Command):
    action: ClassVar[str] = "attempt_contact"


@dataclass(frozen=True)
class RecordFirstConversation(Command):
    action: ClassVar[str] = "record_first_conversation"
    knew_of_signal: bool
    consents_to_support: bool
    wishes: Wishes = field(default_factory=Wishes)
    grade: Grade | None = None
    djg_score: int | None = None


@dataclass(frozen=True)
class RecordProfessionalVisit(Command):
    action: ClassVar[str] = "record_professional_visit"


@dataclass(frozen=True)
class ConfirmSupport(Command):
    action: ClassVar[str] = "confirm_support"


@dataclass(frozen=True)
class DeclineSupport(Command):
    action: ClassVar[str] = "decline_support"
    reason: DeclineReason


@dataclass(frozen=True)
class StartSupport(Command):
    action: ClassVar[str] = "start_support"
    kind: OfferKind | None = None  # None: the support the person accepted
    provider_organisation: str | None = None
    helper_code_hash: str | None = None  # of the code the owner passes to the helper


@dataclass(frozen=True)
class RecordCheckIn(Command):
    action: ClassVar[str] = "record_check_in"
    djg_score: int | None = None


@dataclass(frozen=True)
class Hold(Command):
    action: ClassVar[str] = "put_on_hold"
    reason: HoldReason


@dataclass(frozen=True)
class Resume(Command):
    action: ClassVar[str] = "resume"


@dataclass(frozen=True)
class Close(Command):
    action: ClassVar[str] = "close"
    outcome: CloseOutcome
    djg_score: int | None = None


@dataclass(frozen=True)
class RaiseConcern(Command):
    action: ClassVar[str] = "raise_concern"
    concern_id: str
    source: ConcernSource
    observations: tuple[Observation, ...]


@dataclass(frozen=True)
class TakeProposal(Command):
    """Matching's proposal reaches the owner (a system command)."""

    action: ClassVar[str] = "take_proposal"
    offer: Offer


OWNER_ACTIONS: tuple[type[Command], ...] = (
    Accept,
    Reject,
    Transfer,
    AttemptContact,
    RecordFirstConversation,
    RecordProfessionalVisit,
    ConfirmSupport,
    DeclineSupport,
    StartSupport,
    RecordCheckIn,
    Hold,
    Resume,
    Close,
)
