"""Feedback follows what owners did: the FHIR statuses, who accepted, the support started,
the outcome; the signaler's stages move only when someone did something, and the referrer
hears of acceptance, re-routing, support and the outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from schakel.contracts.envelope import EventEnvelope, EventPayload, new_event
from schakel.contracts.events import AcceptedBy
from schakel.contracts.lifecycle import (
    Actor,
    ContactAttempted,
    FirstConversationRecorded,
    PutOnHold,
    ReferralAccepted,
    ReferralClosed,
    ReferralRejected,
    ReferralTransferred,
    SupportStarted,
)
from schakel.contracts.vocabulary import (
    ActorRole,
    CloseOutcome,
    HoldReason,
    OfferKind,
    PlainOutcome,
    ReferrerUpdate,
    RejectReason,
    Route,
    SignalerStage,
    TaskStatus,
    TransferReason,
)
from schakel.contracts.vocabulary import BusinessStatus as B
from schakel.feedback.domain import ReferralState, apply, referrer_update
from tests import payloads
from tests.unit.test_feedback_domain import GP, REFERRAL, received, triaged

OWNER = "buurtteam-overvecht"  # as triaged() routes it
POINT = "coordinatiepunt-eenzaamheid"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(hours: float, payload: EventPayload) -> EventEnvelope[Any]:
    """``payload`` as an event that happened ``hours`` after T0."""
    event = new_event(payload, source="/schakel/followup", subject=REFERRAL, correlation_id="c")
    return event.model_copy(update={"time": T0 + timedelta(hours=hours)})


def accepted(hours: float = 1, owner: str = OWNER, name: str = "Buurtteam Overvecht") -> Any:
    payload = payloads.followed_up(
        ReferralAccepted, REFERRAL, TaskStatus.ACCEPTED, owner=owner, owner_name=name
    )
    return at(hours, payload)


def talked(hours: float = 2) -> EventEnvelope[Any]:
    return at(
        hours,
        payloads.followed_up(
            FirstConversationRecorded,
            REFERRAL,
            TaskStatus.IN_PROGRESS,
            B.CONTACT_MADE,
            owner=OWNER,
            knew_of_signal=True,
            consents_to_support=True,
        ),
    )


def started(hours: float = 3) -> EventEnvelope[Any]:
    return at(
        hours,
        payloads.followed_up(
            SupportStarted,
            REFERRAL,
            TaskStatus.IN_PROGRESS,
            B.SUPPORT_STARTED,
            owner=OWNER,
            kind=OfferKind.MAATJE,
            offer_id="maatje-1",
        ),
    )


def closed(outcome: CloseOutcome, status: TaskStatus, hours: float = 4) -> EventEnvelope[Any]:
    return at(
        hours,
        payloads.followed_up(
            ReferralClosed,
            REFERRAL,
            status,
            B.SUPPORT_STARTED,
            status_reason=outcome.value,
            owner=OWNER,
            outcome=outcome,
            support_kind=OfferKind.MAATJE,
            djg_score=2,
        ),
    )


def fold(*events: EventEnvelope[Any]) -> ReferralState:
    state: ReferralState | None = None
    for event in events:
        state = apply(state, event)
    assert state is not None
    return state


def test_the_signaler_follows_each_thing_someone_did_with_its_date() -> None:
    state = fold(
        received(),
        at(0.5, triaged().data),
        accepted(1),
        talked(2),
        started(3),
        closed(CloseOutcome.HULP_GEKREGEN, TaskStatus.COMPLETED, 4),
    )

    assert [(s.stage, s.at - T0) for s in state.lifecycle.stages[1:]] == [
        (SignalerStage.DOORGEZET, timedelta(hours=0.5)),
        (SignalerStage.OPGEPAKT, timedelta(hours=1)),
        (SignalerStage.IN_CONTACT, timedelta(hours=2)),
        (SignalerStage.HULP_GESTART, timedelta(hours=3)),
        (SignalerStage.AFGESLOTEN, timedelta(hours=4)),
    ]
    assert state.lifecycle.stages[0].stage is SignalerStage.ONTVANGEN
    assert state.signaler_news == (
        SignalerStage.AFGESLOTEN,
        Route.BUURTTEAM,
        PlainOutcome.HULP_GEVONDEN,
    )
    lifecycle = state.lifecycle
    assert (lifecycle.task_status, lifecycle.status_reason) == (
        TaskStatus.COMPLETED,
        "hulp_gekregen",
    )
    assert lifecycle.accepted_by is not None
    assert (lifecycle.accepted_by.organisation, lifecycle.accepted_by.role) == (
        OWNER,
        ActorRole.SOCIAAL_MAKELAAR,
    )
    assert (lifecycle.support_kind, lifecycle.outcome, lifecycle.djg_score) == (
        OfferKind.MAATJE,
        CloseOutcome.HULP_GEKREGEN,
        2,
    )


def test_attempts_and_holds_are_no_news_for_the_signaler() -> None:
    before = fold(received(), triaged(), accepted())
    attempt = payloads.followed_up(
        ContactAttempted,
        REFERRAL,
        TaskStatus.IN_PROGRESS,
        B.CONTACT_ATTEMPTED,
        owner=OWNER,
        attempt=1,
    )
    hold = payloads.followed_up(
        PutOnHold,
        REFERRAL,
        TaskStatus.ON_HOLD,
        B.CONTACT_ATTEMPTED,
        status_reason="opname",
        owner=OWNER,
        reason=HoldReason.OPNAME,
    )
    after = fold(received(), triaged(), accepted(), at(2, attempt), at(3, hold))

    assert after.signaler_news == before.signaler_news
    assert after.lifecycle.task_status is TaskStatus.ON_HOLD


def test_a_plain_outcome_never_says_why_a_referral_ended_without_help() -> None:
    for outcome, status in (
        (CloseOutcome.AFGESLAGEN, TaskStatus.CANCELLED),
        (CloseOutcome.OVERLEDEN, TaskStatus.CANCELLED),
        (CloseOutcome.NIET_BEREIKT, TaskStatus.FAILED),
    ):
        state = fold(received(), triaged(), accepted(), closed(outcome, status))
        assert state.lifecycle.plain_outcome is PlainOutcome.AFGEROND
    referred = fold(
        received(), triaged(), closed(CloseOutcome.ELDERS_VERWEZEN, TaskStatus.COMPLETED)
    )
    assert referred.lifecycle.plain_outcome is PlainOutcome.HULP_GEVONDEN


def rejected() -> EventEnvelope[Any]:
    payload = payloads.followed_up(
        ReferralRejected,
        REFERRAL,
        TaskStatus.REJECTED,
        status_reason="geen_capaciteit",
        owner=POINT,
        actor=Actor(organisation=OWNER, role=ActorRole.SOCIAAL_MAKELAAR),
        reason=RejectReason.GEEN_CAPACITEIT,
        excluded_organisations=[OWNER],
    )
    return at(1, payload)


def rerouted() -> EventEnvelope[Any]:
    payload = payloads.triaged(
        REFERRAL, route=Route.SOCIAAL_MAKELAAR, owner_organisation="sociaal-makelaars-overvecht"
    )
    return at(1.5, payload)


def test_a_rejected_referral_is_owned_by_each_in_turn_and_the_referrer_hears_the_new_owner() -> (
    None
):
    before = fold(received(), triaged(), rejected())
    after = apply(before, rerouted())

    assert before.owner_organisation == POINT and before.stage is SignalerStage.DOORGEZET
    assert after.lifecycle.owners == (OWNER, POINT, "sociaal-makelaars-overvecht")
    assert (after.lifecycle.task_status, after.route) == (
        TaskStatus.REQUESTED,
        Route.SOCIAAL_MAKELAAR,
    )
    update = referrer_update(before, after, rerouted())
    assert update is not None and update.update is ReferrerUpdate.REROUTED
    assert update.owner_organisation == "sociaal-makelaars-overvecht"
    # The rejection itself is not news for the referrer: the coordination point only holds it.
    assert referrer_update(fold(received(), triaged()), before, rejected()) is None


def test_a_transfer_passes_it_on_and_the_new_owner_must_accept_again() -> None:
    transfer = payloads.followed_up(
        ReferralTransferred,
        REFERRAL,
        TaskStatus.REQUESTED,
        owner="sociaal-makelaars-noordwest",
        actor=Actor(organisation=OWNER, role=ActorRole.SOCIAAL_MAKELAAR),
        from_organisation=OWNER,
        to_name="Sociaal makelaars Noordwest",
        to_route=Route.SOCIAAL_MAKELAAR,
        reason=TransferReason.ANDERE_WIJK,
    )
    state = fold(received(), triaged(), accepted(), talked(), at(5, transfer))

    assert state.stage is SignalerStage.DOORGEZET and state.route is Route.SOCIAAL_MAKELAAR
    assert state.lifecycle.accepted_by is None
    assert state.owner_name == "Sociaal makelaars Noordwest"
    assert state.lifecycle.owners == (OWNER, "sociaal-makelaars-noordwest")


def whole_path() -> list[EventEnvelope[Any]]:
    """Received, routed, accepted, talked, support started, closed with help."""
    return [
        received(),
        triaged(),
        accepted(),
        talked(),
        started(),
        closed(CloseOutcome.HULP_GEKREGEN, TaskStatus.COMPLETED),
    ]


def test_the_referrer_hears_who_accepted_the_support_and_the_outcome() -> None:
    steps = whole_path()
    heard = []
    state: ReferralState | None = None
    for step in steps:
        before, state = state, apply(state, step)
        update = referrer_update(before, state, step)
        if update is not None:
            heard.append(update)

    assert [u.update for u in heard] == [
        ReferrerUpdate.ACCEPTED,
        ReferrerUpdate.SUPPORT_STARTED,
        ReferrerUpdate.CLOSED,
    ]
    last = heard[-1]
    assert last.referrer_organisation == GP
    assert last.accepted_by == AcceptedBy(
        organisation=OWNER, name="Buurtteam Overvecht", role="sociaal_makelaar"
    )
    assert (last.support_kind, last.outcome, last.status) == (
        OfferKind.MAATJE,
        CloseOutcome.HULP_GEKREGEN,
        TaskStatus.COMPLETED,
    )


def test_a_public_signal_has_no_referrer_to_tell() -> None:
    public = received().data.model_copy(update={"channel": "webformulier"})
    state = fold(at(0, public), triaged())
    assert referrer_update(state, apply(state, accepted()), accepted()) is None
