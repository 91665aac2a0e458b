"""Matching's benchmark (part of `make bench`, needs no server): prints, never asserts,

- the optimal assignment of 1,000 open referrals over 10,000 helpers (goal: under 1 s),
- the best proposal for one new referral against the same 10,000 helpers (goal: under 20 ms),
- the optimum's total against the greedy one-by-one baseline on the same population, and
  against the optimum over every allowed pair (the solver gets each referral's best
  ``CANDIDATES`` helpers and any tied with the last of them; the difference is what that
  pruning costs).

The population is random but seeded, spread over the PC4 centroids of every district, with
the mix a city might have: half buddies, a quarter home cooks, a quarter activities.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from schakel.contracts.vocabulary import AgeBand, Daypart, Grade, OfferKind, Urgency
from schakel.matching.domain.assignment import (
    CANDIDATES,
    Assignment,
    assign,
    greedy,
    propose_best,
    reasons,
)
from schakel.matching.domain.helpers import Activity, AnyHelper, Buddy, HomeCook
from schakel.matching.domain.offers import MaatjeType, Need
from schakel.matching.domain.table import HelperTable
from schakel.matching.domain.terms import Diet, Location, Mobility
from schakel.matching.postcodes import centroids, districts

T = TypeVar("T")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LANGUAGES = ("nl",) * 12 + ("tr", "ar", "en", "pl", "ber", "pap")
INTERESTS = ("wandelen", "koken", "schaken", "tuinieren", "muziek", "fietsen", "lezen", "voetbal")
OPEN_KINDS = (
    OfferKind.ACTIVITEIT,
    OfferKind.CURSUS,
    OfferKind.LOTGENOTENCONTACT,
    OfferKind.GESPREK,
    OfferKind.HERSTELWERKPLAATS,
    OfferKind.ACHTERVANG,
)
REFERRALS, HELPERS, SINGLE_RUNS = 1_000, 10_000, 50


@dataclass(frozen=True)
class Timing:
    """Wall-clock and this process's CPU time: on a shared machine the two differ, and the
    CPU time says what the code costs."""

    wall: float
    cpu: float

    def ms(self) -> str:
        return f"{self.wall * 1000:9.1f} ms wall {self.cpu * 1000:9.1f} ms CPU"


@dataclass(frozen=True)
class MatchingFigures:
    table: Timing
    optimum: Timing
    explaining: Timing
    single_median: Timing
    single_p95: Timing
    greedy: Timing
    unpruned: Timing
    optimal: Assignment
    full: Assignment  # the optimum over every allowed pair, no candidates pruned
    baseline: Assignment
    needs: list[Need]


def _some(rng: random.Random, values: tuple[T, ...], most: int) -> frozenset[T]:
    return frozenset(rng.sample(values, rng.randint(0, most)))


def _near(rng: random.Random) -> Location:
    base = rng.choice(list(centroids().values()))
    jitter = 0.004  # about 400 m: somewhere in the area, not its centroid
    lat, lon = base.lat + rng.uniform(-jitter, jitter), base.lon + rng.uniform(-jitter, jitter)
    return Location(base.pc4, lat, lon)


def _languages(rng: random.Random) -> frozenset[str]:
    """Mostly Dutch and perhaps another language; one in ten only another."""
    other = rng.choice(LANGUAGES)
    return frozenset({"nl", other}) if rng.random() < 0.9 else frozenset({other})


def helper(rng: random.Random, i: int) -> AnyHelper:
    where, draw = _near(rng), rng.random()
    common: dict[str, Any] = {
        "helper_id": f"h{i:05d}",
        "organisation": rng.choice(("handje-helpen", "dock", "u-centraal", "thuisgekookt")),
        "location": where,
        "languages": _languages(rng),
        "availability": _some(rng, tuple(Daypart), 3),
    }
    if draw < 0.5:
        capacity = rng.randint(1, 3)
        return Buddy(
            **common,
            capacity=capacity,
            in_use=rng.randint(0, capacity),
            buddy_type=rng.choice(tuple(MaatjeType)),
            buddy_interests=_some(rng, INTERESTS, 3),
            age_groups=_some(rng, tuple(AgeBand)[1:], 2),
        )
    if draw < 0.75:
        return HomeCook(
            **common,
            capacity=rng.randint(1, 2),
            cooks=_some(rng, tuple(Diet), 3),
            meals_per_week=rng.randint(1, 4),
        )
    return Activity(
        **common,
        capacity=rng.randint(5, 20),
        in_use=rng.randint(0, 5),
        title=f"activiteit {i}",
        activity_kind=rng.choice(OPEN_KINDS),
        serves=frozenset(rng.sample(tuple(Grade), rng.randint(1, 3))),
        activity_district=districts()[where.pc4] if rng.random() < 0.8 else None,
        age_groups=_some(rng, tuple(AgeBand)[1:], 2),
    )


def need(rng: random.Random) -> Need:
    where = _near(rng)
    return Need(
        grade=rng.choice((Grade.LICHT_TOT_MATIG,) * 5 + (Grade.VERHOOGD_RISICO, Grade.ERNSTIG)),
        urgency=rng.choice((Urgency.ROUTINE,) * 8 + (Urgency.SPOEDIG, Urgency.DIRECT)),
        district=districts()[where.pc4],
        consent_to_contact=rng.random() < 0.95,
        diets=_some(rng, (Diet.HALAL, Diet.ZOUTARM, Diet.DIABETES, Diet.VEGETARISCH), 1),
        languages=tuple(sorted(_languages(rng), key=LANGUAGES.index)),  # seeded order
        interests=_some(rng, INTERESTS, 3),
        age_band=rng.choice(tuple(AgeBand)[1:]),
        mobility=rng.choice((Mobility.ZELFSTANDIG,) * 3 + tuple(Mobility)),
        location=where,
        availability=_some(rng, tuple(Daypart), 3),
        waiting_since=NOW - timedelta(days=rng.uniform(0, 120)),
    )


def _timed(action: Callable[[], T]) -> tuple[T, Timing]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, Timing(time.perf_counter() - wall, time.process_time() - cpu)


def _explain_all(result: Assignment, needs: list[Need]) -> None:
    for m in result.matches:
        reasons(needs[m.need_index], m.helper, NOW)


def measure(referrals: int = REFERRALS, helpers: int = HELPERS, seed: int = 12) -> MatchingFigures:
    rng = random.Random(seed)
    population = [helper(rng, i) for i in range(helpers)]
    needs = [need(rng) for _ in range(referrals)]
    table, table_time = _timed(lambda: HelperTable.of(population))
    optimal, optimum_time = _timed(lambda: assign(needs, table, NOW, explained=False))
    _, explaining = _timed(lambda: _explain_all(optimal, needs))
    baseline, greedy_time = _timed(lambda: greedy(needs, table, NOW, explained=False))
    full, unpruned = _timed(lambda: assign(needs, table, NOW, explained=False, candidates=None))
    singles = sorted(
        (_timed(partial(propose_best, need(rng), table, NOW))[1] for _ in range(SINGLE_RUNS)),
        key=lambda t: t.wall,
    )
    return MatchingFigures(
        table=table_time,
        optimum=optimum_time,
        explaining=explaining,
        single_median=singles[len(singles) // 2],
        single_p95=singles[int(0.95 * (len(singles) - 1))],
        greedy=greedy_time,
        unpruned=unpruned,
        optimal=optimal,
        full=full,
        baseline=baseline,
        needs=needs,
    )


def print_matching(figures: MatchingFigures) -> None:
    f = figures
    n = len(f.needs)
    print(f"matching: {n} open referrals over {HELPERS} helpers (goals: < 1 s; one: < 20 ms)")
    print(f"  registry as arrays (per change)  {f.table.ms()}")
    pruned = f"optimum, best {CANDIDATES} per referral"
    print(f"  {pruned:<33}{f.optimum.ms()}")
    print(f"  + reasons for its proposals      {f.explaining.ms()}")
    print(f"  one new referral, median         {f.single_median.ms()}")
    print(f"  one new referral, p95 of {SINGLE_RUNS:<3}     {f.single_p95.ms()}")
    print(f"  greedy one by one                {f.greedy.ms()}")
    print(f"  optimum over every pair          {f.unpruned.ms()}")
    for name, result in (("optimum", f.optimal), ("greedy", f.baseline), ("unpruned", f.full)):
        print(
            f"  {name:<8} matched {len(result.matches):>5} of {n}, "
            f"total score {result.total_score:10.1f}, objective {result.value(f.needs):12.1f}"
        )
    gain = f.optimal.value(f.needs) - f.baseline.value(f.needs)
    print(f"  optimum - greedy: objective {gain:+.1f}")
    lost = f.full.value(f.needs) - f.optimal.value(f.needs)
    print(f"  unpruned - optimum: objective {lost:+.1f} (what pruning the candidates costs)")


def main() -> int:
    print_matching(measure())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
