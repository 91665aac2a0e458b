"""Who gets which helper: the immediate best proposal for one referral, and the optimum over
all open referrals and the free capacity, solved as a sparse assignment
(``scipy.sparse.csgraph.min_weight_full_bipartite_matching``) on helpers expanded into one
place per free place. Only the pairs that break no hard constraint are scored, and for the
optimum only those that can be among a referral's best ``CANDIDATES``.

The objective, per matched pair: ``MATCH_VALUE`` (someone helped: one more match outweighs
any difference in fit between two pairs), plus the referral's priority (urgency), plus the
soft scores (waiting time among them). A row's priority adds to every pair of that row, so
it never changes which helper suits it best, only who goes first when helpers are scarce.
Urgency deciding who goes first is issue 12's rule; the documents only say urgent signals
need a quick professional response (004, domain README "Urgency is not the grade").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from schakel.contracts.vocabulary import Urgency
from schakel.matching.domain.batch import NeedBatch
from schakel.matching.domain.constraints import feasible
from schakel.matching.domain.helpers import AnyHelper
from schakel.matching.domain.offers import Need
from schakel.matching.domain.pairs import Pairs
from schakel.matching.domain.scores import components, contenders, explain, total
from schakel.matching.domain.table import BoolArray, FloatArray, HelperTable, IntArray

MATCH_VALUE = 1000.0
# What no match costs the solver, above every gain (``MATCH_VALUE``, urgency and scores).
NONE_COST = 4 * MATCH_VALUE
URGENCY_PRIORITY: dict[Urgency, float] = {
    Urgency.ROUTINE: 0.0,
    Urgency.SPOEDIG: 100.0,
    Urgency.DIRECT: 200.0,
}
COMPETITION = "capacity: the helpers that fit went to referrals that go first"


@dataclass(frozen=True)
class Match:
    need_index: int
    helper: AnyHelper
    score: float  # the soft scores' sum
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Waitlisted:
    need_index: int
    reason: str  # the constraint that bound, named first


@dataclass(frozen=True)
class Assignment:
    matches: tuple[Match, ...]
    waitlisted: tuple[Waitlisted, ...]

    def value(self, needs: Sequence[Need]) -> float:
        """The objective: what the solver maximises, comparable between solutions."""
        return sum(
            MATCH_VALUE + URGENCY_PRIORITY[needs[m.need_index].urgency] + m.score
            for m in self.matches
        )

    @property
    def total_score(self) -> float:
        return sum(m.score for m in self.matches)


def first_in_line(needs: Sequence[Need], now: datetime) -> list[int]:
    """Indices of ``needs``, the most urgent first, then the longest waiting."""
    rank = {u: -p for u, p in URGENCY_PRIORITY.items()}
    return sorted(
        range(len(needs)),
        key=lambda i: (rank[needs[i].urgency], needs[i].waiting_since or now, i),
    )


# Helpers per referral given to the solver: the solver's columns shrink from every free place
# to the places some referral ranks among its best, which is where its time goes.
CANDIDATES = 20
CHUNK = 128  # referrals checked at once: bounds the temporary arrays (chunk × helpers)
SAMPLE_EVERY = 16  # a referral's k-th best among every 16th of its pairs bounds its k-th best


@dataclass(frozen=True)
class _Scored:
    """The pairs that break no constraint, with their scores (referral by referral, each
    referral's helpers in registry order), and per referral why nothing fits."""

    need: IntArray
    helper: IntArray
    score: FloatArray
    why_not: list[str | None]  # None when something fits
    explained: bool  # matches come with their reasons

    def of_need(self, i: int) -> slice:
        lo, hi = np.searchsorted(self.need, [i, i + 1])
        return slice(int(lo), int(hi))

    def score_of(self, i: int, h: int) -> float:
        pair = self.of_need(i)
        return float(self.score[pair][np.searchsorted(self.helper[pair], h)])


def _scored(
    needs: Sequence[Need], table: HelperTable, now: datetime, explained: bool, best: int | None
) -> _Scored:
    """Every referral's allowed pairs scored; ``best``: only each one's best that many (and
    any tied with the last of them) are kept."""
    batch = NeedBatch.of(needs, table, now)
    none = np.zeros(0, dtype=np.int64)
    kept: list[tuple[IntArray, IntArray, FloatArray]] = [(none, none, np.zeros(0))]
    why_not: list[str | None] = []
    for start in range(0, len(needs), CHUNK):
        chunk = batch.rows(start, start + CHUNK)
        fit = feasible(chunk, table)
        if best is None:
            pairs = Pairs.allowed(fit.allowed)
            score = total(chunk, table, pairs)
        else:
            pairs, score = _best_pairs(chunk, table, fit.allowed, best)
        kept.append((pairs.need + start, pairs.helper, score))
        why_not += [fit.reason(r, need) for r, need in enumerate(chunk.needs)]
    need, helper, score = (np.concatenate(part) for part in zip(*kept, strict=True))
    return _Scored(need, helper, score, why_not, explained)


def _best_pairs(
    b: NeedBatch, table: HelperTable, allowed: BoolArray, k: int
) -> tuple[Pairs, FloatArray]:
    """Per referral the allowed pairs of its ``k`` best scores (and every pair tied with the
    ``k``-th: which of them to drop would be arbitrary), scoring as few as it can: the
    ``k``-th best of a sample (every 16th helper) is never above the ``k``-th best of all,
    so a pair that cannot reach it is left out unscored."""
    sample = Pairs.allowed(allowed, every=SAMPLE_EVERY)
    bound = _kth_of_few(sample.need, total(b, table, sample), k, len(b))
    pairs = Pairs.allowed(allowed & contenders(b, table, bound))
    score = total(b, table, pairs)
    keep = score >= _kth_best(pairs.need, score, k, len(b))[pairs.need]
    return pairs.kept(keep), score[keep]


def _kth_best(need: IntArray, score: FloatArray, k: int, needs: int) -> FloatArray:
    """Per referral the ``k``-th highest score of its pairs; -inf with fewer than ``k``.
    Thousands of pairs a referral cost too much to partition, so a strided sample bounds
    it from below first and only the pairs at or above that bound are partitioned."""
    sample = slice(None, None, SAMPLE_EVERY)
    bound = _kth_of_few(need[sample], score[sample], k, needs)
    near = score >= bound[need]
    return _kth_of_few(need[near], score[near], k, needs)


def _kth_of_few(need: IntArray, score: FloatArray, k: int, needs: int) -> FloatArray:
    """The same by partitioning a referrals × most pairs table, padded with -inf."""
    counts = np.bincount(need, minlength=needs)
    width = max(int(counts.max(initial=0)), k)
    padded = np.full((needs, width), -np.inf)
    padded[need, np.arange(len(need)) - (np.cumsum(counts) - counts)[need]] = score
    kth: FloatArray = np.partition(padded, width - k, axis=1)[:, width - k]
    return kth


def candidates_of(
    needs: Sequence[Need], table: HelperTable, now: datetime, best: int
) -> list[set[int]]:
    """Per referral the helpers (rows of ``table``) the solver gets with ``best``
    candidates."""
    scored = _scored(needs, table, now, explained=False, best=best)
    return [set(scored.helper[scored.of_need(i)].tolist()) for i in range(len(needs))]


def reasons(need: Need, helper: AnyHelper, now: datetime) -> tuple[str, ...]:
    """Why this helper for this need: every score's sentence with its points."""
    one = HelperTable.of([helper])
    parts = components(NeedBatch.of([need], one, now), one, Pairs.every(1, 1))
    return (f"{helper.free} free place(s) before this proposal", *explain(parts, 0))


def _match(
    index: int, needs: Sequence[Need], scored: _Scored, table: HelperTable, h: int, now: datetime
) -> Match:
    helper = table.helpers[h]
    why = reasons(needs[index], helper, now) if scored.explained else ()
    return Match(index, helper, scored.score_of(index, h), why)


def propose_best(need: Need, table: HelperTable, now: datetime) -> Match | Waitlisted:
    """The best helper for one referral, now (ties: the first registered)."""
    scored = _scored([need], table, now, explained=True, best=None)
    if (reason := scored.why_not[0]) is not None:
        return Waitlisted(0, reason)
    return _match(0, [need], scored, table, int(scored.helper[np.argmax(scored.score)]), now)


def assign(
    needs: Sequence[Need],
    table: HelperTable,
    now: datetime,
    explained: bool = True,
    candidates: int | None = CANDIDATES,
) -> Assignment:
    """The optimum over all ``needs`` and the table's free places: one helper per need at
    most, no helper beyond its free places. ``explained=False`` leaves the reasons out (a
    caller explains only what it proposes). ``candidates``: each referral's best that many
    helpers (and any tied with the last of them) go to the solver (None: all); the optimum
    over the pruned pairs, which differs from the full one only when a referral would need
    a helper outside its best ones."""
    scored = _scored(needs, table, now, explained, candidates)
    waitlisted = [Waitlisted(i, r) for i, r in enumerate(scored.why_not) if r is not None]
    open_rows = np.array([i for i, r in enumerate(scored.why_not) if r is None], dtype=np.int64)
    if not len(open_rows):
        return Assignment((), tuple(waitlisted))
    matches, matched = [], set()
    for i, h in _solve(needs, scored, open_rows, table):
        matches.append(_match(i, needs, scored, table, h, now))
        matched.add(i)
    waitlisted += [Waitlisted(int(i), COMPETITION) for i in open_rows if int(i) not in matched]
    return Assignment(tuple(matches), tuple(sorted(waitlisted, key=lambda w: w.need_index)))


def _solve(
    needs: Sequence[Need], scored: _Scored, open_rows: IntArray, table: HelperTable
) -> list[tuple[int, int]]:
    """The optimum as (referral, helper) pairs, in the referrals' order. The solver's
    graph: open referrals × places, a helper once per free place (never more often than
    referrals could use it), an edge for each scored pair to each place of its helper; and
    for each referral a place of its own that stands for no match, so that every referral
    is matched to some place and a full matching always exists. Costs are ``NONE_COST``
    less the gain, so the cheapest full matching is the one of the highest gain."""
    row_of = np.zeros(len(needs), dtype=np.int64)
    row_of[open_rows] = np.arange(len(open_rows))  # every pair's referral is an open one
    places = np.minimum(table.free, np.bincount(scored.helper, minlength=len(table)))
    first = np.cumsum(places) - places  # a helper's first place
    per_pair = places[scored.helper]
    place = np.repeat(first[scored.helper] - np.cumsum(per_pair) + per_pair, per_pair)
    place += np.arange(len(place))  # then each of the helper's places in turn
    priority = np.array([URGENCY_PRIORITY[n.urgency] for n in needs])
    gain = MATCH_VALUE + priority[scored.need] + scored.score
    referrals, slots = len(open_rows), int(places.sum())
    none = slots + np.arange(referrals)
    cost = csr_array(
        (
            np.concatenate([np.repeat(NONE_COST - gain, per_pair), np.full(referrals, NONE_COST)]),
            (
                np.concatenate([np.repeat(row_of[scored.need], per_pair), np.arange(referrals)]),
                np.concatenate([place, none]),
            ),
        ),
        shape=(referrals, slots + referrals),
    )
    rows, chosen = min_weight_full_bipartite_matching(cost)
    helper_of = np.repeat(np.arange(len(table)), places)
    return [
        (int(open_rows[r]), int(helper_of[c]))
        for r, c in zip(rows, chosen, strict=True)
        if c < slots
    ]


def greedy(
    needs: Sequence[Need], table: HelperTable, now: datetime, explained: bool = True
) -> Assignment:
    """The baseline: one referral after another, first in line first, each taking its best
    helper with a place left."""
    scored = _scored(needs, table, now, explained, best=None)
    free = table.free.copy()
    matches, waitlisted = [], []
    for i in first_in_line(needs, now):
        pair = scored.of_need(i)
        helpers = scored.helper[pair]
        open_ = free[helpers] > 0
        if scored.why_not[i] is not None or not open_.any():
            waitlisted.append(Waitlisted(i, scored.why_not[i] or COMPETITION))
            continue
        best = int(helpers[np.argmax(np.where(open_, scored.score[pair], -np.inf))])
        free[best] -= 1
        matches.append(_match(i, needs, scored, table, best, now))
    return Assignment(tuple(matches), tuple(waitlisted))
