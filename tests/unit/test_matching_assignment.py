"""The optimal assignment over open referrals and free places: never worse than taking the
referrals one by one, better where the one-by-one choice is short-sighted, and fair in who
goes first when places are scarce."""

from __future__ import annotations

import random
from collections.abc import Sequence

from schakel.contracts.vocabulary import AgeBand, Grade, OfferKind, Urgency
from schakel.matching.domain.assignment import Assignment, assign, first_in_line, greedy
from schakel.matching.domain.helpers import AnyHelper, HelperStatus
from schakel.matching.domain.offers import MaatjeType, Need
from schakel.matching.domain.table import HelperTable
from schakel.matching.domain.terms import Diet, Location
from tests.unit.matching_helpers import (
    NOORDOOST,
    NOW,
    OVERVECHT,
    VLEUTEN,
    activity,
    buddy,
    cook,
    days_ago,
    need,
)


def pairs(result: Assignment) -> dict[int, str]:
    return {m.need_index: m.helper.helper_id for m in result.matches}


def solve(needs: list[Need], helpers: Sequence[AnyHelper]) -> tuple[Assignment, Assignment]:
    table = HelperTable.of(helpers)
    return assign(needs, table, NOW), greedy(needs, table, NOW)


def test_the_optimum_helps_both_where_one_by_one_helps_only_the_first() -> None:
    # One by one, the first in line takes the nearer cook, who is the only one cooking halal,
    # and the second, who needs halal, is left without.
    first = need(waiting_since=days_ago(30))
    halal = need(waiting_since=days_ago(1), diets=frozenset({Diet.HALAL}))
    near_halal = cook("halal-dichtbij", cooks=frozenset({Diet.HALAL}))
    further = cook("verder", location=NOORDOOST)

    optimum, one_by_one = solve([first, halal], [near_halal, further])

    assert pairs(one_by_one) == {0: "halal-dichtbij"}
    assert pairs(optimum) == {0: "verder", 1: "halal-dichtbij"}
    assert optimum.value([first, halal]) > one_by_one.value([first, halal])


def test_the_optimum_places_by_total_fit_where_one_by_one_is_short_sighted() -> None:
    # Both could take either buddy; the first in line gains little from the Turkish speaker,
    # the second, who speaks only Turkish, gains much.
    first = need(waiting_since=days_ago(10), languages=("nl", "tr"))
    turkish_only = need(waiting_since=days_ago(2), languages=("tr",))
    bilingual = buddy("nl-tr", languages=frozenset({"nl", "tr"}))
    dutch = buddy("nl", languages=frozenset({"nl"}), location=NOORDOOST)

    optimum, one_by_one = solve([first, turkish_only], [bilingual, dutch])

    assert pairs(one_by_one) == {0: "nl-tr", 1: "nl"}
    assert pairs(optimum) == {0: "nl", 1: "nl-tr"}
    assert optimum.total_score > one_by_one.total_score


def test_a_helper_with_two_places_takes_two_referrals() -> None:
    helper = buddy("twee", capacity=3, in_use=1)

    optimum, _ = solve([need(), need(), need()], [helper])

    assert len(optimum.matches) == 2
    assert [w.reason for w in optimum.waitlisted] == [
        "capacity: the helpers that fit went to referrals that go first"
    ]


def test_when_places_are_scarce_urgency_then_waiting_time_goes_first() -> None:
    group = activity("groep", capacity=2)
    needs = [
        need(waiting_since=days_ago(2)),
        need(waiting_since=days_ago(40)),
        need(urgency=Urgency.SPOEDIG, waiting_since=NOW),
    ]

    optimum, one_by_one = solve(needs, [group])

    assert sorted(pairs(optimum)) == [1, 2]
    assert sorted(pairs(one_by_one)) == [1, 2]
    assert first_in_line(needs, NOW) == [2, 1, 0]


def test_each_referral_gets_at_most_one_helper_and_no_helper_beyond_its_places() -> None:
    helpers = [buddy(f"b{i}", capacity=2) for i in range(3)]
    needs = [need() for _ in range(10)]

    optimum, _ = solve(needs, helpers)

    assert len({m.need_index for m in optimum.matches}) == len(optimum.matches) == 6
    used = [m.helper.helper_id for m in optimum.matches]
    assert all(used.count(h.helper_id) == 2 for h in helpers)


