"""Matching rules as a social broker in Utrecht would check them against the Wegwijzer and
the evaluation's Table 1 (004 §7): what gets proposed, what never is, and why."""

from __future__ import annotations

from dataclasses import replace

from schakel.contracts.vocabulary import Grade, LonelinessKind, OfferKind, RiskGroup, Route, Urgency
from schakel.matching.demo_offers import DEMO_OFFERS
from schakel.matching.domain import (
    UNGRADED,
    MaatjeType,
    Need,
    Offer,
    Proposal,
    WaitlistDecision,
    propose,
    wanted_kinds,
)

ALL_GRADES = frozenset(Grade)
LM, ERNSTIG = Grade.LICHT_TOT_MATIG, Grade.ERNSTIG


def offer(
    offer_id: str,
    kind: OfferKind,
    *,
    district: str | None = None,
    grades: frozenset[Grade] = ALL_GRADES,
    places: int | None = 3,
    maatje_type: MaatjeType | None = None,
    groups: frozenset[RiskGroup] = frozenset(),
    only_for: bool = False,
) -> Offer:
    return Offer(
        offer_id=offer_id,
        kind=kind,
        title=offer_id,
        provider_organisation="DOCK",
        district=district,
        grades=grades,
        places_left=places,
        maatje_type=maatje_type,
        risk_groups=groups,
        only_for_risk_groups=only_for,
    )


def need(
    grade: Grade | None,
    district: str | None = "overvecht",
    urgency: Urgency = Urgency.ROUTINE,
    risk_groups: frozenset[RiskGroup] = frozenset(),
    kinds: frozenset[LonelinessKind] = frozenset(),
    consent: bool = True,
) -> Need:
    return Need(
        grade=grade,
        urgency=urgency,
        district=district,
        risk_groups=risk_groups,
        kinds=kinds,
        consent_to_contact=consent,
    )


def proposed(outcome: Proposal | WaitlistDecision) -> Offer:
    assert isinstance(outcome, Proposal), outcome
    return outcome.offer


def test_severe_loneliness_gets_the_recovery_college_not_a_buddy() -> None:
    outcome = propose(need(ERNSTIG), list(DEMO_OFFERS))

    chosen = proposed(outcome)
    assert chosen.offer_id == "herstel-enik-recovery-college"
    assert isinstance(outcome, Proposal)
    assert "walk-in: no referral needed, no waiting list" in outcome.reasons


def test_severe_loneliness_of_a_homeless_person_gets_the_safety_net_first() -> None:
    homeless = need(ERNSTIG, risk_groups=frozenset({RiskGroup.DAK_EN_THUISLOZEN}))

    assert proposed(propose(homeless, list(DEMO_OFFERS))).kind is OfferKind.ACHTERVANG


def test_a_buddy_is_never_the_first_answer_for_severe_loneliness() -> None:
    buddy = offer("a-buddy", OfferKind.MAATJE, district="overvecht")
    recovery = offer("z-recovery", OfferKind.HERSTELWERKPLAATS)

    assert proposed(propose(need(ERNSTIG), [buddy, recovery])).offer_id == "z-recovery"
    assert OfferKind.MAATJE not in wanted_kinds(need(ERNSTIG))


def test_a_walk_in_offer_is_never_full_and_holds_no_place() -> None:
    walk_in = offer("a-inloop", OfferKind.ACTIVITEIT, places=None)
    full = offer("b-full", OfferKind.ACTIVITEIT, district="overvecht", places=0)

    outcome = propose(need(Grade.PREVENTIE), [walk_in, full])

    assert proposed(outcome).walk_in
    assert isinstance(outcome, Proposal)
    assert "walk-in: no referral needed, no waiting list" in outcome.reasons


def test_a_home_cook_is_never_the_answer_to_an_urgent_signal() -> None:
    cook = offer("kok", OfferKind.THUISGEKOOKT, district="overvecht")

    for urgency in (Urgency.DIRECT, Urgency.SPOEDIG):
        outcome = propose(need(LM, urgency=urgency), [cook])
        assert isinstance(outcome, WaitlistDecision)
        assert outcome.reason == "no offer suits grade licht_tot_matig in overvecht or city-wide"
        assert OfferKind.THUISGEKOOKT not in outcome.wanted


def test_a_home_cook_only_with_the_person_s_consent() -> None:
    cook = offer("kok", OfferKind.THUISGEKOOKT, district="overvecht")

    assert isinstance(propose(need(LM, consent=False), [cook]), WaitlistDecision)
    assert proposed(propose(need(LM, consent=True), [cook])).offer_id == "kok"


def test_demo_home_cooks_suit_light_to_moderate_loneliness_only() -> None:
    cooks = [o for o in DEMO_OFFERS if o.kind is OfferKind.THUISGEKOOKT]

    assert cooks and all(o.grades == {LM} for o in cooks)
    assert all(o.provider_organisation == "Stichting Thuisgekookt" for o in cooks)


