"""Follow-up's state machine: every owner action in every stage, allowed or refused, and the
cases an owner would notice, spelled out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schakel.contracts.events import Offer, ReferralReceived, Signaler
from schakel.contracts.lifecycle import (
    Actor,
    LifecycleEvent,
    ReferralClosed,
    ReferralRejected,
    SupportDeclined,
    SupportStarted,
    Wishes,
)
from schakel.contracts.vocabulary import (
    ActorRole,
    Channel,
    CloseOutcome,
    DeclineReason,
    HoldReason,
    OfferKind,
    RejectReason,
    Route,
    SignalerRole,
    TransferReason,
    Urgency,
)
from schakel.contracts.vocabulary import BusinessStatus as B
from schakel.contracts.vocabulary import TaskStatus as S
from schakel.followup.domain.commands import (
    OWNER_ACTIONS,
    Accept,
    AttemptContact,
    Close,
    Command,
    ConfirmSupport,
    DeclineSupport,
    Hold,
    RecordCheckIn,
    RecordFirstConversation,
    RecordProfessionalVisit,
    Reject,
    Resume,
    StartSupport,
    TakeProposal,
    Transfer,
)
from schakel.followup.domain.machine import (
    ALLOWED,
    CLOSED_AS,
    Refusal,
    RefusalKind,
    allowed_actions,
    decide,
)
from schakel.followup.domain.state import Referral, apply
from tests import payloads

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OWNER = "sociaal-makelaars-overvecht"
COORDINATION_POINT = "coordinatiepunt-eenzaamheid"
MAKELAAR = Actor(organisation=OWNER, role=ActorRole.SOCIAAL_MAKELAAR)
SYSTEM = Actor(organisation="schakel", role=ActorRole.SYSTEEM)
OFFER = Offer(
    kind=OfferKind.MAATJE,
    offer_id="maatje-humanitas-bezoek",
    title="Bezoekmaatje",
    provider_organisation="Humanitas Utrecht",
)
OTHER_OFFER = OFFER.model_copy(update={"offer_id": "maatje-senior-student"})


def step(state: Referral | None, payload: Any) -> Referral:
    return apply(state, payload, str(uuid.uuid4()), NOW)


def received(consent: bool = True) -> ReferralReceived:
    return ReferralReceived(
        referral_id="ref-1",
        channel=Channel.WEBFORMULIER,
        signaler=Signaler(role=SignalerRole.APOTHEKER, organisation="apotheek-overvecht"),
        person_pseudonym="ps-" + "a" * 32,
        postcode_area="3562",
        consent_to_contact=consent,
        received_at=NOW - timedelta(hours=1),
    )


def routed(consent: bool = True, urgency: Urgency = Urgency.ROUTINE) -> Referral:
    state = step(None, received(consent))
    return step(state, payloads.triaged("ref-1", urgency=urgency, consent_to_contact=consent))


def acted(state: Referral, *commands: Command) -> Referral:
    for command in commands:
        decided = decide(state, command, NOW)
        assert not isinstance(decided, Refusal), decided
        for event in decided:
            state = step(state, event)
    return state


def proposed(state: Referral, offer: Offer = OFFER) -> Referral:
    return acted(state, TakeProposal(SYSTEM, offer))


CONVERSATION = RecordFirstConversation(
    MAKELAAR, knew_of_signal=True, consents_to_support=True, wishes=Wishes(kinds=[OfferKind.MAATJE])
)
VISIT = RecordProfessionalVisit(MAKELAAR)
NO_CONSENT_CONVERSATION = RecordFirstConversation(
    MAKELAAR, knew_of_signal=False, consents_to_support=False
)


def in_stage(stage: tuple[S, B | None], consent: bool = True, urgent: bool = False) -> Referral:
    """A referral brought to ``stage`` through the actions that lead there."""
    status, business = stage
    start = routed(consent, Urgency.DIRECT if urgent else Urgency.ROUTINE)
    paths: dict[tuple[S, B | None], list[Command]] = {
        (S.REQUESTED, None): [],
        (S.ACCEPTED, None): [Accept(MAKELAAR)],
        (S.ACCEPTED, B.NO_CONSENT): [Accept(MAKELAAR)],
        (S.IN_PROGRESS, B.CONTACT_ATTEMPTED): [Accept(MAKELAAR), AttemptContact(MAKELAAR)],
        (S.IN_PROGRESS, B.NO_CONSENT): [Accept(MAKELAAR), NO_CONSENT_CONVERSATION],
        (S.IN_PROGRESS, B.PROFESSIONAL_VISIT): [
            Accept(MAKELAAR),
            RecordProfessionalVisit(MAKELAAR),
        ],
        (S.IN_PROGRESS, B.CONTACT_MADE): [Accept(MAKELAAR), CONVERSATION],
        (S.IN_PROGRESS, B.SUPPORT_PROPOSED): [Accept(MAKELAAR), CONVERSATION],
        (S.IN_PROGRESS, B.SUPPORT_DECLINED): [Accept(MAKELAAR), CONVERSATION],
        (S.IN_PROGRESS, B.SUPPORT_ACCEPTED): [Accept(MAKELAAR), CONVERSATION],
        (S.IN_PROGRESS, B.SUPPORT_STARTED): [Accept(MAKELAAR), CONVERSATION],
        (S.IN_PROGRESS, B.CHECK_IN_DONE): [Accept(MAKELAAR), CONVERSATION],
        (S.REJECTED, None): [Reject(MAKELAAR, RejectReason.GEEN_CAPACITEIT, COORDINATION_POINT)],
    }
    state = acted(start, *paths[stage])
    after_proposal: dict[B | None, list[Command]] = {
        B.SUPPORT_DECLINED: [DeclineSupport(MAKELAAR, DeclineReason.TE_VER_WEG)],
        B.SUPPORT_ACCEPTED: [ConfirmSupport(MAKELAAR)],
        B.SUPPORT_STARTED: [ConfirmSupport(MAKELAAR), StartSupport(MAKELAAR)],
        B.CHECK_IN_DONE: [
            ConfirmSupport(MAKELAAR),
            StartSupport(MAKELAAR),
            RecordCheckIn(MAKELAAR),
        ],
        B.SUPPORT_PROPOSED: [],
    }
    if business in after_proposal:
        state = acted(proposed(state), *after_proposal[business])
    assert (state.status, state.business_status) == (status, business)
    return state


def command_for(action: str) -> Command:
    commands: dict[str, Command] = {
        "accept": Accept(MAKELAAR),
        "reject": Reject(MAKELAAR, RejectReason.BUITEN_WERKGEBIED, COORDINATION_POINT),
        "transfer": Transfer(
            MAKELAAR,
            "buurtteam-overvecht",
            "Buurtteam Overvecht",
            Route.BUURTTEAM,
            TransferReason.PROFESSIONELE_HULP_NODIG,
        ),
        "attempt_contact": AttemptContact(MAKELAAR),
        "record_first_conversation": CONVERSATION,
        "record_professional_visit": RecordProfessionalVisit(MAKELAAR),
        "confirm_support": ConfirmSupport(MAKELAAR),
        "decline_support": DeclineSupport(MAKELAAR, DeclineReason.PAST_NIET_BIJ_WENS),
        "start_support": StartSupport(MAKELAAR, kind=OfferKind.ACTIVITEIT),
        "record_check_in": RecordCheckIn(MAKELAAR, djg_score=2),
        "put_on_hold": Hold(MAKELAAR, HoldReason.OPNAME),
        "resume": Resume(MAKELAAR),
        "close": Close(MAKELAAR, CloseOutcome.HULP_GEKREGEN, djg_score=1),
    }
    return commands[action]


# Where each allowed action leads, from any stage that allows it: (status, business status);
# None for business: "as before".
LEADS_TO: dict[str, tuple[S, B | None] | None] = {
    "accept": (S.ACCEPTED, None),
    "reject": (S.REJECTED, None),
    "transfer": (S.REQUESTED, None),
    "attempt_contact": (S.IN_PROGRESS, B.CONTACT_ATTEMPTED),
    "record_first_conversation": (S.IN_PROGRESS, B.CONTACT_MADE),
    "record_professional_visit": (S.IN_PROGRESS, B.PROFESSIONAL_VISIT),
    "confirm_support": (S.IN_PROGRESS, B.SUPPORT_ACCEPTED),
    "decline_support": (S.IN_PROGRESS, B.SUPPORT_DECLINED),
    "start_support": (S.IN_PROGRESS, B.SUPPORT_STARTED),
    "record_check_in": (S.IN_PROGRESS, B.CHECK_IN_DONE),
    "put_on_hold": None,
    "resume": None,
    "close": None,
}

STAGES = [*ALLOWED, (S.ON_HOLD, None), *((s, None) for s in set(CLOSED_AS.values()))]
ACTIONS = [c.action for c in OWNER_ACTIONS]


def stage_state(stage: tuple[S, B | None]) -> Referral:
    """A referral in ``stage``, urgent, and without consent only where the stage is about it."""
    status = stage[0]
    if status is S.ON_HOLD:
        return acted(in_stage((S.ACCEPTED, None)), Hold(MAKELAAR, HoldReason.AFWEZIG))
    if status in CLOSED_AS.values():
        outcome = next(o for o, s in CLOSED_AS.items() if s is status)
        return acted(in_stage((S.ACCEPTED, None)), Close(MAKELAAR, outcome))
    without_consent = stage in ((S.ACCEPTED, B.NO_CONSENT), (S.IN_PROGRESS, B.PROFESSIONAL_VISIT))
    return in_stage(stage, consent=not without_consent, urgent=True)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("stage", STAGES, ids=lambda s: f"{s[0].value}/{s[1] or '-'}")
def test_every_action_in_every_stage_is_allowed_exactly_as_the_table_says(
    stage: tuple[S, B | None], action: str
) -> None:
    state = stage_state(stage)
    table = (
        ALLOWED.get((state.status, state.business_status), frozenset())
        if state.status is not S.ON_HOLD
        else frozenset({"resume", "close"})
    )
    command = command_for(action)
    if action == "start_support" and state.business_status is B.SUPPORT_ACCEPTED:
        command = StartSupport(MAKELAAR)  # what the person accepted
    decided = decide(state, command, NOW)

    if action not in table:
        assert isinstance(decided, Refusal), decided
        assert decided.kind is RefusalKind.CONFLICT
        assert action in decided.reason or "not routed" in decided.reason
        return
    assert not isinstance(decided, Refusal), decided
    [event] = decided
    assert isinstance(event, LifecycleEvent)
    assert event.actor == MAKELAAR and event.occurred_at == NOW
    after = step(state, event)
    expected = LEADS_TO[action]
    if expected is not None:
        assert (after.status, after.business_status) == expected
    assert after.status is event.status and after.business_status is event.business_status


def test_a_refused_action_changes_nothing_and_says_what_is_possible() -> None:
    state = in_stage((S.REQUESTED, None))

    refused = decide(state, Close(MAKELAAR, CloseOutcome.HULP_GEKREGEN), NOW)

    assert refused == Refusal("close is not possible while the referral is requested")
    assert allowed_actions(state) == ["accept", "reject", "transfer"]


def test_the_plain_path_from_requested_to_completed() -> None:
    state = acted(
        routed(),
        Accept(MAKELAAR),
        AttemptContact(MAKELAAR),
        AttemptContact(MAKELAAR),
        CONVERSATION,
    )
    assert state.attempts == 2 and state.wishes == Wishes(kinds=[OfferKind.MAATJE])
    state = acted(proposed(state), ConfirmSupport(MAKELAAR), StartSupport(MAKELAAR))
    assert state.support is not None and state.support.kind is OfferKind.MAATJE
    closing = decide(state, Close(MAKELAAR, CloseOutcome.HULP_GEKREGEN, djg_score=2), NOW)

    assert not isinstance(closing, Refusal)
    [closed] = closing
    assert isinstance(closed, ReferralClosed)
    assert (closed.status, closed.status_reason) == (S.COMPLETED, "hulp_gekregen")
    assert closed.support_kind is OfferKind.MAATJE and closed.djg_score == 2
    assert allowed_actions(step(state, closed)) == []


@pytest.mark.parametrize(("outcome", "status"), list(CLOSED_AS.items()))
def test_each_outcome_closes_with_the_fhir_status_it_means(
    outcome: CloseOutcome, status: S
) -> None:
    state = acted(in_stage((S.ACCEPTED, None)), Close(MAKELAAR, outcome))
    assert (state.status, state.status_reason, state.outcome) == (status, outcome.value, outcome)


def test_a_rejection_hands_the_referral_to_the_coordination_point_never_ownerless() -> None:
    state = acted(routed(), Reject(MAKELAAR, RejectReason.GEEN_CAPACITEIT, COORDINATION_POINT))
    assert state.status is S.REJECTED and state.status_reason == "geen_capaciteit"
    assert state.owner_organisation == COORDINATION_POINT
    assert allowed_actions(state) == []
    rerouted = step(
        state,
        payloads.triaged(
            "ref-1",
            owner_organisation="buurtteam-overvecht",
            owner_name="Buurtteam Overvecht",
            route=Route.BUURTTEAM,
        ),
    )
    assert (rerouted.status, rerouted.owner_organisation) == (S.REQUESTED, "buurtteam-overvecht")
    second = decide(
        rerouted,
        Reject(
            Actor(organisation="buurtteam-overvecht", role=ActorRole.SOCIAAL_MAKELAAR),
            RejectReason.BUITEN_WERKGEBIED,
            COORDINATION_POINT,
        ),
        NOW,
    )
    assert not isinstance(second, Refusal)
    [event] = second
    assert isinstance(event, ReferralRejected)
    assert event.excluded_organisations == [OWNER, "buurtteam-overvecht"]


def test_the_coordination_point_cannot_reject_it_transfers() -> None:
    point = Actor(organisation=COORDINATION_POINT, role=ActorRole.COORDINATIEPUNT)
    state = step(
        step(None, received()),
        payloads.triaged(
            "ref-1",
            owner_organisation=COORDINATION_POINT,
            owner_name="Coördinatiepunt",
            route=Route.COORDINATIEPUNT,
            assign_within_hours=24,
        ),
    )
    refused = decide(state, Reject(point, RejectReason.ANDERS, COORDINATION_POINT), NOW)
    assert isinstance(refused, Refusal) and "transfer it instead" in refused.reason


def test_transfer_makes_the_other_organisation_the_owner_asked_to_accept() -> None:
    state = acted(in_stage((S.IN_PROGRESS, B.CONTACT_ATTEMPTED)), command_for("transfer"))
    assert (state.status, state.owner_organisation, state.route) == (
        S.REQUESTED,
        "buurtteam-overvecht",
        Route.BUURTTEAM,
    )
    to_self = Transfer(MAKELAAR, OWNER, "ons", Route.SOCIAAL_MAKELAAR, TransferReason.ANDERS)
    refused = decide(in_stage((S.ACCEPTED, None)), to_self, NOW)
    assert isinstance(refused, Refusal) and refused.kind is RefusalKind.INVALID


def test_without_consent_the_owner_may_only_close_or_when_urgent_visit() -> None:
    routine = acted(routed(consent=False), Accept(MAKELAAR))
    assert routine.business_status is B.NO_CONSENT
    assert allowed_actions(routine) == ["transfer", "put_on_hold", "close"]
    urgent = acted(routed(consent=False, urgency=Urgency.DIRECT), Accept(MAKELAAR))
    assert "record_professional_visit" in allowed_actions(urgent)
    refused = decide(routine, RecordProfessionalVisit(MAKELAAR), NOW)
    assert isinstance(refused, Refusal)
    visited = acted(urgent, RecordProfessionalVisit(MAKELAAR))
    assert "record_first_conversation" in allowed_actions(visited)  # consent may be asked there


def test_no_proposal_is_taken_before_the_first_conversation_or_without_consent() -> None:
    for state in (
        in_stage((S.ACCEPTED, None)),
        in_stage((S.IN_PROGRESS, B.NO_CONSENT), urgent=True),
        in_stage((S.IN_PROGRESS, B.SUPPORT_STARTED)),
    ):
        assert isinstance(decide(state, TakeProposal(SYSTEM, OFFER), NOW), Refusal)


def test_a_declined_offer_is_never_taken_again_but_another_is() -> None:
    declined = acted(
        proposed(in_stage((S.IN_PROGRESS, B.CONTACT_MADE))),
        DeclineSupport(MAKELAAR, DeclineReason.TE_VER_WEG),
    )
    assert declined.declined_offers == (OFFER.offer_id,)
    assert isinstance(decide(declined, TakeProposal(SYSTEM, OFFER), NOW), Refusal)
    again = proposed(declined, OTHER_OFFER)
    assert again.business_status is B.SUPPORT_PROPOSED
    assert again.proposal is not None and again.proposal.offer == OTHER_OFFER
    second = decide(again, DeclineSupport(MAKELAAR, DeclineReason.ANDERS), NOW)
    assert not isinstance(second, Refusal)
    [event] = second
    assert isinstance(event, SupportDeclined)
    assert event.declined_offers == [OFFER.offer_id, OTHER_OFFER.offer_id]


def test_hold_and_resume_return_to_where_it_was() -> None:
    before = in_stage((S.IN_PROGRESS, B.SUPPORT_STARTED))
    held = acted(before, Hold(MAKELAAR, HoldReason.OPNAME))
    assert (held.status, held.status_reason, held.business_status) == (
        S.ON_HOLD,
        "opname",
        B.SUPPORT_STARTED,
    )
    assert allowed_actions(held) == ["resume", "close"]
    resumed = acted(held, Resume(MAKELAAR))
    assert (resumed.status, resumed.business_status, resumed.status_reason) == (
        S.IN_PROGRESS,
        B.SUPPORT_STARTED,
        None,
    )


def test_support_arranged_without_matching_needs_its_kind() -> None:
    state = in_stage((S.IN_PROGRESS, B.CONTACT_MADE))
    refused = decide(state, StartSupport(MAKELAAR), NOW)
    assert isinstance(refused, Refusal) and refused.kind is RefusalKind.INVALID
    decided = decide(state, StartSupport(MAKELAAR, kind=OfferKind.CURSUS), NOW)
    assert not isinstance(decided, Refusal)
    [started] = decided
    assert isinstance(started, SupportStarted)
    assert (started.kind, started.offer_id) == (OfferKind.CURSUS, None)
    accepted = in_stage((S.IN_PROGRESS, B.SUPPORT_ACCEPTED))
    wrong_kind = decide(accepted, StartSupport(MAKELAAR, kind=OfferKind.CURSUS), NOW)
    assert isinstance(wrong_kind, Refusal) and "accepted maatje" in wrong_kind.reason


def test_an_event_applied_twice_counts_once() -> None:
    state = in_stage((S.ACCEPTED, None))
    decided = decide(state, AttemptContact(MAKELAAR), NOW)
    assert not isinstance(decided, Refusal)
    once = apply(state, decided[0], "ev-1", NOW)
    assert apply(once, decided[0], "ev-1", NOW) is once
    assert once.attempts == 1 and once.version == state.version + 1


def test_nothing_is_possible_before_triage_named_an_owner() -> None:
    state = step(None, received())
    assert allowed_actions(state) == []
    assert isinstance(decide(state, Accept(MAKELAAR), NOW), Refusal)


def test_triage_again_after_acceptance_never_takes_the_referral_away() -> None:
    state = in_stage((S.ACCEPTED, None))
    again = step(
        state,
        payloads.triaged("ref-1", owner_organisation="buurtteam-overvecht", urgency=Urgency.DIRECT),
    )
    assert (again.status, again.owner_organisation) == (S.ACCEPTED, OWNER)
    assert again.urgency is Urgency.DIRECT  # urgency only ever rises
