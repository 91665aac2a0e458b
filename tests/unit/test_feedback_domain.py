"""The referral read model and what a signaler may see."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from schakel.contracts.envelope import EventEnvelope, EventPayload, new_event
from schakel.contracts.events import (
    FeedbackRecorded,
    MatchProposed,
    Offer,
    ReferralReceived,
    Signaler,
    Waitlisted,
)
from schakel.contracts.lifecycle import ReferralRegraded
from schakel.contracts.vocabulary import (
    Channel,
    Grade,
    OfferKind,
    Route,
    SignalerRole,
    SignalerStage,
    SignalerStatus,
    Urgency,
)
from schakel.feedback.domain import (
    ProposedSupport,
    ReferralState,
    ReferralStatus,
    apply,
    receipt_hash,
)
from schakel.intake.domain import Intake, accept, new_receipt_code
from tests import payloads

REFERRAL = "ref-0042"
PSEUDONYM = "ps-" + "ab" * 16
GP = "huisartsenpraktijk-de-dreef"
OWNER = "buurtteam-overvecht"
RECEIPT = "K7QM-4XPD"


def event(payload: EventPayload) -> EventEnvelope[Any]:
    return new_event(payload, source="/schakel/test", subject=REFERRAL, correlation_id="corr-1")


def received() -> EventEnvelope[Any]:
    return event(
        ReferralReceived(
            referral_id=REFERRAL,
            channel=Channel.WELZIJN_OP_RECEPT,
            signaler=Signaler(role=SignalerRole.HUISARTS, organisation=GP),
            person_pseudonym=PSEUDONYM,
            postcode_area="3563",
            receipt_hash=receipt_hash(RECEIPT),
            received_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        )
    )


def triaged() -> EventEnvelope[Any]:
    return event(
        payloads.triaged(
            REFERRAL,
            grade=Grade.ERNSTIG,
            urgency=Urgency.SPOEDIG,
            route=Route.BUURTTEAM,
            owner_organisation=OWNER,
            owner_name="Buurtteam Overvecht",
        )
    )


def match_proposed() -> EventEnvelope[Any]:
    return event(
        MatchProposed(
            referral_id=REFERRAL,
            score=43.0,
            reasons=["suits grade ernstig"],
            offer=Offer(
                kind=OfferKind.MAATJE,
                offer_id="psy",
                title="Psychiatriemaatje",
                provider_organisation="Humanitas Utrecht",
                district="overvecht",
            ),
        )
    )


def waitlisted() -> EventEnvelope[Any]:
    return event(
        Waitlisted(
            referral_id=REFERRAL,
            wanted=[OfferKind.MAATJE],
            reason="no offer suits grade ernstig in overvecht or city-wide",
        )
    )


def fold(*events: EventEnvelope[Any]) -> tuple[ReferralState, list[SignalerStatus | None]]:
    """The state after ``events``, and after each the (older) signaler status when it
    changed."""
    state: ReferralState | None = None
    changes: list[SignalerStatus | None] = []
    for e in events:
        before = state
        state = apply(state, e)
        news = before is None or state.signaler_status is not before.signaler_status
        changes.append(state.signaler_status if news else None)
    assert state is not None
    return state, changes


def test_a_receipt_intake_gave_out_finds_its_referral_typed_in_lower_case_with_spaces() -> None:
    accepted = accept(
        Intake(
            channel=Channel.WEBFORMULIER,
            signaler_role=SignalerRole.BUURTBEWONER,
            signaler_organisation=None,
            postcode="3562 AB",
            received_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        )
    )
    state = apply(None, event(accepted.event))
    code = accepted.receipt.lower()
    typed = f"  {code[:4]} {code[4:]} "
    assert state is not None and state.receipt_hash == receipt_hash(typed)
    assert receipt_hash(typed) != receipt_hash(new_receipt_code())


def test_a_receipt_from_an_earlier_release_still_finds_its_referral() -> None:
    """The hash is stored in events and read models: the rule may never change."""
    stored = "99079da72593e69ea237e5cf3fca502a3126fbd229e55b1dc2b54b295f9688a4"
    assert receipt_hash(" k7qm-4x pd") == receipt_hash(RECEIPT) == stored


def test_received_referral_is_ontvangen_with_who_sent_it() -> None:
    state, changes = fold(received())

    assert changes == [SignalerStatus.ONTVANGEN]
    assert state.status is ReferralStatus.RECEIVED
    assert state.referrer_organisation == GP
    assert state.signaler_role is SignalerRole.HUISARTS
    assert state.receipt_hash == receipt_hash(RECEIPT)
    assert state.owner_organisation is None


@pytest.mark.parametrize("channel", [Channel.WEBFORMULIER, Channel.ZELFMELDING])
def test_an_organisation_typed_on_the_public_form_refers_nothing(channel: Channel) -> None:
    """Public signals until 2026-12 carried the form's free text as the organisation."""
    signaler = Signaler(role=SignalerRole.APOTHEKER, organisation=GP)
    payload = received().data.model_copy(update={"channel": channel, "signaler": signaler})

    state, _ = fold(event(payload))

    assert state.referrer_organisation is None


