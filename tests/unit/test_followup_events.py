"""The exact event each owner action causes: status, business status, reason, owner and the
facts it records, as every consumer downstream (feedback, matching, audit, the inbox) reads
them; and the words of each refusal, as the owner reads them on the page."""

from __future__ import annotations

from typing import Any

import pytest

from schakel.contracts.lifecycle import (
    Actor,
    CheckInRecorded,
    ConcernRaised,
    ContactAttempted,
    FirstConversationRecorded,
    LifecycleEvent,
    ProfessionalVisitRecorded,
    PutOnHold,
    ReferralAccepted,
    ReferralClosed,
    ReferralRejected,
    ReferralTransferred,
    Resumed,
    SupportConfirmed,
    SupportDeclined,
    SupportStarted,
    Wishes,
)
from schakel.contracts.vocabulary import (
    ActorRole,
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
from schakel.contracts.vocabulary import BusinessStatus as B
from schakel.contracts.vocabulary import TaskStatus as S
from schakel.followup.domain.commands import (
    Accept,
    AttemptContact,
    Close,
    Command,
    ConfirmSupport,
    DeclineSupport,
    Hold,
    RaiseConcern,
    RecordCheckIn,
    RecordFirstConversation,
    RecordProfessionalVisit,
    Reject,
    Resume,
    StartSupport,
    Transfer,
)
from schakel.followup.domain.machine import Refusal, RefusalKind, decide
from schakel.followup.domain.state import Referral
from tests import payloads
from tests.unit.test_followup_machine import (
    COORDINATION_POINT,
    MAKELAAR,
    NOW,
    OFFER,
    OWNER,
    acted,
    in_stage,
    proposed,
    routed,
    stage_state,
)

HASH = "0f" * 32


def event(cls: type[LifecycleEvent], status: S, business: B | None = None, **facts: Any) -> Any:
    reason = facts.pop("status_reason", None)
    owner = facts.pop("owner", OWNER)
    return payloads.followed_up(
        cls, "ref-1", status, business, status_reason=reason, owner=owner, actor=MAKELAAR, at=NOW,
        **facts,
    )  # fmt: skip


def only(state: Referral, command: Command) -> LifecycleEvent:
    decided = decide(state, command, NOW)
    assert not isinstance(decided, Refusal), decided
    [caused] = decided
    return caused


def accepted() -> Referral:
    return in_stage((S.ACCEPTED, None))


def agreed() -> Referral:
    return in_stage((S.IN_PROGRESS, B.SUPPORT_ACCEPTED))


CASES: list[tuple[str, Any, Command, Any]] = [
    (
        "accept",
        routed,
        Accept(MAKELAAR),
        event(ReferralAccepted, S.ACCEPTED, owner_name="Sociaal makelaars Overvecht"),
    ),
    (
        "accept without consent",
        lambda: routed(consent=False),
        Accept(MAKELAAR),
        event(ReferralAccepted, S.ACCEPTED, B.NO_CONSENT, owner_name="Sociaal makelaars Overvecht"),
    ),
    (
        "reject",
        routed,
        Reject(MAKELAAR, RejectReason.GEEN_CAPACITEIT, COORDINATION_POINT),
        event(
            ReferralRejected,
            S.REJECTED,
            status_reason="geen_capaciteit",
            owner=COORDINATION_POINT,
            reason=RejectReason.GEEN_CAPACITEIT,
            excluded_organisations=[OWNER],
        ),
    ),
    (
        "transfer",
        accepted,
        Transfer(
            MAKELAAR,
            "buurtteam-overvecht",
            "Buurtteam Overvecht",
            Route.BUURTTEAM,
            TransferReason.PROFESSIONELE_HULP_NODIG,
        ),
        event(
            ReferralTransferred,
            S.REQUESTED,
            owner="buurtteam-overvecht",
            from_organisation=OWNER,
            to_name="Buurtteam Overvecht",
            to_route=Route.BUURTTEAM,
            reason=TransferReason.PROFESSIONELE_HULP_NODIG,
        ),
    ),
    (
        "second contact attempt",
        lambda: acted(accepted(), AttemptContact(MAKELAAR)),
        AttemptContact(MAKELAAR),
        event(ContactAttempted, S.IN_PROGRESS, B.CONTACT_ATTEMPTED, attempt=2),
    ),
    (
        "first conversation",
        accepted,
        RecordFirstConversation(
            MAKELAAR, False, True, Wishes(kinds=[OfferKind.MAATJE]), Grade.ERNSTIG, 4
        ),
        event(
            FirstConversationRecorded,
            S.IN_PROGRESS,
            B.CONTACT_MADE,
            knew_of_signal=False,
            consents_to_support=True,
            wishes=Wishes(kinds=[OfferKind.MAATJE]),
            grade=Grade.ERNSTIG,
            djg_score=4,
        ),
    ),
    (
        "first conversation without consent",
        accepted,
        RecordFirstConversation(MAKELAAR, True, False),
        event(
            FirstConversationRecorded,
            S.IN_PROGRESS,
            B.NO_CONSENT,
            knew_of_signal=True,
            consents_to_support=False,
            wishes=Wishes(),
            grade=None,
            djg_score=None,
        ),
    ),
    (
        "professional visit",
        lambda: stage_state((S.ACCEPTED, B.NO_CONSENT)),
        RecordProfessionalVisit(MAKELAAR),
        event(ProfessionalVisitRecorded, S.IN_PROGRESS, B.PROFESSIONAL_VISIT),
    ),
    (
        "confirm",
        lambda: in_stage((S.IN_PROGRESS, B.SUPPORT_PROPOSED)),
        ConfirmSupport(MAKELAAR),
        event(
            SupportConfirmed,
            S.IN_PROGRESS,
            B.SUPPORT_ACCEPTED,
            offer_id=OFFER.offer_id,
            kind=OfferKind.MAATJE,
        ),
    ),
    (
        "decline",
        lambda: in_stage((S.IN_PROGRESS, B.SUPPORT_PROPOSED)),
        DeclineSupport(MAKELAAR, DeclineReason.TE_VER_WEG),
        event(
            SupportDeclined,
            S.IN_PROGRESS,
            B.SUPPORT_DECLINED,
            offer_id=OFFER.offer_id,
            kind=OfferKind.MAATJE,
            reason=DeclineReason.TE_VER_WEG,
            declined_offers=[OFFER.offer_id],
        ),
    ),
    (
        "start the accepted support",
        agreed,
        StartSupport(MAKELAAR, helper_code_hash=HASH),
        event(
            SupportStarted,
            S.IN_PROGRESS,
            B.SUPPORT_STARTED,
            kind=OfferKind.MAATJE,
            offer_id=OFFER.offer_id,
            provider_organisation=OFFER.provider_organisation,
            helper_code_hash=HASH,
        ),
    ),
    (
        "start support arranged elsewhere",
        lambda: in_stage((S.IN_PROGRESS, B.CONTACT_MADE)),
        StartSupport(MAKELAAR, OfferKind.ACTIVITEIT, "Buurthuis De Leeuw"),
        event(
            SupportStarted,
            S.IN_PROGRESS,
            B.SUPPORT_STARTED,
            kind=OfferKind.ACTIVITEIT,
            offer_id=None,
            provider_organisation="Buurthuis De Leeuw",
            helper_code_hash=None,
        ),
    ),
    (
        "check-in",
        lambda: in_stage((S.IN_PROGRESS, B.CHECK_IN_DONE)),
        RecordCheckIn(MAKELAAR, djg_score=2),
        event(CheckInRecorded, S.IN_PROGRESS, B.CHECK_IN_DONE, check_in=2, djg_score=2),
    ),
    (
        "hold",
        lambda: in_stage((S.IN_PROGRESS, B.CONTACT_ATTEMPTED)),
        Hold(MAKELAAR, HoldReason.OPNAME),
        event(
            PutOnHold,
            S.ON_HOLD,
            B.CONTACT_ATTEMPTED,
            status_reason="opname",
            reason=HoldReason.OPNAME,
        ),
    ),
    (
        "resume",
        lambda: acted(
            in_stage((S.IN_PROGRESS, B.CONTACT_ATTEMPTED)), Hold(MAKELAAR, HoldReason.OPNAME)
        ),
        Resume(MAKELAAR),
        event(Resumed, S.IN_PROGRESS, B.CONTACT_ATTEMPTED),
    ),
    (
        "close after support",
        lambda: in_stage((S.IN_PROGRESS, B.SUPPORT_STARTED)),
        Close(MAKELAAR, CloseOutcome.HULP_GEKREGEN, djg_score=1),
        event(
            ReferralClosed,
            S.COMPLETED,
            B.SUPPORT_STARTED,
            status_reason="hulp_gekregen",
            outcome=CloseOutcome.HULP_GEKREGEN,
            djg_score=1,
            support_kind=OfferKind.MAATJE,
        ),
    ),
    (
        "close unreached",
        accepted,
        Close(MAKELAAR, CloseOutcome.NIET_BEREIKT),
        event(
            ReferralClosed,
            S.FAILED,
            status_reason="niet_bereikt",
            outcome=CloseOutcome.NIET_BEREIKT,
            djg_score=None,
            support_kind=None,
        ),
    ),
]


@pytest.mark.parametrize(
    ("name", "before", "command", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_each_action_causes_exactly_its_event(
    name: str, before: Any, command: Command, expected: LifecycleEvent
) -> None:
    assert only(before(), command) == expected


def test_a_concern_leaves_status_and_owner_as_they_are() -> None:
    worried = Actor(organisation="anoniem", role=ActorRole.SIGNALERINGSPARTNER)
    state = in_stage((S.IN_PROGRESS, B.CONTACT_ATTEMPTED))
    concern = RaiseConcern(worried, "c-1", ConcernSource.SIGNALER, (Observation.WEINIG_CONTACT,))
    caused = only(state, concern)
    assert caused == payloads.followed_up(
        ConcernRaised,
        "ref-1",
        S.IN_PROGRESS,
        B.CONTACT_ATTEMPTED,
        actor=worried,
        at=NOW,
        concern_id="c-1",
        source=ConcernSource.SIGNALER,
        observations=[Observation.WEINIG_CONTACT],
    )
    assert decide(Referral("ref-1"), concern, NOW) == Refusal(
        "the referral is not routed yet: the concern is in the signal itself"
    )
    closed = acted(state, Close(MAKELAAR, CloseOutcome.VERHUISD))
    assert decide(closed, concern, NOW) == Refusal(
        "the referral is closed: please leave a new signal instead"
    )


@pytest.mark.parametrize(
    ("state", "command", "refusal"),
    [
        (
            lambda: in_stage((S.ACCEPTED, None)),
            Accept(MAKELAAR),
            Refusal("accept is not possible while the referral is accepted"),
        ),
        (
            lambda: in_stage((S.IN_PROGRESS, B.CONTACT_MADE)),
            Accept(MAKELAAR),
            Refusal("accept is not possible while the referral is in-progress, contact-made"),
        ),
        (
            lambda: acted(in_stage((S.ACCEPTED, None)), Close(MAKELAAR, CloseOutcome.VERHUISD)),
            Accept(MAKELAAR),
            Refusal("accept is not possible while the referral is closed (cancelled, verhuisd)"),
        ),
        (
            lambda: in_stage((S.REJECTED, None)),
            Accept(MAKELAAR),
            Refusal(
                "accept is not possible while the referral is rejected: waiting for triage to "
                "name the next owner"
            ),
        ),
        (
            lambda: Referral("ref-1"),
            Accept(MAKELAAR),
            Refusal("the referral is not routed to an owner yet"),
        ),
        (
            agreed,
            StartSupport(MAKELAAR, OfferKind.ACTIVITEIT),
            Refusal("the person accepted maatje, not activiteit", RefusalKind.INVALID),
        ),
        (
            lambda: in_stage((S.IN_PROGRESS, B.CONTACT_MADE)),
            StartSupport(MAKELAAR),
            Refusal(
                "no accepted proposal: say which kind of support was arranged",
                RefusalKind.INVALID,
            ),
        ),
        (
            accepted,
            Transfer(MAKELAAR, OWNER, "Zelf", Route.SOCIAAL_MAKELAAR, TransferReason.ANDERS),
            Refusal("a referral cannot be transferred to its own owner", RefusalKind.INVALID),
        ),
    ],
    ids=[
        "accepted",
        "in contact",
        "closed",
        "rejected",
        "not routed",
        "other kind",
        "no kind",
        "to itself",
    ],
)
def test_a_refusal_says_why_in_the_owner_s_words(
    state: Any, command: Command, refusal: Refusal
) -> None:
    assert decide(state(), command, NOW) == refusal


def test_a_proposal_taken_from_matching_is_started_as_proposed() -> None:
    state = acted(proposed(in_stage((S.IN_PROGRESS, B.CONTACT_MADE))), ConfirmSupport(MAKELAAR))
    started = only(state, StartSupport(MAKELAAR, OfferKind.MAATJE))
    assert isinstance(started, SupportStarted) and started.offer_id == OFFER.offer_id
