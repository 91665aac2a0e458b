"""What follow-up remembers of a referral after each event, field by field: what the owner's
page, the inbox order and the deadlines read. Each event happens a minute after the one
before, so every time kept can be told from the others."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from schakel.contracts.events import MatchProposed, Waitlisted
from schakel.contracts.lifecycle import (
    Actor,
    ConcernRaised,
    DeadlinePassed,
    ReferralRegraded,
    Wishes,
)
from schakel.contracts.vocabulary import (
    ActorRole,
    CloseOutcome,
    ConcernSource,
    DeadlineKind,
    DeclineReason,
    EscalationLevel,
    Grade,
    HoldReason,
    Observation,
    OfferKind,
    Route,
    TransferReason,
    Urgency,
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
    RecordCheckIn,
    RecordFirstConversation,
    Resume,
    StartSupport,
    TakeProposal,
    Transfer,
)
from schakel.followup.domain.machine import Refusal, decide
from schakel.followup.domain.state import (
    Escalation,
    Facts,
    Proposal,
    Referral,
    Support,
    apply,
    higher_grade,
)
from tests import payloads
from tests.unit.test_followup_machine import (
    MAKELAAR,
    NOW,
    OFFER,
    OTHER_OFFER,
    OWNER,
    SYSTEM,
    received,
)


class Journey:
    """A referral's events applied one a minute, with ids e1, e2…"""

    def __init__(self) -> None:
        self.state: Referral | None = None
        self.count = 0

    @property
    def now(self) -> Any:
        return NOW + timedelta(minutes=self.count)

    @property
    def referral(self) -> Referral:
        assert self.state is not None
        return self.state

    def event(self, payload: Any) -> Referral:
        self.count += 1
        self.state = apply(self.state, payload, f"e{self.count}", self.now)
        return self.state

    def act(self, command: Command) -> Referral:
        decided = decide(self.referral, command, self.now + timedelta(minutes=1))
        assert not isinstance(decided, Refusal), decided
        for event in decided:
            self.event(event)
        return self.referral


def routed() -> Journey:
    journey = Journey()
    journey.event(received())
    journey.event(payloads.triaged("ref-1", grade_provisional=True, assign_within_hours=48))
    return journey


def test_a_signal_and_its_triage_give_the_owner_everything_the_page_shows() -> None:
    journey = routed()
    signal = received()
    assert journey.referral == Referral(
        referral_id="ref-1",
        status=S.REQUESTED,
        owner_organisation=OWNER,
        owner_name="Sociaal makelaars Overvecht",
        route=Route.SOCIAAL_MAKELAAR,
        grade=Grade.LICHT_TOT_MATIG,
        grade_provisional=True,
        urgency=Urgency.ROUTINE,
        district="overvecht",
        district_name="Overvecht",
        triage_reasons=("a reason",),
        facts=Facts(
            channel=signal.channel,
            signaler_role=signal.signaler.role,
            referrer_organisation=None,
            person_pseudonym=signal.person_pseudonym,
            postcode_area="3562",
            age_band=None,
            observations=(),
            djg_score=None,
            consent_to_contact=True,
            received_at=signal.received_at,
        ),
        assigned_at=NOW + timedelta(minutes=2),
        assign_within_hours=48,
        stage_since=NOW + timedelta(minutes=2),
        updated_at=NOW + timedelta(minutes=2),
        version=2,
        history=("e1", "e2"),
    )


def test_each_owner_action_leaves_its_facts_and_the_time_the_stage_began() -> None:
    journey = routed()
    accepted = journey.act(Accept(MAKELAAR))
    assert (accepted.status, accepted.accepted_at) == (S.ACCEPTED, journey.now)
    assert accepted.stage_since == accepted.updated_at == journey.now
    assert accepted.owner_name == "Sociaal makelaars Overvecht"
    journey.act(AttemptContact(MAKELAAR))
    tried = journey.act(AttemptContact(MAKELAAR))
    assert (tried.attempts, tried.business_status) == (2, B.CONTACT_ATTEMPTED)
    assert tried.stage_since == NOW + timedelta(minutes=4)  # the first attempt began the stage
    talked = journey.act(
        RecordFirstConversation(
            MAKELAAR,
            knew_of_signal=False,
            consents_to_support=True,
            wishes=Wishes(kinds=[OfferKind.MAATJE]),
            grade=Grade.ERNSTIG,
        )
    )
    assert (talked.knew_of_signal, talked.consents_to_support) == (False, True)
    assert talked.wishes == Wishes(kinds=[OfferKind.MAATJE])
    assert (talked.grade, talked.grade_provisional) == (Grade.ERNSTIG, False)
    assert talked.version == 6 and talked.history == tuple(f"e{n}" for n in range(1, 7))