def test_referrals_nothing_fits_are_waitlisted_with_the_binding_constraint() -> None:
    needs = [need(consent_to_contact=False), need(grade=Grade.ERNSTIG), need()]

    optimum, _ = solve(needs, [buddy("b")])

    assert pairs(optimum) == {2: "b"}
    reasons = {w.need_index: w.reason.split(":")[0] for w in optimum.waitlisted}
    assert reasons == {0: "consent", 1: "grade"}


def test_a_young_person_gets_the_peer_group_and_the_other_the_buddy() -> None:
    needs = [need(languages=("nl",), waiting_since=days_ago(5)), need(age_band=AgeBand.JONG)]
    peers = activity("lotgenoten", activity_kind=OfferKind.LOTGENOTENCONTACT)
    helpers: list[AnyHelper] = [buddy("b", location=NOORDOOST), peers]

    optimum, one_by_one = solve(needs, helpers)

    assert optimum.value(needs) >= one_by_one.value(needs)
    assert pairs(optimum) == {0: "b", 1: "lotgenoten"}


def _random_case(rng: random.Random) -> tuple[list[Need], list[AnyHelper]]:
    places = [OVERVECHT, NOORDOOST, VLEUTEN, Location("3524", 52.075, 5.135)]
    langs = ["nl", "tr", "ar", "en"]
    helpers: list[AnyHelper] = []
    for i in range(rng.randint(1, 8)):
        where = rng.choice(places)
        spoken = frozenset(rng.sample(langs, rng.randint(1, 2)))
        if rng.random() < 0.5:
            helpers.append(
                buddy(
                    f"b{i}",
                    location=where,
                    languages=spoken,
                    capacity=rng.randint(1, 2),
                    buddy_type=rng.choice(list(MaatjeType)),
                    status=rng.choice([HelperStatus.ACTIVE] * 4 + [HelperStatus.STOPPED]),
                )
            )
        else:
            helpers.append(
                cook(
                    f"c{i}",
                    location=where,
                    languages=spoken,
                    cooks=frozenset(rng.sample(list(Diet), 2)),
                )
            )
    needs = [
        need(
            location=rng.choice(places),
            languages=tuple(rng.sample(langs, rng.randint(1, 2))),
            diets=frozenset(rng.sample(list(Diet), rng.randint(0, 1))),
            waiting_since=days_ago(rng.randint(0, 60)),
            urgency=rng.choice([Urgency.ROUTINE] * 3 + [Urgency.SPOEDIG]),
        )
        for _ in range(rng.randint(1, 10))
    ]
    return needs, helpers


def test_the_optimum_is_never_worse_than_one_by_one_on_many_cases() -> None:
    rng = random.Random(12)
    strictly_better = 0
    for _ in range(200):
        needs, helpers = _random_case(rng)
        optimum, one_by_one = solve(needs, helpers)
        assert optimum.value(needs) >= one_by_one.value(needs) - 1e-6
        strictly_better += optimum.value(needs) > one_by_one.value(needs) + 1e-6
    assert strictly_better > 0  # the cases are not all trivial


def test_pruned_to_each_referral_s_best_the_solver_can_miss_a_second_choice() -> None:
    """What ``candidates`` trades for speed: with only each referral's single best helper,
    two who both rank the near cook first compete for it and the other goes unmatched; with
    every pair the second cook is found. The service's default keeps many more than one."""
    first = need(waiting_since=days_ago(30))
    second = need(waiting_since=days_ago(1))
    near, further = cook("dichtbij"), cook("verder", location=NOORDOOST)
    table = HelperTable.of([near, further])

    pruned = assign([first, second], table, NOW, candidates=1)
    full = assign([first, second], table, NOW, candidates=None)

    assert len(pruned.matches) == 1 and len(full.matches) == 2
    assert assign([first, second], table, NOW).matches == full.matches  # default: both fit


def test_helpers_tied_at_the_last_candidate_place_all_go_to_the_solver() -> None:
    """Which of two equally good helpers to drop would be arbitrary; dropping one could
    leave a referral unmatched. Both twins fit the first referral alike; the second fits
    only the twin registered first, so the solver helps both only if it sees both twins."""
    twin, other_twin = buddy("tweeling-1"), buddy("tweeling-2")
    only_first = need(excluded=frozenset({"tweeling-2"}))
    table = HelperTable.of([twin, other_twin])

    result = assign([need(), only_first], table, NOW, candidates=1)

    assert pairs(result) == {0: "tweeling-2", 1: "tweeling-1"}
