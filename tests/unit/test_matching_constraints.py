"""Hard constraints: each one keeps a helper out that would otherwise be proposed, and names
itself when it leaves the referral waiting."""

from __future__ import annotations

from schakel.contracts.vocabulary import AgeBand, Grade, OfferKind, Urgency
from schakel.matching.domain.assignment import Match, Waitlisted, propose_best
from schakel.matching.domain.helpers import AnyHelper, HelperStatus
from schakel.matching.domain.offers import Need
from schakel.matching.domain.table import HelperTable
from schakel.matching.domain.terms import Diet, Mobility
from tests.unit.matching_helpers import NOW, activity, buddy, cook, need


def proposed(n: Need, *helpers: AnyHelper) -> str:
    outcome = propose_best(n, HelperTable.of(helpers), NOW)
    assert isinstance(outcome, Match), outcome
    return outcome.helper.helper_id


def waitlisted(n: Need, *helpers: AnyHelper) -> str:
    outcome = propose_best(n, HelperTable.of(helpers), NOW)
    assert isinstance(outcome, Waitlisted), outcome
    return outcome.reason


def test_without_consent_no_helper_is_proposed() -> None:
    assert proposed(need(), buddy("b")) == "b"
    assert waitlisted(need(consent_to_contact=False), buddy("b")).startswith("consent:")


def test_a_stopped_helper_is_never_proposed() -> None:
    stopped = buddy("stopped", status=HelperStatus.STOPPED)

    assert proposed(need(), stopped, buddy("other", location=None)) == "other"
    assert waitlisted(need(), stopped).startswith("stopped:")


def test_a_declined_pair_is_never_proposed_again() -> None:
    declined = need(excluded=frozenset({"b1"}))

    assert proposed(declined, buddy("b1"), buddy("b2", location=None)) == "b2"
    assert waitlisted(declined, buddy("b1")).startswith("declined:")


def test_severe_loneliness_gets_no_buddy_as_the_wegwijzer_says() -> None:
    recovery = activity("herstel", activity_kind=OfferKind.HERSTELWERKPLAATS)

    assert proposed(need(grade=Grade.ERNSTIG), buddy("b"), recovery) == "herstel"
    assert waitlisted(need(grade=Grade.ERNSTIG), buddy("b")).startswith("grade:")


def test_an_activity_serves_only_the_grades_it_names() -> None:
    for_prevention = activity("a", serves=frozenset({Grade.PREVENTIE}))

    assert waitlisted(need(), for_prevention).startswith("grade:")


def test_an_urgent_signal_gets_no_home_cook() -> None:
    assert proposed(need(), cook("c")) == "c"
    assert waitlisted(need(urgency=Urgency.SPOEDIG), cook("c")).startswith("grade:")


def test_an_ungraded_referral_gets_nothing() -> None:
    assert waitlisted(need(grade=None), buddy("b")).startswith("grade:")


def test_never_two_open_proposals_of_the_same_kind() -> None:
    with_open_buddy = need(open_kinds=frozenset({OfferKind.MAATJE}))

    assert proposed(with_open_buddy, buddy("b"), cook("c")) == "c"
    assert waitlisted(with_open_buddy, buddy("b")).startswith("open_proposal:")


def test_a_housebound_person_gets_support_that_comes_to_them() -> None:
    housebound = need(mobility=Mobility.AAN_HUIS_GEBONDEN, age_band=AgeBand.HOOGBEJAARD)
    group = activity("koffie")

    assert proposed(need(wishes=(OfferKind.ACTIVITEIT,)), group) == "koffie"
    assert proposed(housebound, group, cook("c", location=None)) == "c"
    assert waitlisted(housebound, group).startswith("mobility:")


def test_an_activity_in_another_district_is_not_proposed_a_city_wide_one_is() -> None:
    elsewhere = activity("elders", activity_district="zuid")
    city_wide = activity("stad", activity_district=None)

    assert waitlisted(need(), elsewhere).startswith("district:")
    assert proposed(need(), elsewhere, city_wide) == "stad"


def test_a_cook_must_serve_every_diet_the_person_needs() -> None:
    halal = need(diets=frozenset({Diet.HALAL, Diet.ZOUTARM}))
    only_halal = cook("c1", cooks=frozenset({Diet.HALAL}))
    both = cook("c2", cooks=frozenset({Diet.HALAL, Diet.ZOUTARM}), location=None)

    assert proposed(halal, only_halal, both) == "c2"
    assert waitlisted(halal, only_halal) == "diet: no home cook cooks halal, zoutarm"


def test_a_vegan_cook_serves_a_vegetarian_and_a_pureed_one_soft_food() -> None:
    assert proposed(need(diets=frozenset({Diet.VEGETARISCH})), cook("v", cooks={Diet.VEGANISTISCH}))
    assert proposed(need(diets=frozenset({Diet.ZACHT})), cook("p", cooks={Diet.GEMALEN}))
    assert waitlisted(
        need(diets=frozenset({Diet.VEGANISTISCH})), cook("v", cooks={Diet.VEGETARISCH})
    )


def test_diets_bind_cooks_only() -> None:
    assert proposed(need(diets=frozenset({Diet.KOSJER})), buddy("b")) == "b"


def test_a_full_helper_is_not_proposed_and_full_is_named() -> None:
    full = buddy("vol", capacity=2, in_use=2)

    assert proposed(need(), full, buddy("vrij", location=None)) == "vrij"
    assert waitlisted(need(), full) == "capacity: every helper that fits is full"