def test_a_conversation_without_a_grade_keeps_triage_s_provisional_one() -> None:
    journey = routed()
    journey.act(Accept(MAKELAAR))
    talked = journey.act(RecordFirstConversation(MAKELAAR, True, consents_to_support=False))
    assert (talked.grade, talked.grade_provisional) == (Grade.LICHT_TOT_MATIG, True)
    assert (talked.consents_to_support, talked.consent_to_contact) == (False, False)


def test_matching_s_proposal_keeps_its_score_and_reasons_once_taken() -> None:
    journey = routed()
    journey.act(Accept(MAKELAAR))
    journey.act(RecordFirstConversation(MAKELAAR, True, True))
    waiting = journey.event(
        Waitlisted(referral_id="ref-1", wanted=[OfferKind.MAATJE], reason="vol")
    )
    assert waiting.waitlist_reason == "vol"
    assert waiting.stage_since == NOW + timedelta(minutes=4)  # no stage of its own
    journey.event(MatchProposed(referral_id="ref-1", offer=OFFER, score=0.8, reasons=["dichtbij"]))
    taken = journey.act(TakeProposal(SYSTEM, OFFER))
    assert taken.proposal == Proposal(OFFER, 0.8, ("dichtbij",))
    assert (taken.waitlist_reason, taken.business_status) == (None, B.SUPPORT_PROPOSED)
    declined = journey.act(DeclineSupport(MAKELAAR, DeclineReason.TE_VER_WEG))
    assert declined.declined_offers == (OFFER.offer_id,)
    other = journey.act(TakeProposal(SYSTEM, OTHER_OFFER))
    assert other.proposal == Proposal(OTHER_OFFER, 0.0, ())


def test_support_check_ins_and_the_close_are_kept_with_their_times() -> None:
    journey = routed()
    for command in (
        Accept(MAKELAAR),
        RecordFirstConversation(MAKELAAR, True, True),
        TakeProposal(SYSTEM, OFFER),
        ConfirmSupport(MAKELAAR),
    ):
        journey.act(command)
    started = journey.act(StartSupport(MAKELAAR, helper_code_hash="a1" * 32))
    assert started.support == Support(
        OfferKind.MAATJE, OFFER.offer_id, OFFER.provider_organisation, journey.now
    )
    assert started.helper_code_hash == "a1" * 32
    journey.act(RecordCheckIn(MAKELAAR, djg_score=3))
    checked = journey.act(RecordCheckIn(MAKELAAR))
    assert (checked.check_ins, checked.last_check_in_at) == (2, journey.now)
    closed = journey.act(Close(MAKELAAR, CloseOutcome.HULP_GEKREGEN, djg_score=1))
    assert (closed.outcome, closed.follow_up_djg_score, closed.closed) == (
        CloseOutcome.HULP_GEKREGEN,
        1,
        True,
    )


def test_a_hold_remembers_the_stage_it_interrupted_and_a_resume_forgets_it() -> None:
    journey = routed()
    journey.act(Accept(MAKELAAR))
    journey.act(AttemptContact(MAKELAAR))
    held = journey.act(Hold(MAKELAAR, HoldReason.OPNAME))
    assert (held.status, held.held_from) == (S.ON_HOLD, (S.IN_PROGRESS, B.CONTACT_ATTEMPTED))
    resumed = journey.act(Resume(MAKELAAR))
    assert (resumed.status, resumed.business_status) == (S.IN_PROGRESS, B.CONTACT_ATTEMPTED)
    assert resumed.held_from is None


def test_a_transfer_names_the_new_owner_and_when_it_was_named() -> None:
    journey = routed()
    journey.act(Accept(MAKELAAR))
    moved = journey.act(
        Transfer(
            MAKELAAR,
            "buurtteam-overvecht",
            "Buurtteam Overvecht",
            Route.BUURTTEAM,
            TransferReason.PROFESSIONELE_HULP_NODIG,
        )
    )
    assert (moved.status, moved.owner_organisation, moved.owner_name, moved.route) == (
        S.REQUESTED,
        "buurtteam-overvecht",
        "Buurtteam Overvecht",
        Route.BUURTTEAM,
    )
    assert moved.assigned_at == moved.stage_since == journey.now


