"""Triage: the grade, urgency and owner a social broker would expect from what was noticed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from schakel.contracts import EventEnvelope, new_event
from schakel.contracts.events import ReferralReceived, ReferralTriaged, Signaler
from schakel.contracts.lifecycle import Actor, ReferralRejected
from schakel.contracts.vocabulary import (
    ActorRole,
    AgeBand,
    Channel,
    Grade,
    LonelinessKind,
    Observation,
    RejectReason,
    Route,
    SignalerRole,
    TaskStatus,
    Urgency,
)
from schakel.triage.domain import COORDINATION_POINT, Facts, district_of, next_owner, triage
from schakel.triage.handlers import decide, reroute
from tests.fakes.triage import FakeDecisions

Obs = Observation


def facts(*observations: Observation, **extra: Any) -> Facts:
    return Facts(
        channel=extra.pop("channel", Channel.WEBFORMULIER),
        observations=frozenset(observations),
        **extra,
    )


def test_courier_noticing_malnutrition_in_overvecht_goes_to_the_buurtteam_today() -> None:
    decision = triage(facts(Obs.ONDERVOEDING, Obs.ALLEEN_WONEND, postcode_area="3562"))
    assert decision.grade is Grade.ERNSTIG
    assert decision.urgency is Urgency.DIRECT
    assert decision.district == "overvecht"
    assert decision.owner_organisation == "buurtteam-overvecht"
    assert any("malnutrition" in r for r in decision.reasons)


def test_low_mood_and_few_contacts_is_light_to_moderate_for_the_social_brokers() -> None:
    decision = triage(facts(Obs.SOMBER, Obs.WEINIG_CONTACT, postcode_area="3554"))
    assert decision.grade is Grade.LICHT_TOT_MATIG
    assert decision.owner_organisation == "sociaal-makelaars-noordwest"
    assert set(decision.kinds) == {LonelinessKind.EMOTIONEEL, LonelinessKind.SOCIAAL}
    assert decision.urgency is Urgency.ROUTINE


def test_life_event_alone_is_raised_risk() -> None:
    decision = triage(facts(Obs.RECENT_VERLIES, age_band=AgeBand.HOOGBEJAARD))
    assert decision.grade is Grade.VERHOOGD_RISICO
    assert "ouderen_80_plus" in decision.risk_groups


def test_de_jong_gierveld_score_grades_on_its_own() -> None:
    assert triage(facts(djg_score=1)).grade is Grade.PREVENTIE
    assert triage(facts(djg_score=3)).grade is Grade.LICHT_TOT_MATIG
    assert triage(facts(djg_score=6)).grade is Grade.ERNSTIG


def test_gp_prescription_is_followed_up_soon() -> None:
    decision = triage(facts(Obs.SOMBER, channel=Channel.WELZIJN_OP_RECEPT))
    assert decision.urgency is Urgency.SPOEDIG


def test_unknown_postcode_still_gets_an_owner() -> None:
    assert district_of("9999") is None
    assert triage(facts(postcode_area="9999")).owner_organisation == "sociaal-makelaars-centraal"


async def test_handler_records_the_decision_and_publishes_triaged() -> None:
    received = ReferralReceived(
        referral_id="ref-9",
        channel=Channel.WEBFORMULIER,
        signaler=Signaler(role=SignalerRole.THUISKOK),
        person_pseudonym="ps-" + "1" * 32,
        postcode_area="3526",
        observations=[Obs.VERWAARLOZING],
        received_at=datetime.now(UTC),
    )
    cause = new_event(received, source="/schakel/intake", subject="ref-9", correlation_id="c-1")
    decisions, emitted = FakeDecisions(), list[EventEnvelope[Any]]()
    await decide(cause, decisions, emitted.append)
    assert decisions.saved["ref-9"].owner_organisation == "buurtteam-zuidwest"
    [event] = emitted
    assert isinstance(event.data, ReferralTriaged)
    assert event.data.grade is Grade.ERNSTIG
    assert (event.subject, event.correlationid, event.causationid) == ("ref-9", "c-1", cause.id)


# --- re-routing after a rejection -----------------------------------------------------------


def test_the_next_owner_skips_those_who_rejected_and_ends_at_the_coordination_point() -> None:
    first = next_owner("overvecht", Grade.LICHT_TOT_MATIG, frozenset())
    assert (first.owner_organisation, first.route) == (
        "sociaal-makelaars-overvecht",
        Route.SOCIAAL_MAKELAAR,
    )
    second = next_owner("overvecht", Grade.LICHT_TOT_MATIG, frozenset({first.owner_organisation}))
    assert (second.owner_organisation, second.route) == ("buurtteam-overvecht", Route.BUURTTEAM)
    everyone = frozenset({first.owner_organisation, second.owner_organisation})
    last = next_owner("overvecht", Grade.LICHT_TOT_MATIG, everyone)
    assert (last.owner_organisation, last.route, last.assign_within_hours) == (
        COORDINATION_POINT,
        Route.COORDINATIEPUNT,
        24,
    )
    assert next_owner("overvecht", Grade.ERNSTIG, frozenset()).route is Route.BUURTTEAM


async def test_a_rejected_referral_is_routed_again_in_the_same_correlation() -> None:
    decisions, emitted = FakeDecisions(), list[EventEnvelope[Any]]()
    signal = new_event(
        ReferralReceived(
            referral_id="ref-9",
            channel=Channel.WEBFORMULIER,
            signaler=Signaler(role=SignalerRole.BUURTBEWONER),
            person_pseudonym="ps-" + "b" * 32,
            postcode_area="3562",
            observations=[Observation.SOMBER],
            received_at=datetime(2026, 12, 1, tzinfo=UTC),
        ),
        source="/schakel/intake",
        subject="ref-9",
        correlation_id="corr-9",
    )
    await decide(signal, decisions, emitted.append)
    rejected = ReferralRejected(
        referral_id="ref-9",
        actor=Actor(organisation="sociaal-makelaars-overvecht", role=ActorRole.SOCIAAL_MAKELAAR),
        status=TaskStatus.REJECTED,
        status_reason="geen_capaciteit",
        owner_organisation=COORDINATION_POINT,
        occurred_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        reason=RejectReason.GEEN_CAPACITEIT,
        excluded_organisations=["sociaal-makelaars-overvecht"],
    )

    await reroute(
        new_event(rejected, source="/schakel/followup", subject="ref-9", cause=emitted[0]),
        decisions,
        emitted.append,
    )

    again = emitted[-1]
    assert isinstance(again.data, ReferralTriaged) and again.correlationid == "corr-9"
    assert again.data.owner_organisation == "buurtteam-overvecht"
    assert again.data.grade == emitted[0].data.grade
    assert "rejected by sociaal-makelaars-overvecht" in again.data.rules_fired[0].reason
