"""Soft scores: each one decides between two helpers that are otherwise alike, and explains
itself in the proposal's reasons."""

from __future__ import annotations

import math

from schakel.contracts.vocabulary import AgeBand, Daypart, OfferKind
from schakel.matching.domain.assignment import Match, propose_best
from schakel.matching.domain.helpers import AnyHelper
from schakel.matching.domain.offers import MaatjeType, Need
from schakel.matching.domain.table import HelperTable
from schakel.matching.domain.terms import Location, km_between
from tests.unit.matching_helpers import (
    NOORDOOST,
    NOW,
    OVERVECHT,
    OVERVECHT_NEXT_STREETS,
    VLEUTEN,
    activity,
    buddy,
    cook,
    days_ago,
    need,
)


def best(n: Need, *helpers: AnyHelper) -> Match:
    outcome = propose_best(n, HelperTable.of(helpers), NOW)
    assert isinstance(outcome, Match), outcome
    return outcome


def test_great_circle_distance_matches_a_known_distance() -> None:
    # Utrecht Centraal to Amsterdam Centraal: about 35 km as the crow flies.
    utrecht, amsterdam = Location("3511", 52.0894, 5.1100), Location("1012", 52.3791, 4.9003)

    assert 34.5 < km_between(utrecht, amsterdam) < 35.5
    assert km_between(amsterdam, utrecht) == km_between(utrecht, amsterdam)
    assert km_between(utrecht, utrecht) < 0.001  # within a metre


def _haversine_km(a: Location, b: Location) -> float:
    """The textbook formula, as an independent check of the matrix form."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlmb = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_short_distances_are_exact_to_a_metre() -> None:
    for a, b in ((OVERVECHT, OVERVECHT_NEXT_STREETS), (OVERVECHT, NOORDOOST), (OVERVECHT, VLEUTEN)):
        assert abs(km_between(a, b) - _haversine_km(a, b)) < 0.001


def test_the_nearer_buddy_is_proposed_and_the_distance_given() -> None:
    chosen = best(need(), buddy("far", location=VLEUTEN), buddy("near", location=NOORDOOST))

    assert chosen.helper.helper_id == "near"
    assert any(r.startswith("2.") and "km away" in r for r in chosen.reasons), chosen.reasons


def test_a_cook_a_few_streets_away_beats_one_across_the_district() -> None:
    chosen = best(
        need(), cook("across", location=NOORDOOST), cook("streets", location=OVERVECHT_NEXT_STREETS)
    )

    assert chosen.helper.helper_id == "streets"
    assert any("(a few streets)" in r for r in chosen.reasons)


def test_a_cook_two_kilometres_away_scores_nothing_for_distance_a_buddy_still_does() -> None:
    far_cook = best(need(), cook("c", location=NOORDOOST))
    far_buddy = best(need(), buddy("b", location=NOORDOOST))

    assert any(r.endswith("(+0.0)") and "km away" in r for r in far_cook.reasons)
    assert any(not r.endswith("(+0.0)") and "km away" in r for r in far_buddy.reasons)


def test_a_phone_buddy_is_not_weighed_by_distance() -> None:
    phone = buddy("tel", buddy_type=MaatjeType.TELEFOONMAATJE, location=None)

    assert any(r.startswith("by phone") for r in best(need(), phone).reasons)


def test_the_preferred_language_beats_another_shared_one_beats_none() -> None:
    person = need(languages=("tr", "nl"))
    dutch = buddy("nl", languages=frozenset({"nl"}))
    turkish = buddy("tr", languages=frozenset({"tr"}))
    arabic = buddy("ar", languages=frozenset({"ar"}))

    assert best(person, arabic, dutch, turkish).helper.helper_id == "tr"
    assert best(person, arabic, dutch).helper.helper_id == "nl"
    assert "shares none of the person's languages (+0.0)" in best(person, arabic).reasons


def test_shared_interests_count() -> None:
    person = need(interests=frozenset({"wandelen", "schaken", "tuinieren"}))
    one = buddy("een", buddy_interests=frozenset({"schaken"}))
    two = buddy("twee", buddy_interests=frozenset({"schaken", "wandelen", "koken"}))

    chosen = best(person, one, two)
    assert chosen.helper.helper_id == "twee"
    assert "shared interests: schaken, wandelen (+2.0)" in chosen.reasons


def test_a_buddy_for_people_over_80_is_not_offered_first_to_someone_of_22() -> None:
    young = need(age_band=AgeBand.JONG)
    for_80_plus = buddy("80+", age_groups=frozenset({AgeBand.HOOGBEJAARD}))
    peers = activity("lotgenoten", activity_kind=OfferKind.LOTGENOTENCONTACT)

    chosen = best(young, for_80_plus, peers)
    assert chosen.helper.helper_id == "lotgenoten"
    assert any("young people get these first" in r for r in chosen.reasons)
    # An older person is still offered the buddy that wants to support them.
    assert best(need(age_band=AgeBand.HOOGBEJAARD), for_80_plus, peers).helper == for_80_plus


def test_young_people_get_a_youth_buddy_before_one_for_all_ages() -> None:
    young = need(age_band=AgeBand.JONG)
    for_all = buddy("all")
    for_young = buddy("young", age_groups=frozenset({AgeBand.JONG}), location=NOORDOOST)

    assert best(young, for_all, for_young).helper.helper_id == "young"


def test_shared_parts_of_the_week_count() -> None:
    person = need(availability=frozenset({Daypart.WEEKDAG_MIDDAG, Daypart.WEEKEND_MIDDAG}))
    mornings = buddy("ochtend", availability=frozenset({Daypart.WEEKDAG_OCHTEND}))
    afternoons = buddy("middag", availability=frozenset({Daypart.WEEKDAG_MIDDAG}))

    chosen = best(person, mornings, afternoons)
    assert chosen.helper.helper_id == "middag"
    assert "available weekdag_middag (+1.0)" in chosen.reasons


def test_waiting_time_raises_the_score_and_says_how_long() -> None:
    helper = buddy("b")
    waited = best(need(waiting_since=days_ago(28)), helper)

    assert waited.score > best(need(waiting_since=NOW), helper).score
    assert "waiting 28 day(s) (+2.0)" in waited.reasons


def test_the_kind_the_wegwijzer_puts_first_wins_over_a_nearer_later_kind() -> None:
    chosen = best(need(), activity("dichtbij"), buddy("maatje", location=NOORDOOST))

    assert chosen.helper.helper_id == "maatje"
    assert "maatje: first choice for grade licht_tot_matig (+60.0)" in chosen.reasons


def test_the_score_is_the_sum_of_the_explained_points() -> None:
    chosen = best(
        need(languages=("nl",), interests=frozenset({"schaken"}), waiting_since=days_ago(9)),
        buddy("b", buddy_interests=frozenset({"schaken"}), location=NOORDOOST),
    )

    explained = [r for r in chosen.reasons if (r.endswith(")") and "(+" in r) or "(-" in r]
    points = sum(float(r.rsplit("(", 1)[1].rstrip(")")) for r in explained)
    assert abs(points - chosen.score) < 0.1 * len(explained)