def concern(at: Any) -> ConcernRaised:
    return payloads.followed_up(
        ConcernRaised,
        "ref-1",
        S.ACCEPTED,
        actor=Actor(organisation="anoniem", role=ActorRole.SIGNALERINGSPARTNER),
        at=at,
        concern_id="c-1",
        source=ConcernSource.SIGNALER,
        observations=[Observation.WEINIG_CONTACT],
    )


def passed(at: Any) -> DeadlinePassed:
    return payloads.followed_up(
        DeadlinePassed,
        "ref-1",
        S.ACCEPTED,
        actor=SYSTEM,
        at=at,
        deadline_id="d-1",
        kind=DeadlineKind.CONTACT,
        due_at=at,
        level=EscalationLevel.COORDINATOR,
        notify_organisation="coordinatiepunt-eenzaamheid",
        notify_role=ActorRole.COORDINATIEPUNT,
        policy_version="2026.12-1",
        rule_id="r-1",
    )


def test_concerns_and_escalations_call_for_attention_until_the_owner_acts() -> None:
    journey = routed()
    journey.act(Accept(MAKELAAR))
    worried = journey.event(concern(NOW + timedelta(hours=1)))
    worried = journey.event(concern(NOW + timedelta(hours=2)))
    assert (worried.concerns, worried.concern_open) == (2, True)
    assert worried.last_concern_at == NOW + timedelta(hours=2)
    escalated = journey.event(passed(NOW + timedelta(hours=3)))
    assert escalated.escalations == (
        Escalation(
            EscalationLevel.COORDINATOR, "coordinatiepunt-eenzaamheid", NOW + timedelta(hours=3)
        ),
    )
    assert escalated.concern_open  # the system's event is not the owner acting
    acted_on = journey.act(AttemptContact(MAKELAAR))
    assert (acted_on.concern_open, acted_on.concerns) == (False, 2)


def test_a_regrade_only_ever_raises_grade_and_urgency() -> None:
    journey = routed()

    def regraded(grade: Grade | None, urgency: Urgency) -> ReferralRegraded:
        return ReferralRegraded(
            referral_id="ref-1",
            grade=grade,
            urgency=urgency,
            raised=True,
            rules_fired=[],
            rule_set_version="test",
        )

    up = journey.event(regraded(Grade.ERNSTIG, Urgency.SPOEDIG))
    assert (up.grade, up.urgency, up.urgent) == (Grade.ERNSTIG, Urgency.SPOEDIG, True)
    down = journey.event(regraded(Grade.PREVENTIE, Urgency.ROUTINE))
    assert (down.grade, down.urgency) == (Grade.ERNSTIG, Urgency.SPOEDIG)
    assert journey.event(regraded(None, Urgency.DIRECT)).grade == Grade.ERNSTIG
    assert higher_grade(None, Grade.PREVENTIE) == higher_grade(Grade.PREVENTIE, None)
    assert higher_grade(None, None) is None
    assert higher_grade(Grade.VERHOOGD_RISICO, Grade.PREVENTIE) == Grade.VERHOOGD_RISICO


def test_triage_again_regrades_only_a_provisional_grade_and_raises_urgency() -> None:
    journey = routed()
    journey.act(Accept(MAKELAAR))
    journey.act(RecordFirstConversation(MAKELAAR, True, True, grade=Grade.VERHOOGD_RISICO))
    again = journey.event(
        payloads.triaged(
            "ref-1", grade=Grade.ERNSTIG, urgency=Urgency.DIRECT, owner_organisation="elders"
        )
    )
    assert (again.grade, again.grade_provisional) == (Grade.VERHOOGD_RISICO, False)
    assert (again.urgency, again.owner_organisation) == (Urgency.DIRECT, OWNER)
    calmer = journey.event(payloads.triaged("ref-1", urgency=Urgency.ROUTINE))
    assert calmer.urgency == Urgency.DIRECT
    fresh = routed()
    regraded = fresh.event(payloads.triaged("ref-1", grade=Grade.ERNSTIG, grade_provisional=False))
    assert (regraded.grade, regraded.grade_provisional) == (Grade.ERNSTIG, False)
    first = Journey()
    first.event(received())
    urgent = first.event(payloads.triaged("ref-1", urgency=Urgency.SPOEDIG))
    calm = replace(urgent, status=None)
    assert apply(calm, payloads.triaged("ref-1"), "e9", NOW).urgency == Urgency.ROUTINE
