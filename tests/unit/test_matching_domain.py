"""Matching rules as a social broker would notice them: what gets proposed, and why."""

from __future__ import annotations

from dataclasses import replace

from schakel.contracts.vocabulary import Grade, OfferKind, Urgency
from schakel.matching.demo_offers import DEMO_OFFERS
from schakel.matching.domain import (
    MaatjeType,
    Need,
    Offer,
    Proposal,
    WaitlistDecision,
    propose,
    wanted_kinds,
)

ALL_GRADES = frozenset(Grade)


def offer(
    offer_id: str,
    kind: OfferKind,
    *,
    district: str | None = None,
    grades: frozenset[Grade] = ALL_GRADES,
    places: int = 3,
    maatje_type: MaatjeType | None = None,
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
    )


def need(
    grade: Grade,
    district: str | None = "overvecht",
    urgency: Urgency = Urgency.ROUTINE,
    risk_groups: frozenset[str] = frozenset(),
) -> Need:
    return Need(grade=grade, urgency=urgency, district=district, risk_groups=risk_groups)


def proposed(outcome: Proposal | WaitlistDecision) -> Offer:
    assert isinstance(outcome, Proposal), outcome
    return outcome.offer


def test_severe_loneliness_in_overvecht_gets_the_psychiatry_buddy() -> None:
    chosen = proposed(propose(need(Grade.ERNSTIG), list(DEMO_OFFERS)))

    assert chosen.maatje_type is MaatjeType.PSYCHIATRIEMAATJE
    assert chosen.district == "overvecht"


def test_severe_loneliness_gets_the_experience_buddy_when_the_psychiatry_buddy_is_full() -> None:
    offers = [
        replace(o, places_left=0) if o.maatje_type is MaatjeType.PSYCHIATRIEMAATJE else o
        for o in DEMO_OFFERS
    ]

    chosen = proposed(propose(need(Grade.ERNSTIG), offers))

    assert chosen.maatje_type is MaatjeType.ERVARINGSMAATJE


def test_severe_loneliness_without_buddies_gets_an_activity_such_as_the_recovery_college() -> None:
    offers = [o for o in DEMO_OFFERS if o.kind is not OfferKind.MAATJE]

    chosen = proposed(propose(need(Grade.ERNSTIG, district="oost"), offers))

    assert chosen.offer_id == "activiteit-herstelacademie-enik"


def test_a_full_activity_is_never_proposed() -> None:
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

    outcome = propose(need(Grade.ERNSTIG), [only_mild])

    assert isinstance(outcome, WaitlistDecision)
    assert outcome.reason == "no offer suits grade ernstig in overvecht or city-wide"
    assert outcome.wanted == (OfferKind.MAATJE, OfferKind.ACTIVITEIT)


def test_an_offer_that_does_not_suit_the_grade_is_never_proposed() -> None:
    mild_only = offer("a-mild", OfferKind.MAATJE, grades=frozenset({Grade.PREVENTIE}))
    severe = offer("z-severe", OfferKind.ACTIVITEIT, grades=frozenset({Grade.ERNSTIG}))

    assert proposed(propose(need(Grade.ERNSTIG), [mild_only, severe])).offer_id == "z-severe"


def test_an_offer_in_another_district_is_never_proposed() -> None:
    elsewhere = offer("a-zuilen", OfferKind.MAATJE, district="noordwest")
    city_wide = offer("z-city", OfferKind.ACTIVITEIT)

    chosen = proposed(propose(need(Grade.LICHT_TOT_MATIG), [elsewhere, city_wide]))

    assert chosen.offer_id == "z-city"


def test_unknown_district_gets_only_city_wide_offers() -> None:
    local = offer("a-local", OfferKind.MAATJE, district="overvecht")
    city_wide = offer("z-city", OfferKind.MAATJE)

    chosen = proposed(propose(need(Grade.LICHT_TOT_MATIG, district=None), [local, city_wide]))

    assert chosen.offer_id == "z-city"


def test_same_district_beats_city_wide_and_says_so() -> None:
    city_wide = offer("a-city", OfferKind.ACTIVITEIT)
    local = offer("z-local", OfferKind.ACTIVITEIT, district="overvecht")

    outcome = propose(need(Grade.PREVENTIE), [city_wide, local])

    assert proposed(outcome).offer_id == "z-local"
    assert isinstance(outcome, Proposal)
    assert "in the same district (overvecht)" in outcome.reasons


