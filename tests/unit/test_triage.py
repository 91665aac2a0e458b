"""Triage: the grade, urgency, owner and reasons a social broker in Utrecht would expect, for
the examples the documents give themselves (each case cites where: 001 = NIZU 2021, 004 = the
interim evaluation, "issue 9" where the project decided what the documents leave open)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from schakel.contracts import EventEnvelope, new_event
from schakel.contracts.events import ReferralReceived, ReferralTriaged, Signaler
from schakel.contracts.lifecycle import Actor, ConcernRaised, ReferralRegraded, ReferralRejected
from schakel.contracts.vocabulary import (
    ActorRole,
    AgeBand,
    Channel,
    ConcernSource,
    Grade,
    LonelinessKind,
    Observation,
    PrescribedTo,
    RejectReason,
    RiskGroup,
    Route,
    SignalerRole,
    TaskStatus,
    Urgency,
)
from schakel.triage import rules
from schakel.triage.domain import Decision, Facts, triage
from schakel.triage.domain.decide import Fired
from schakel.triage.domain.regrade import regrade
from schakel.triage.domain.reroute import next_owner, rerouted, unknown_referral
from schakel.triage.domain.ruleset import Owner
from schakel.triage.handlers import decide, judge_again, reroute
from tests.fakes.triage import FakeDecisions

Obs = Observation
A = AgeBand
G = Grade
U = Urgency
R = RiskGroup
BOOK = rules.load()

OVERVECHT, ZUILEN, KANALENEILAND, VOGELENBUURT = "3562", "3554", "3526", "3514"
LEIDSCHE_RIJN, VLEUTERWEIDE, OOST, ZUID, BINNENSTAD = "3543", "3452", "3584", "3524", "3512"
NIEUWEGEIN = "3431"  # outside Utrecht: in no district


def signal(*observations: Observation, at: str = OVERVECHT, **extra: Any) -> Facts:
    return Facts(
        channel=extra.pop("channel", Channel.WEBFORMULIER),
        observations=frozenset(observations),
        postcode_area=at,
        **extra,
    )


def prescription(*observations: Observation, at: str = OVERVECHT, **extra: Any) -> Facts:
    return signal(*observations, at=at, channel=Channel.WELZIJN_OP_RECEPT, **extra)


@dataclass(frozen=True)
class Case:
    example: str  # what happens, and where the documents tell it
    facts: Facts
    grade: Grade | None
    urgency: Urgency
    owner: str
    fired: tuple[str, ...]  # rule ids that must be named (others may fire too)
    risk_groups: tuple[RiskGroup, ...] | None = None  # exactly these, when given
    kinds: tuple[LonelinessKind, ...] | None = None  # exactly these, when given


CASES = [
    Case(
        "004 §6 Thuisgekookt: district nurse finds a woman of 80+ living alone without "
        "breakfast at 11; vulnerable, not therefore severely lonely",
        signal(Obs.ONDERVOEDING, Obs.ALLEEN_WONEND, age_band=A.HOOGBEJAARD),
        G.VERHOOGD_RISICO,
        U.DIRECT,
        "buurtteam-overvecht",
        ("urgency.not-eating", "grade.risk.lives-alone", "route.urgent"),
        (R.ALLEENSTAANDE_OUDEREN, R.EENPERSOONSHUISHOUDEN, R.OUDEREN_80_PLUS),
    ),
    Case(
        "004 §6 Thuisgekookt: a woman who is badly undernourished; nothing yet about loneliness",
        signal(Obs.ONDERVOEDING, at=ZUILEN),
        None,
        U.DIRECT,
        "buurtteam-noordwest",
        ("urgency.not-eating", "grade.none", "route.urgent"),
        (),
    ),
    Case(
        "004 §6 Fietskoeriers: hoarse at midday, has not spoken to anyone (Zuilen)",
        signal(Obs.NIET_GESPROKEN, at=ZUILEN),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-noordwest",
        ("grade.light.not-spoken", "route.social-broker"),
        kinds=(LonelinessKind.SOCIAAL,),
    ),
    Case(
        "004 §6 Fietskoeriers: a strange smell at the door (Kanaleneiland)",
        signal(Obs.VERWAARLOZING, at=KANALENEILAND),
        None,
        U.DIRECT,
        "buurtteam-zuidwest",
        ("urgency.self-neglect", "grade.none", "route.urgent"),
    ),
    Case(
        "004 §6 Fietskoeriers: an older man, hard on his feet, complains and distrusts everyone",
        signal(
            Obs.FRUSTRATIE_OF_WANTROUWEN, Obs.FYSIEKE_BEPERKING, at=OOST, age_band=A.HOOGBEJAARD
        ),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-oost",
        ("grade.light.frustration", "grade.risk.physical"),
        (R.FYSIEKE_BEPERKING, R.OUDEREN_80_PLUS),
    ),
    Case(
        "004 §6 Vogelenbuurt: the curtains are often closed, the neighbours hardly see her",
        signal(Obs.GORDIJNEN_DICHT, Obs.WEINIG_CONTACT, at=VOGELENBUURT),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-noordoost",
        ("grade.light.curtains-closed", "grade.light.few-contacts", "route.social-broker"),
    ),
    Case(
        "004 §4.5: a volunteer of 91 living alone dares not go out and has eaten only bread "
        "for weeks",
        signal(
            Obs.DURFT_NIET_NAAR_BUITEN,
            Obs.ONDERVOEDING,
            Obs.ALLEEN_WONEND,
            at=ZUID,
            age_band=A.HOOGBEJAARD,
        ),
        G.VERHOOGD_RISICO,
        U.DIRECT,
        "buurtteam-zuid",
        ("grade.risk.dares-not-go-out", "urgency.not-eating", "risk-group.single-older"),
    ),
    Case(
        "004 §8: an older woman living alone dares not go outside any more (corona)",
        signal(Obs.DURFT_NIET_NAAR_BUITEN, Obs.ALLEEN_WONEND, age_band=A.SENIOR),
        G.VERHOOGD_RISICO,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.risk.dares-not-go-out", "risk-group.single-older", "route.social-broker"),
        (R.ALLEENSTAANDE_OUDEREN, R.EENPERSOONSHUISHOUDEN, R.OUDEREN_70_PLUS),
    ),
    Case(
        "004 §7 Wegwijzer: a life event, the loss of a partner",
        signal(Obs.RECENT_VERLIES, at=LEIDSCHE_RIJN, age_band=A.SENIOR),
        G.VERHOOGD_RISICO,
        U.ROUTINE,
        "sociaal-makelaars-leidsche_rijn",
        ("grade.risk.loss",),
        kinds=(LonelinessKind.EMOTIONEEL,),
    ),
    Case(
        "004 §7 Wegwijzer: someone who says they feel lonely (light to moderate)",
        signal(Obs.VOELT_ZICH_EENZAAM),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.light.feels-lonely",),
    ),
    Case(
        "004 §6 Enik: someone with psychological problems feels life has no purpose",
        signal(Obs.ZINLOOSHEID, Obs.PSYCHISCHE_KWETSBAARHEID, at=ZUILEN),
        G.ERNSTIG,
        U.SPOEDIG,
        "buurtteam-noordwest",
        ("grade.severe.no-purpose", "urgency.no-purpose", "route.urgent"),
        (R.PSYCHISCHE_KWETSBAARHEID,),
        (LonelinessKind.EXISTENTIEEL,),
    ),
    Case(
        "004 §5.4 pilot Overvecht: a GP prescribes welfare for low mood and few contacts",
        prescription(Obs.SOMBER, Obs.WEINIG_CONTACT, djg_score=4),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.light.djg", "grade.light.low-mood", "route.gp-social-broker"),
    ),
    Case(
        "004 §5.4 pilot Zuilen/Ondiep: a GP refers to the exercise broker",
        prescription(
            Obs.FYSIEKE_BEPERKING,
            Obs.WIL_CONTACT,
            at=ZUILEN,
            prescribed_to=PrescribedTo.BEWEEGMAKELAAR,
        ),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "beweegmakelaars-noordwest",
        ("route.gp-exercise-broker",),
    ),
    Case(
        "issue 9: a GP prescription is not sent to the neighbourhood team for its grade alone",
        prescription(Obs.SOMBER, djg_score=6),
        G.ERNSTIG,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.severe.djg", "route.gp-social-broker"),
    ),
    Case(
        "issue 9: an urgent GP prescription goes to the neighbourhood team",
        prescription(Obs.ONDERVOEDING, djg_score=3),
        G.LICHT_TOT_MATIG,
        U.DIRECT,
        "buurtteam-overvecht",
        ("urgency.not-eating", "route.urgent"),
    ),
    Case(
        "001 §5: Welzijn op recept runs in some districts only; a prescription from Leidsche "
        "Rijn goes to its social broker, not to an exercise broker",
        prescription(Obs.WIL_CONTACT, at=LEIDSCHE_RIJN, prescribed_to=PrescribedTo.BEWEEGMAKELAAR),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-leidsche_rijn",
        ("route.gp-outside-welzijn-op-recept",),
    ),
    Case(
        "004 §7 Wegwijzer: a GP measures De Jong Gierveld 1, socially healthy (prevention)",
        prescription(djg_score=1),
        G.PREVENTIE,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.prevention.djg",),
    ),
    Case(
        "issue 9: a signal with no signs is ungraded, not prevention",
        signal(),
        None,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.none", "route.social-broker"),
        (),
        (),
    ),
    Case(
        "004 §4.2/§8: a postcode in no district goes to the coordination point",
        signal(Obs.WEINIG_CONTACT, at=NIEUWEGEIN),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "coordinatiepunt-eenzaamheid",
        ("route.district-unknown",),
    ),
    Case(
        "004 §4.2/§8: urgent and in no district: the coordination point, in hours",
        signal(Obs.ONDERVOEDING, at=NIEUWEGEIN),
        None,
        U.DIRECT,
        "coordinatiepunt-eenzaamheid",
        ("urgency.not-eating", "route.district-unknown"),
    ),
    Case(
        "004 §4: the approach is for Utrechters of 18 and over",
        signal(Obs.WEINIG_CONTACT, age_band=A.ONDER_18),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "coordinatiepunt-eenzaamheid",
        ("route.under-18",),
    ),
    Case(
        "001: a single parent, low in mood (single-parent households are more often lonely)",
        signal(Obs.ALLEENSTAANDE_OUDER, Obs.SOMBER, at=KANALENEILAND, age_band=A.MIDDEN),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-zuidwest",
        ("grade.risk.single-parent", "grade.light.low-mood"),
        (R.EENOUDERGEZINNEN,),
    ),
    Case(
        "001: someone living alone (one-person household), nothing else noticed",
        signal(Obs.ALLEEN_WONEND, age_band=A.OUDER),
        G.VERHOOGD_RISICO,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.risk.lives-alone",),
        (R.EENPERSOONSHUISHOUDEN,),
    ),
    Case(
        "004 §4 (Overvecht: loneliness among migrants) and §4.2: an older migrant who hardly "
        "sees anyone",
        signal(Obs.OUDERE_MIGRANT, Obs.WEINIG_CONTACT, age_band=A.SENIOR),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.risk.older-migrant", "grade.light.few-contacts"),
        (R.OUDEREN_70_PLUS, R.OUDEREN_MET_MIGRATIEACHTERGROND),
    ),
    Case(
        "004 §7: someone without a steady place to sleep",
        signal(Obs.DAK_OF_THUISLOOS, at=BINNENSTAD),
        G.VERHOOGD_RISICO,
        U.ROUTINE,
        "sociaal-makelaars-binnenstad",
        ("grade.risk.homeless",),
        (R.DAK_EN_THUISLOZEN,),
    ),
    Case(
        "004 Tabel 1: a student who cares for her mother (young carer)",
        signal(Obs.MANTELZORGER, at=LEIDSCHE_RIJN, age_band=A.JONG),
        G.VERHOOGD_RISICO,
        U.ROUTINE,
        "sociaal-makelaars-leidsche_rijn",
        ("grade.risk.carer", "risk-group.young-carers", "risk-group.young-adults"),
        (R.JONGE_MANTELZORGERS, R.JONGEREN, R.MANTELZORGERS),
    ),
    Case(
        "004 §4.5: a young adult who would like more contact",
        signal(Obs.WIL_CONTACT, at=OOST, age_band=A.JONG),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-oost",
        ("grade.light.wants-contact", "risk-group.young-adults"),
        (R.JONGEREN,),
    ),
    Case(
        "004 Tabel 1: a carer of fifty-something having a hard time",
        signal(Obs.MANTELZORGER, at=ZUID, age_band=A.OUDER),
        G.VERHOOGD_RISICO,
        U.ROUTINE,
        "sociaal-makelaars-zuid",
        ("grade.risk.carer",),
        (R.MANTELZORGERS,),
    ),
    Case(
        "004 §6 Thuisgekookt: physical limitations and family far away",
        signal(Obs.FYSIEKE_BEPERKING, Obs.FAMILIE_VER_WEG, age_band=A.HOOGBEJAARD),
        G.VERHOOGD_RISICO,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.risk.physical", "grade.risk.family-far"),
        kinds=(LonelinessKind.SOCIAAL,),
    ),
    Case(
        "issue 9: a severe score from an organisation's system is not urgent by itself",
        signal(Obs.WEINIG_CONTACT, channel=Channel.SIGNALERINGS_API, djg_score=5),
        G.ERNSTIG,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.severe.djg", "route.social-broker"),
    ),
    Case(
        "003 (Heerlen's meldpunt for people who feel lonely): someone reports about herself",
        signal(
            Obs.VOELT_ZICH_EENZAAM,
            Obs.WIL_CONTACT,
            at=LEIDSCHE_RIJN,
            channel=Channel.ZELFMELDING,
            age_band=A.MIDDEN,
        ),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-leidsche_rijn",
        ("grade.light.feels-lonely", "grade.light.wants-contact"),
    ),
    Case(
        "004 §6 Fietskoeriers (eyes and ears of the pharmacist): a pharmacist sees a low "
        "widow of 80+ who lives alone",
        signal(Obs.SOMBER, Obs.ALLEEN_WONEND, Obs.RECENT_VERLIES, age_band=A.HOOGBEJAARD),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-overvecht",
        ("grade.light.low-mood", "grade.risk.loss", "grade.risk.lives-alone"),
        kinds=(LonelinessKind.EMOTIONEEL,),
    ),
    Case(
        "issue 9: Vleuterweide belongs to Vleuten-De Meern, not to Leidsche Rijn",
        signal(Obs.WEINIG_CONTACT, at=VLEUTERWEIDE),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-vleuten_de_meern",
        ("route.social-broker",),
    ),
    Case(
        "000/004 §6: the buurtcaravan's Vogelenbuurt (3514) is in Noordoost",
        signal(Obs.FAMILIE_VER_WEG, at=VOGELENBUURT, age_band=A.SENIOR),
        G.VERHOOGD_RISICO,
        U.ROUTINE,
        "sociaal-makelaars-noordoost",
        ("grade.risk.family-far",),
    ),
    Case(
        "004 §6 Enik and Thuisgekookt: severe and urgent at once, each on its own axis",
        signal(Obs.ZINLOOSHEID, Obs.ONDERVOEDING, at=KANALENEILAND),
        G.ERNSTIG,
        U.DIRECT,
        "buurtteam-zuidwest",
        ("grade.severe.no-purpose", "urgency.not-eating", "urgency.no-purpose"),
    ),
    Case(
        "004 §6 and §7: says she is lonely and neglects herself: light grade, urgent follow-up",
        signal(Obs.VOELT_ZICH_EENZAAM, Obs.VERWAARLOZING),
        G.LICHT_TOT_MATIG,
        U.DIRECT,
        "buurtteam-overvecht",
        ("grade.light.feels-lonely", "urgency.self-neglect"),
    ),
    Case(
        "004 §6: not eating and a neglected home: urgent, still ungraded",
        signal(Obs.ONDERVOEDING, Obs.VERWAARLOZING, at=ZUID),
        None,
        U.DIRECT,
        "buurtteam-zuid",
        ("urgency.not-eating", "urgency.self-neglect", "grade.none"),
    ),
    Case(
        "004 §5.4 and §7: a widower in Zuilen on prescription, moderately lonely",
        prescription(Obs.RECENT_VERLIES, at=ZUILEN, djg_score=3),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-noordwest",
        ("grade.light.djg", "grade.risk.loss", "route.gp-social-broker"),
    ),
    Case(
        "issue 9: a prescription to the exercise broker that turns out urgent goes to the "
        "neighbourhood team",
        prescription(Obs.VERWAARLOZING, prescribed_to=PrescribedTo.BEWEEGMAKELAAR),
        None,
        U.DIRECT,
        "buurtteam-overvecht",
        ("route.urgent",),
    ),
    Case(
        "004 §4.5: age alone (70+) names a risk group but gives no grade",
        signal(age_band=A.SENIOR, at=OOST),
        None,
        U.ROUTINE,
        "sociaal-makelaars-oost",
        ("risk-group.70-plus", "grade.none"),
        (R.OUDEREN_70_PLUS,),
    ),
    Case(
        "000/004: the supermarket sees an old man come in twice a day for one thing, to talk",
        signal(Obs.WEINIG_CONTACT, Obs.ALLEEN_WONEND, at=BINNENSTAD, age_band=A.HOOGBEJAARD),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "sociaal-makelaars-binnenstad",
        ("grade.light.few-contacts", "risk-group.80-plus"),
        (R.ALLEENSTAANDE_OUDEREN, R.EENPERSOONSHUISHOUDEN, R.OUDEREN_80_PLUS),
    ),
    Case(
        "004 §4.5: people with mental-health problems see their small network shrink",
        signal(Obs.PSYCHISCHE_KWETSBAARHEID, Obs.DURFT_NIET_NAAR_BUITEN, at=OOST),
        G.VERHOOGD_RISICO,
        U.ROUTINE,
        "sociaal-makelaars-oost",
        ("grade.risk.psychological", "grade.risk.dares-not-go-out"),
        (R.PSYCHISCHE_KWETSBAARHEID,),
    ),
    Case(
        "004 §5.4: the exercise broker only where Welzijn op recept runs: Overvecht",
        prescription(Obs.SOMBER, prescribed_to=PrescribedTo.BEWEEGMAKELAAR),
        G.LICHT_TOT_MATIG,
        U.ROUTINE,
        "beweegmakelaars-overvecht",
        ("route.gp-exercise-broker",),
    ),
]


def test_the_table_has_at_least_forty_examples_from_the_documents() -> None:
    assert len(CASES) >= 40
    assert all(case.example.split(":")[0] for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.example[:70] for c in CASES])
def test_example_from_the_documents(case: Case) -> None:
    decision = triage(case.facts, BOOK)
    assert (decision.grade, decision.urgency, decision.owner_organisation) == (
        case.grade,
        case.urgency,
        case.owner,
    )
    named = [f.rule_id for f in decision.rules_fired]
    assert set(case.fired) <= set(named), named
    assert all(f.reason for f in decision.rules_fired)
    if case.risk_groups is not None:
        assert decision.risk_groups == case.risk_groups
    if case.kinds is not None:
        assert decision.kinds == case.kinds
    assert decision.grade_provisional
    assert decision.rule_set_version == rules.CURRENT


def test_the_route_is_named_last_and_says_where() -> None:
    decision = triage(signal(Obs.WEINIG_CONTACT, at=VOGELENBUURT), BOOK)
    last = decision.rules_fired[-1]
    assert last.rule_id == "route.social-broker"
    assert "Noordoost" in last.reason
    assert decision.route is Route.SOCIAAL_MAKELAAR
    assert (decision.district, decision.district_name) == ("noordoost", "Noordoost")


def test_owners_have_readable_names_naming_an_employer_only_where_the_documents_do() -> None:
    names = {
        at: triage(signal(*obs, at=at), BOOK).owner_name
        for at, obs in (
            (VOGELENBUURT, (Obs.WEINIG_CONTACT,)),
            (OVERVECHT, (Obs.WEINIG_CONTACT,)),
            (KANALENEILAND, (Obs.ONDERVOEDING,)),
        )
    }
    assert names == {
        VOGELENBUURT: "Sociaal makelaars Noordoost (DOCK)",
        OVERVECHT: "Sociaal makelaars Overvecht",
        KANALENEILAND: "Buurtteam Zuidwest (Buurtteamorganisatie Sociaal Utrecht)",
    }


def test_the_coordination_point_must_assign_sooner_when_urgent() -> None:
    routine = triage(signal(Obs.WEINIG_CONTACT, at=NIEUWEGEIN), BOOK)
    urgent = triage(signal(Obs.VERWAARLOZING, at=NIEUWEGEIN), BOOK)
    assert routine.route is urgent.route is Route.COORDINATIEPUNT
    assert routine.district is None and routine.owner_name == "Coördinatiepunt eenzaamheid"
    assert urgent.assign_within_hours is not None and routine.assign_within_hours is not None
    assert urgent.assign_within_hours < routine.assign_within_hours
    assert triage(signal(Obs.WEINIG_CONTACT), BOOK).assign_within_hours is None


def test_the_coordination_point_is_the_deployment_s_own() -> None:
    point = Owner(organisation="meldpunt-14030", name="Meldpunt gemeente Utrecht")
    decision = triage(signal(at=NIEUWEGEIN), rules.load(coordination_point=point))
    assert (decision.owner_organisation, decision.owner_name) == (
        "meldpunt-14030",
        "Meldpunt gemeente Utrecht",
    )


async def test_handler_records_the_decision_and_publishes_triaged_v2() -> None:
    received = ReferralReceived(
        referral_id="ref-9",
        channel=Channel.WEBFORMULIER,
        signaler=Signaler(role=SignalerRole.THUISKOK),
        person_pseudonym="ps-" + "1" * 32,
        postcode_area=KANALENEILAND,
        observations=[Obs.VERWAARLOZING, Obs.VOELT_ZICH_EENZAAM],
        consent_to_contact=True,
        received_at=datetime.now(UTC),
    )
    cause = new_event(received, source="/schakel/intake", subject="ref-9", correlation_id="c-1")
    decisions, emitted = FakeDecisions(), list[EventEnvelope[Any]]()
    await decide(cause, decisions, emitted.append, BOOK)
    saved: Decision = decisions.saved["ref-9"]
    assert saved.owner_organisation == "buurtteam-zuidwest"
    [event] = emitted
    assert event.type == "nl.schakel.referral.triaged.v2"
    assert isinstance(event.data, ReferralTriaged)
    data = event.data
    assert (data.grade, data.urgency, data.route) == (G.LICHT_TOT_MATIG, U.DIRECT, Route.BUURTTEAM)
    assert data.owner_name == "Buurtteam Zuidwest (Buurtteamorganisatie Sociaal Utrecht)"
    assert data.consent_to_contact and data.grade_provisional
    assert [r.rule_id for r in data.rules_fired] == [f.rule_id for f in saved.rules_fired]
    assert (event.subject, event.correlationid, event.causationid) == ("ref-9", "c-1", cause.id)


# --- re-routing after a rejection -----------------------------------------------------------


def test_the_next_owner_skips_those_who_rejected_and_ends_at_the_coordination_point() -> None:
    first = triage(signal(Obs.WEINIG_CONTACT), BOOK)
    assert first.route is Route.SOCIAAL_MAKELAAR
    second = next_owner(BOOK, first, frozenset({first.owner_organisation}))
    assert second.route is Route.BUURTTEAM
    assert second.owner.organisation != first.owner_organisation
    everyone = frozenset({first.owner_organisation, second.owner.organisation})
    last = next_owner(BOOK, first, everyone)
    assert (last.route, last.owner) == (Route.COORDINATIEPUNT, BOOK.coordination_point)
    assert last.assign_within_hours == BOOK.rules.coordination.assign_within_hours[U.ROUTINE]


def test_an_urgent_referral_rejected_by_the_team_goes_to_the_social_brokers() -> None:
    urgent = triage(signal(Obs.VERWAARLOZING), BOOK)
    assert urgent.route is Route.BUURTTEAM
    again = next_owner(BOOK, urgent, frozenset({urgent.owner_organisation}))
    assert again.route is Route.SOCIAAL_MAKELAAR


def test_a_referral_with_no_district_can_only_go_to_the_coordination_point() -> None:
    nowhere = triage(signal(Obs.WEINIG_CONTACT, at=NIEUWEGEIN), BOOK)
    again = next_owner(BOOK, nowhere, frozenset({nowhere.owner_organisation}))
    assert again.owner == BOOK.coordination_point


async def test_a_rejected_referral_is_routed_again_in_the_same_correlation() -> None:
    decisions, emitted = FakeDecisions(), list[EventEnvelope[Any]]()
    signal_event = new_event(
        ReferralReceived(
            referral_id="ref-9",
            channel=Channel.WEBFORMULIER,
            signaler=Signaler(role=SignalerRole.BUURTBEWONER),
            person_pseudonym="ps-" + "b" * 32,
            postcode_area=OVERVECHT,
            observations=[Observation.SOMBER],
            consent_to_contact=True,
            received_at=datetime(2026, 12, 1, tzinfo=UTC),
        ),
        source="/schakel/intake",
        subject="ref-9",
        correlation_id="corr-9",
    )
    await decide(signal_event, decisions, emitted.append, BOOK)
    first = emitted[0].data
    rejected = ReferralRejected(
        referral_id="ref-9",
        actor=Actor(organisation=first.owner_organisation, role=ActorRole.SOCIAAL_MAKELAAR),
        status=TaskStatus.REJECTED,
        status_reason="geen_capaciteit",
        owner_organisation=BOOK.coordination_point.organisation,
        occurred_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        reason=RejectReason.GEEN_CAPACITEIT,
        excluded_organisations=[first.owner_organisation],
    )

    await reroute(
        new_event(rejected, source="/schakel/followup", subject="ref-9", cause=emitted[0]),
        decisions,
        emitted.append,
        BOOK,
    )

    again = emitted[-1].data
    assert isinstance(again, ReferralTriaged) and emitted[-1].correlationid == "corr-9"
    assert again.route is Route.BUURTTEAM and again.owner_organisation != first.owner_organisation
    assert (again.grade, again.urgency, again.consent_to_contact) == (
        first.grade,
        first.urgency,
        True,
    )
    assert f"rejected by {first.owner_organisation}" in again.rules_fired[0].reason


# --- judging again after a concern ----------------------------------------------------------


def test_a_concern_with_signs_of_vulnerability_makes_the_referral_urgent() -> None:
    facts = signal(Obs.WEINIG_CONTACT, age_band=A.HOOGBEJAARD)
    first = triage(facts, BOOK)
    assert first.urgency is U.ROUTINE

    again = regrade(BOOK, first, facts, [Obs.ONDERVOEDING])

    assert again.raised and again.decision.urgency is U.DIRECT
    assert again.decision.owner_organisation == first.owner_organisation  # the owner stays
    assert Obs.WEINIG_CONTACT in again.facts.observations  # the signal's signs still count
    assert "urgency.not-eating" in {f.rule_id for f in again.fired}


def test_a_concern_never_lowers_grade_or_urgency() -> None:
    facts = signal(Obs.VERWAARLOZING, Obs.ZINLOOSHEID)
    first = triage(facts, BOOK)

    again = regrade(BOOK, first, facts, [Obs.WIL_CONTACT])

    assert not again.raised
    assert (again.decision.grade, again.decision.urgency) == (first.grade, first.urgency)


async def test_a_concern_is_judged_with_what_the_signal_said_and_published_as_regraded() -> None:
    decisions, emitted = FakeDecisions(), list[EventEnvelope[Any]]()
    received = ReferralReceived(
        referral_id="ref-7",
        channel=Channel.WEBFORMULIER,
        signaler=Signaler(role=SignalerRole.BUURTBEWONER),
        person_pseudonym="ps-" + "c" * 32,
        postcode_area=OVERVECHT,
        age_band=A.HOOGBEJAARD,
        observations=[Obs.WEINIG_CONTACT],
        consent_to_contact=True,
        received_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    signal_event = new_event(received, source="/schakel/intake", subject="ref-7")
    await decide(signal_event, decisions, emitted.append, BOOK)
    concern = ConcernRaised(
        referral_id="ref-7",
        actor=Actor(organisation="thuisgekookt", role=ActorRole.HULPVERLENER),
        status=TaskStatus.IN_PROGRESS,
        owner_organisation=emitted[0].data.owner_organisation,
        occurred_at=datetime(2026, 12, 2, tzinfo=UTC),
        concern_id="concern-1",
        source=ConcernSource.HULPVERLENER,
        observations=[Obs.VERWAARLOZING],
    )
    cause = new_event(concern, source="/schakel/followup", subject="ref-7")

    await judge_again(cause, decisions, emitted.append, BOOK)

    regraded = emitted[-1].data
    assert isinstance(regraded, ReferralRegraded)
    assert (regraded.urgency, regraded.raised, regraded.concern_id) == (
        U.DIRECT,
        True,
        "concern-1",
    )
    assert emitted[-1].causationid == cause.id
    kept = await decisions.facts("ref-7")
    assert kept is not None and kept.observations == {Obs.WEINIG_CONTACT, Obs.VERWAARLOZING}
    stored = await decisions.decided("ref-7")
    assert stored is not None and stored.urgency is U.DIRECT  # a next concern starts here


def test_a_referral_triage_never_decided_goes_to_the_coordination_point_as_routine() -> None:
    decision = unknown_referral(BOOK, "ref-old")
    point = BOOK.coordination_point
    assert decision == Decision(
        grade=None,
        urgency=U.ROUTINE,
        route=Route.COORDINATIEPUNT,
        owner_organisation=point.organisation,
        owner_name=point.name,
        district=None,
        district_name=None,
        kinds=(),
        risk_groups=(),
        rules_fired=(),
        rule_set_version=BOOK.rules.version,
        assign_within_hours=BOOK.rules.coordination.assign_within_hours[U.ROUTINE],
    )


def test_a_reroute_says_who_rejected_and_why_and_keeps_the_rest() -> None:
    first = triage(signal(Obs.WEINIG_CONTACT), BOOK)
    excluded = frozenset({first.owner_organisation, "b-org"})
    again = rerouted(BOOK, first, excluded, "geen_capaciteit")
    chosen = next_owner(BOOK, first, excluded)
    assert again == replace(
        first,
        route=chosen.route,
        owner_organisation=chosen.owner.organisation,
        owner_name=chosen.owner.name,
        assign_within_hours=chosen.assign_within_hours,
        rules_fired=(
            Fired(
                f"{BOOK.rules.version}#reroute",
                f"re-routed to {chosen.owner.name}: rejected by "
                f"{', '.join(sorted(excluded))} (geen_capaciteit)",
            ),
        ),
    )
    assert chosen.assign_within_hours is None  # a district's owner has no assignment deadline


async def test_a_rejection_of_a_referral_triage_never_decided_goes_to_the_coordination_point() -> (
    None
):
    emitted: list[EventEnvelope[Any]] = []
    rejected = ReferralRejected(
        referral_id="ref-old",
        actor=Actor(organisation="sociaal-makelaars-west", role=ActorRole.SOCIAAL_MAKELAAR),
        status=TaskStatus.REJECTED,
        status_reason="geen_capaciteit",
        owner_organisation=BOOK.coordination_point.organisation,
        occurred_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        reason=RejectReason.GEEN_CAPACITEIT,
        excluded_organisations=["sociaal-makelaars-west"],
    )
    event = new_event(rejected, source="/schakel/followup", subject="ref-old")
    await reroute(event, FakeDecisions(), emitted.append, BOOK)
    [again] = emitted
    assert isinstance(again.data, ReferralTriaged)
    assert (again.data.route, again.data.owner_organisation, again.data.grade) == (
        Route.COORDINATIEPUNT,
        BOOK.coordination_point.organisation,
        None,
    )