def test_light_to_moderate_prefers_buddy_then_peers_and_courses_then_home_cook() -> None:
    buddy = offer("maatje", OfferKind.MAATJE, maatje_type=MaatjeType.BEZOEKMAATJE)
    course = offer("cursus", OfferKind.CURSUS, district="overvecht")
    cook = offer("kok", OfferKind.THUISGEKOOKT, district="overvecht")
    activity = offer("activiteit", OfferKind.ACTIVITEIT, district="overvecht")

    assert proposed(propose(need(LM), [activity, cook, course, buddy])).kind is OfferKind.MAATJE
    assert proposed(propose(need(LM), [activity, cook, course])).kind is OfferKind.CURSUS
    assert proposed(propose(need(LM), [activity, cook])).kind is OfferKind.THUISGEKOOKT


def test_prevention_prefers_an_activity_over_a_buddy() -> None:
    buddy = offer("a-buddy", OfferKind.MAATJE, district="overvecht")
    activity = offer("z-activity", OfferKind.ACTIVITEIT)

    assert proposed(propose(need(Grade.PREVENTIE), [buddy, activity])).kind is OfferKind.ACTIVITEIT


def test_an_offer_made_only_for_a_risk_group_is_proposed_to_that_group_only() -> None:
    psych = frozenset({RiskGroup.PSYCHISCHE_KWETSBAARHEID})
    psychiatry = offer("a-psy", OfferKind.MAATJE, groups=psych, only_for=True)
    phone = offer("z-bel", OfferKind.MAATJE)

    assert proposed(propose(need(LM), [psychiatry, phone])).offer_id == "z-bel"
    outcome = propose(need(LM, risk_groups=psych), [psychiatry, phone])
    assert proposed(outcome).offer_id == "a-psy"
    assert isinstance(outcome, Proposal) and "made for psychische_kwetsbaarheid" in outcome.reasons


def test_a_young_carer_gets_the_experience_buddy_of_handje_helpen() -> None:
    young_carer = need(
        LM,
        risk_groups=frozenset(
            {RiskGroup.JONGE_MANTELZORGERS, RiskGroup.MANTELZORGERS, RiskGroup.JONGEREN}
        ),
    )

    chosen = proposed(propose(young_carer, list(DEMO_OFFERS)))

    assert chosen.maatje_type is MaatjeType.ERVARINGSMAATJE
    assert chosen.provider_organisation == "Handje Helpen"


def test_existential_loneliness_gets_the_buddy_for_meaning_in_life() -> None:
    existential = need(LM, kinds=frozenset({LonelinessKind.EXISTENTIEEL}))

    chosen = proposed(propose(existential, list(DEMO_OFFERS)))

    assert chosen.offer_id == "maatje-bezoek-zin-in-utrecht"


def test_nothing_is_proposed_before_the_owner_has_talked_with_an_ungraded_person() -> None:
    assert propose(need(None), list(DEMO_OFFERS)) == UNGRADED
    assert UNGRADED.wanted == ()


def test_a_full_offer_is_never_proposed() -> None:
    full = offer("a-full", OfferKind.ACTIVITEIT, district="overvecht", places=0)
    open_ = offer("b-open", OfferKind.ACTIVITEIT, district="overvecht", places=1)

    assert proposed(propose(need(Grade.PREVENTIE), [full, open_])).offer_id == "b-open"


def test_only_full_offers_mean_waitlist_saying_they_are_full() -> None:
    full = offer("a-full", OfferKind.ACTIVITEIT, district="overvecht", places=0)

    outcome = propose(need(Grade.PREVENTIE), [full])

    assert isinstance(outcome, WaitlistDecision)
    assert "full" in outcome.reason
    assert outcome.wanted == (OfferKind.ACTIVITEIT,)


def test_no_suitable_offer_at_all_is_named_as_a_gap() -> None:
    only_mild = offer("a", OfferKind.ACTIVITEIT, grades=frozenset({Grade.PREVENTIE}))

    outcome = propose(need(ERNSTIG), [only_mild])

    assert isinstance(outcome, WaitlistDecision)
    assert outcome.reason == "no offer suits grade ernstig in overvecht or city-wide"
    assert outcome.wanted == (
        OfferKind.ACHTERVANG,
        OfferKind.HERSTELWERKPLAATS,
        OfferKind.CURSUS,
        OfferKind.GESPREK,
    )


def test_an_offer_in_another_district_is_never_proposed() -> None:
    elsewhere = offer("a-zuilen", OfferKind.MAATJE, district="noordwest")
    city_wide = offer("z-city", OfferKind.ACTIVITEIT)

    assert proposed(propose(need(LM), [elsewhere, city_wide])).offer_id == "z-city"


def test_unknown_district_gets_only_city_wide_offers() -> None:
    local = offer("a-local", OfferKind.MAATJE, district="overvecht")
    city_wide = offer("z-city", OfferKind.MAATJE)

    assert proposed(propose(need(LM, district=None), [local, city_wide])).offer_id == "z-city"