def test_prevention_prefers_an_activity_over_a_buddy() -> None:
    buddy = offer(
        "a-buddy", OfferKind.MAATJE, district="overvecht", maatje_type=MaatjeType.SENIOR_STUDENT
    )
    activity = offer("z-activity", OfferKind.ACTIVITEIT)

    assert proposed(propose(need(Grade.PREVENTIE), [buddy, activity])).kind is OfferKind.ACTIVITEIT


def test_light_to_moderate_prefers_buddy_then_home_cook_then_activity() -> None:
    buddy = offer("maatje", OfferKind.MAATJE, maatje_type=MaatjeType.BEZOEKMAATJE)
    cook = offer("kok", OfferKind.THUISGEKOOKT, district="overvecht")
    activity = offer("activiteit", OfferKind.ACTIVITEIT, district="overvecht")
    grade = Grade.LICHT_TOT_MATIG

    assert proposed(propose(need(grade), [activity, cook, buddy])).kind is OfferKind.MAATJE
    assert proposed(propose(need(grade), [activity, cook])).kind is OfferKind.THUISGEKOOKT


def test_urgent_referral_gets_a_home_cook_when_one_is_free_nearby() -> None:
    cook = offer("kok", OfferKind.THUISGEKOOKT, district="overvecht")
    buddy = offer(
        "maatje", OfferKind.MAATJE, district="overvecht", maatje_type=MaatjeType.PSYCHIATRIEMAATJE
    )

    outcome = propose(need(Grade.ERNSTIG, urgency=Urgency.DIRECT), [buddy, cook])

    assert proposed(outcome).kind is OfferKind.THUISGEKOOKT
    assert isinstance(outcome, Proposal)
    assert any(r.startswith("urgent") for r in outcome.reasons)


def test_urgent_referral_without_a_free_cook_still_gets_a_buddy() -> None:
    full_cook = offer("kok", OfferKind.THUISGEKOOKT, district="overvecht", places=0)
    buddy = offer("maatje", OfferKind.MAATJE, maatje_type=MaatjeType.BEZOEKMAATJE)

    chosen = proposed(propose(need(Grade.ERNSTIG, urgency=Urgency.DIRECT), [full_cook, buddy]))

    assert chosen.offer_id == "maatje"


def test_urgent_waitlist_asks_for_a_home_cook_first() -> None:
    assert wanted_kinds(need(Grade.ERNSTIG, urgency=Urgency.DIRECT)) == (
        OfferKind.THUISGEKOOKT,
        OfferKind.MAATJE,
        OfferKind.ACTIVITEIT,
    )


def test_a_carer_gets_the_experience_buddy_over_a_visiting_buddy() -> None:
    visiting = offer("a-bezoek", OfferKind.MAATJE, maatje_type=MaatjeType.BEZOEKMAATJE)
    experience = offer("z-ervaring", OfferKind.MAATJE, maatje_type=MaatjeType.ERVARINGSMAATJE)
    carer = need(Grade.LICHT_TOT_MATIG, risk_groups=frozenset({"mantelzorgers"}))

    assert proposed(propose(carer, [visiting, experience])).offer_id == "z-ervaring"


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


def test_demo_registry_shows_the_gap_for_severe_loneliness() -> None:
    per_grade = {g: sum(1 for o in DEMO_OFFERS if g in o.grades) for g in Grade}

    assert per_grade[Grade.ERNSTIG] == min(per_grade.values())
    assert 0 < per_grade[Grade.ERNSTIG] <= 5


def test_demo_home_cooks_are_a_pseudonymous_id_and_a_postcode_area_only() -> None:
    cooks = [o for o in DEMO_OFFERS if o.kind is OfferKind.THUISGEKOOKT]

    assert {o.district for o in cooks} >= {"overvecht", "noordwest", "zuidwest", "leidsche_rijn"}
    for cook in cooks:
        assert cook.postcode_area is not None and cook.postcode_area.isdigit()
        assert cook.meals_per_week and cook.district is not None
    assert len({o.offer_id for o in DEMO_OFFERS}) == len(DEMO_OFFERS)
