"""The fast path (every referral × helper pair at once, flag sets as bit words, scores as
lookups, only the pairs that can be among a referral's best scored) against the
straightforward one: each pair scored on its own, each referral's best found by sorting, and
the optimum found by trying every assignment, on small random worlds drawn like the bench's."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schakel.matching.domain.assignment import (
    MATCH_VALUE,
    URGENCY_PRIORITY,
    assign,
    candidates_of,
    reasons,
)
from schakel.matching.domain.batch import NeedBatch
from schakel.matching.domain.constraints import feasible
from schakel.matching.domain.helpers import AnyHelper
from schakel.matching.domain.offers import Need
from schakel.matching.domain.pairs import Pairs
from schakel.matching.domain.scores import contenders, total
from schakel.matching.domain.table import HelperTable
from schakel_dev.bench_matching import NOW, helper, need


def _world(seed: int, helpers: int, needs: int) -> tuple[list[Need], list[AnyHelper]]:
    rng = random.Random(seed)
    return [need(rng) for _ in range(needs)], [helper(rng, i) for i in range(helpers)]


def _one_by_one(needs: list[Need], helpers: list[AnyHelper]) -> Iterator[tuple[bool, float]]:
    """Each pair on its own: a table of one helper, a batch of one referral."""
    for n in needs:
        for h in helpers:
            one = HelperTable.of([h])
            batch = NeedBatch.of([n], one, NOW)
            score = total(batch, one, Pairs.every(1, 1))[0]
            yield bool(feasible(batch, one).allowed[0, 0]), float(score)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 16), st.integers(1, 5))
def test_every_pair_at_once_is_each_pair_on_its_own(seed: int, helpers: int, needs: int) -> None:
    ns, hs = _world(seed, helpers, needs)
    table = HelperTable.of(hs)
    batch = NeedBatch.of(ns, table, NOW)

    allowed = feasible(batch, table).allowed
    score = total(batch, table, Pairs.every(len(ns), len(hs)))

    alone = list(_one_by_one(ns, hs))
    assert allowed.ravel().tolist() == [fits for fits, _ in alone]
    assert score.ravel().tolist() == pytest.approx(
        [points for _, points in alone], abs=1e-6
    )  # a chord from one product or many


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 40), st.integers(1, 6))
def test_every_pair_can_reach_its_own_score(seed: int, helpers: int, needs: int) -> None:
    """``contenders`` leaves pairs out unscored: were a pair's score above what it says the
    pair can reach, a referral's best helper could be left out."""
    ns, hs = _world(seed, helpers, needs)
    table = HelperTable.of(hs)
    batch = NeedBatch.of(ns, table, NOW)

    score = total(batch, table, Pairs.every(len(ns), len(hs))).reshape(len(ns), len(hs))

    for j in range(len(hs)):  # each helper's scores as the bar, per referral
        assert contenders(batch, table, score[:, j])[:, j].all()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 80), st.integers(1, 6), st.integers(1, 8))
def test_the_candidates_are_each_referral_s_best_and_every_tie(
    seed: int, helpers: int, needs: int, k: int
) -> None:
    ns, hs = _world(seed, helpers, needs)
    table = HelperTable.of(hs)
    batch = NeedBatch.of(ns, table, NOW)
    allowed = feasible(batch, table).allowed
    score = total(batch, table, Pairs.every(len(ns), len(hs))).reshape(allowed.shape)

    kept = candidates_of(ns, table, NOW, k)

    for i in range(len(ns)):  # by sorting: the k-th best, and every pair at least as good
        ranked = sorted(score[i, allowed[i]], reverse=True)
        kth = ranked[k - 1] if len(ranked) >= k else -np.inf
        expected = {j for j in np.flatnonzero(allowed[i]) if score[i, j] >= kth}
        assert kept[i] == expected


def _best_by_trying_all(needs: list[Need], helpers: list[AnyHelper]) -> float:
    """The highest objective over every choice of a helper (or none) per referral."""
    pairs = np.array(list(_one_by_one(needs, helpers)), dtype=object).reshape(
        len(needs), len(helpers), 2
    )
    best = 0.0
    for choice in itertools.product(range(-1, len(helpers)), repeat=len(needs)):
        taken = [c for c in choice if c >= 0]
        if any(taken.count(j) > helpers[j].free for j in set(taken)):
            continue
        if not all(pairs[i, j, 0] for i, j in enumerate(choice) if j >= 0):
            continue
        best = max(
            best,
            sum(
                MATCH_VALUE + URGENCY_PRIORITY[needs[i].urgency] + pairs[i, j, 1]
                for i, j in enumerate(choice)
                if j >= 0
            ),
        )
    return best


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 6), st.integers(1, 4))
def test_the_optimum_is_the_best_of_every_assignment(seed: int, helpers: int, needs: int) -> None:
    ns, hs = _world(seed, helpers, needs)

    optimum = assign(ns, HelperTable.of(hs), NOW)

    assert optimum.value(ns) == pytest.approx(_best_by_trying_all(ns, hs), abs=1e-6)
    for m in optimum.matches:  # what the owner reads: the pair's own reasons
        assert m.reasons == reasons(ns[m.need_index], m.helper, NOW)