def test_same_district_beats_city_wide_and_says_so() -> None:
    city_wide = offer("a-city", OfferKind.ACTIVITEIT)
    local = offer("z-local", OfferKind.ACTIVITEIT, district="overvecht")

    outcome = propose(need(Grade.PREVENTIE), [city_wide, local])

    assert proposed(outcome).offer_id == "z-local"
    assert isinstance(outcome, Proposal)
    assert "in the same district (overvecht)" in outcome.reasons


def test_ties_go_to_the_lowest_offer_id_whatever_the_order() -> None:
    offers = [offer(f"act-{n}", OfferKind.ACTIVITEIT) for n in (3, 1, 2)]

    chosen = {
        proposed(propose(need(Grade.PREVENTIE), order)).offer_id
        for order in (offers, offers[::-1], sorted(offers, key=lambda o: o.title))
    }

    assert chosen == {"act-1"}


def test_every_proposal_explains_the_grade_and_the_free_places() -> None:
    outcome = propose(need(Grade.PREVENTIE), [offer("a", OfferKind.ACTIVITEIT, places=2)])

    assert isinstance(outcome, Proposal)
    assert outcome.reasons[:2] == ("suits grade preventie", "2 free place(s) before this proposal")
    assert outcome.score > 0


def test_demo_registry_follows_table_1_and_shows_the_gap_for_severe_loneliness() -> None:
    per_grade = {g: sum(1 for o in DEMO_OFFERS if g in o.grades) for g in Grade}
    by_id = {o.offer_id: o for o in DEMO_OFFERS}

    assert per_grade[ERNSTIG] == min(per_grade.values()) and 0 < per_grade[ERNSTIG] <= 5
    assert not any(o.kind is OfferKind.MAATJE and ERNSTIG in o.grades for o in DEMO_OFFERS)
    providers = {o.title.split(":")[0]: o.provider_organisation for o in DEMO_OFFERS}
    assert providers["Belmaatje"] == "Handje Helpen en de Luisterlijn"
    assert providers["Psychiatriemaatje"] == "Handje Helpen"
    assert providers["Ervaringsmaatje voor jonge mantelzorgers"] == "Handje Helpen"
    assert providers["Beweegmaatje"] == "Sport Utrecht"
    assert by_id["herstel-enik-recovery-college"].walk_in
    assert any(o.residents_initiative for o in DEMO_OFFERS)
    assert all(o.source.startswith(("004", "001")) for o in DEMO_OFFERS)
    assert len(by_id) == len(DEMO_OFFERS)


def test_demo_offers_are_tagged_so_offer_and_demand_can_be_compared() -> None:
    """Per grade, kind of loneliness and risk group, as triage names them for a referral."""
    tagged_groups = {g for o in DEMO_OFFERS for g in o.risk_groups}
    tagged_kinds = {k for o in DEMO_OFFERS for k in o.loneliness_kinds}

    assert {
        RiskGroup.PSYCHISCHE_KWETSBAARHEID,
        RiskGroup.DAK_EN_THUISLOZEN,
        RiskGroup.JONGE_MANTELZORGERS,
        RiskGroup.OUDEREN_80_PLUS,
    } <= tagged_groups
    assert LonelinessKind.EXISTENTIEEL in tagged_kinds
    # A risk group the documents name but Table 1 offers nothing for shows up as a gap.
    assert RiskGroup.OUDEREN_MET_MIGRATIEACHTERGROND not in tagged_groups


def test_demo_home_cooks_are_a_pseudonymous_id_and_a_postcode_area_only() -> None:
    cooks = [o for o in DEMO_OFFERS if o.kind is OfferKind.THUISGEKOOKT]

    assert {o.district for o in cooks} >= {"overvecht", "noordwest", "zuidwest", "noordoost"}
    for cook in cooks:
        assert cook.postcode_area is not None and cook.postcode_area.isdigit()
        assert cook.meals_per_week and cook.district is not None


def test_a_demo_offer_made_full_sends_the_referral_to_the_next_best() -> None:
    offers = [
        replace(o, places_left=0) if o.maatje_type is MaatjeType.ERVARINGSMAATJE else o
        for o in DEMO_OFFERS
    ]
    young_carer = need(LM, risk_groups=frozenset({RiskGroup.JONGE_MANTELZORGERS}))

    assert proposed(propose(young_carer, offers)).kind is OfferKind.MAATJE


def test_exercise_prescribed_by_the_gp_gets_the_exercise_buddy() -> None:
    exercise = replace(need(LM), route=Route.BEWEEGMAKELAAR)

    chosen = proposed(propose(exercise, list(DEMO_OFFERS)))

    assert chosen.maatje_type is MaatjeType.BEWEEGMAATJE
    assert chosen.provider_organisation == "Sport Utrecht"
    assert proposed(propose(need(LM), list(DEMO_OFFERS))).maatje_type is not MaatjeType.BEWEEGMAATJE