def test_the_signaler_follows_the_referral_to_proposed_help() -> None:
    state, changes = fold(received(), triaged(), match_proposed())

    assert changes == [
        SignalerStatus.ONTVANGEN,
        SignalerStatus.IN_BEHANDELING,
        SignalerStatus.HULP_VOORGESTELD,
    ]
    assert state.status is ReferralStatus.MATCH_PROPOSED
    assert state.owner_organisation == OWNER
    assert (state.grade, state.district) == (Grade.ERNSTIG, "overvecht")
    assert state.proposal is not None and state.proposal.title == "Psychiatriemaatje"


def test_waitlist_is_shown_and_cleared_when_help_is_proposed_later() -> None:
    waiting, _ = fold(received(), triaged(), waitlisted())
    helped, changes = fold(received(), triaged(), waitlisted(), match_proposed())

    assert waiting.signaler_status is SignalerStatus.WACHTLIJST
    assert waiting.waitlist_reason is not None and waiting.proposal is None
    assert changes[-1] is SignalerStatus.HULP_VOORGESTELD
    assert helped.waitlist_reason is None


def test_history_lists_every_event_in_order() -> None:
    events = (received(), triaged(), match_proposed())

    state, _ = fold(*events)

    assert [h.event_id for h in state.history] == [e.id for e in events]
    assert [h.type for h in state.history] == [
        "nl.schakel.referral.received.v2",
        "nl.schakel.referral.triaged.v2",
        "nl.schakel.referral.match-proposed.v1",
    ]


def test_the_same_event_twice_changes_nothing() -> None:
    first = received()
    state, _ = fold(first)

    again = apply(state, first)

    assert again is state


def test_a_second_waitlist_decision_is_no_news_for_the_signaler() -> None:
    state, changes = fold(received(), triaged(), waitlisted(), waitlisted())

    assert changes[-1] is None
    assert len(state.history) == 4


def test_status_since_is_when_the_signaler_status_last_changed() -> None:
    state, _ = fold(received(), triaged(), waitlisted())
    later = apply(state, waitlisted())

    assert later.signaler_status is state.signaler_status
    assert later.signaler_status_since == state.signaler_status_since
    assert later.updated_at > state.updated_at


def test_a_history_that_starts_after_received_still_builds_a_read_model() -> None:
    state, changes = fold(triaged())

    assert changes == [SignalerStatus.IN_BEHANDELING]
    assert state.receipt_hash is None and state.owner_organisation == OWNER


def test_feedback_s_own_events_are_not_lifecycle_events() -> None:
    own = event(
        FeedbackRecorded(
            referral_id=REFERRAL,
            stage=SignalerStage.ONTVANGEN,
            caused_by_type="nl.schakel.referral.received.v2",
        )
    )

    with pytest.raises(TypeError):
        apply(None, own)


def test_what_the_read_model_keeps_of_each_pipeline_event() -> None:
    state, _ = fold(received())
    signal = received().data
    assert (state.channel, state.person_pseudonym, state.received_at) == (
        Channel.WELZIJN_OP_RECEPT,
        PSEUDONYM,
        signal.received_at,
    )
    state, _ = fold(received(), triaged())
    assert (state.status, state.signaler_status) == (
        ReferralStatus.TRIAGED,
        SignalerStatus.IN_BEHANDELING,
    )
    assert (state.grade, state.urgency, state.district, state.route) == (
        Grade.ERNSTIG,
        Urgency.SPOEDIG,
        "overvecht",
        Route.BUURTTEAM,
    )
    assert (state.owner_organisation, state.owner_name) == (OWNER, "Buurtteam Overvecht")
    state, _ = fold(received(), triaged(), waitlisted(), match_proposed())
    assert state.proposal == ProposedSupport(
        OfferKind.MAATJE, "Psychiatriemaatje", "Humanitas Utrecht"
    )
    state, _ = fold(received(), triaged(), match_proposed(), waitlisted())
    assert (state.status, state.proposal) == (ReferralStatus.WAITLISTED, None)
    assert state.waitlist_reason == "no offer suits grade ernstig in overvecht or city-wide"


def regraded(grade: Grade | None, urgency: Urgency) -> EventEnvelope[Any]:
    return event(
        ReferralRegraded(
            referral_id=REFERRAL,
            grade=grade,
            urgency=urgency,
            raised=True,
            rules_fired=[],
            rule_set_version="test",
        )
    )


def test_a_regrade_after_a_concern_changes_grade_and_urgency_not_the_signaler_s_status() -> None:
    state, changes = fold(received(), triaged(), regraded(None, Urgency.DIRECT))
    assert (state.grade, state.urgency) == (Grade.ERNSTIG, Urgency.DIRECT)
    assert changes[-1] is None  # nothing new for the signaler
    state, _ = fold(received(), triaged(), regraded(Grade.LICHT_TOT_MATIG, Urgency.ROUTINE))
    assert (state.grade, state.urgency) == (Grade.LICHT_TOT_MATIG, Urgency.ROUTINE)


def test_a_read_model_begun_late_is_received_since_its_first_event() -> None:
    first = triaged()
    state = apply(None, first)
    assert state.referral_id == REFERRAL
    assert state.signaler_status_since == state.updated_at == first.time
    assert state.history[0].event_id == first.id


def test_an_event_feedback_does_not_follow_is_refused() -> None:
    other = received().model_copy(update={"data": object()})
    with pytest.raises(TypeError, match=f"^feedback does not follow {other.type}$"):
        apply(None, other)
