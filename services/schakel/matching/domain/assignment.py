"""Who gets which helper: the immediate best proposal for one referral, and the optimum over
all open referrals and the free capacity, solved with ``scipy.optimize.linear_sum_assignment``
on helpers expanded into one column per free place.

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
from scipy.optimize import linear_sum_assignment

from schakel.contracts.vocabulary import Urgency
from schakel.matching.domain.batch import NeedBatch
from schakel.matching.domain.constraints import feasible
from schakel.matching.domain.helpers import AnyHelper
from schakel.matching.domain.offers import Need
from schakel.matching.domain.scores import components, explain, total
from schakel.matching.domain.table import BoolArray, FloatArray, HelperTable

MATCH_VALUE = 1000.0
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
CHUNK = 128  # referrals scored at once: bounds the temporary arrays (chunk × helpers)


@dataclass(frozen=True)
class _Rows:
    allowed: BoolArray  # referrals × helpers
    score: FloatArray  # referrals × helpers
    why_not: list[str | None]  # per referral: why nothing fits; None when something does
    explained: bool  # matches come with their reasons


def _rows(needs: Sequence[Need], table: HelperTable, now: datetime, explained: bool) -> _Rows:
    batch = NeedBatch.of(needs, table, now)
    allowed = np.zeros((len(needs), len(table)), dtype=np.bool_)
    score = np.zeros((len(needs), len(table)))
    why_not: list[str | None] = []
    for start in range(0, len(needs), CHUNK):
        chunk = batch.rows(start, start + CHUNK)
        fit = feasible(chunk, table)
        allowed[start : start + len(chunk)] = fit.allowed
        score[start : start + len(chunk)] = total(chunk, table)
        why_not += [fit.reason(r, need) for r, need in enumerate(chunk.needs)]
    return _Rows(allowed, score, why_not, explained)


def reasons(need: Need, helper: AnyHelper, now: datetime) -> tuple[str, ...]:
    """Why this helper for this need: every score's sentence with its points."""
    one = HelperTable.of([helper])
    parts = components(NeedBatch.of([need], one, now), one)
    return (f"{helper.free} free place(s) before this proposal", *explain(parts, 0, 0))


def _match(
    index: int, needs: Sequence[Need], rows: _Rows, table: HelperTable, h: int, now: datetime
) -> Match:
    helper = table.helpers[h]
    why = reasons(needs[index], helper, now) if rows.explained else ()
    return Match(index, helper, float(rows.score[index, h]), why)


def propose_best(need: Need, table: HelperTable, now: datetime) -> Match | Waitlisted:
    """The best helper for one referral, now (ties: the first registered)."""
    rows = _rows([need], table, now, explained=True)
    if (reason := rows.why_not[0]) is not None:
        return Waitlisted(0, reason)
    best = int(np.argmax(np.where(rows.allowed[0], rows.score[0], -np.inf)))
    return _match(0, [need], rows, table, best, now)


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
    helpers go to the solver (None: all); the optimum over the pruned pairs, which differs
    from the full one only when a referral would need a helper outside its best ones."""
    rows = _rows(needs, table, now, explained)
    waitlisted = [Waitlisted(i, r) for i, r in enumerate(rows.why_not) if r is not None]
    open_rows = np.array([i for i, r in enumerate(rows.why_not) if r is None], dtype=np.int64)
    if not len(open_rows):
        return Assignment((), tuple(waitlisted))
    every = len(open_rows) == len(needs)  # then no copy of the referrals × helpers arrays
    allowed = rows.allowed if every else rows.allowed[open_rows]
    score = rows.score if every else rows.score[open_rows]
    if candidates is not None and allowed.shape[1] > candidates:
        allowed = allowed & _best(allowed, score, candidates)
    wanted_by = allowed.sum(axis=0)
    used = np.flatnonzero(wanted_by)
    # A helper's column once per free place, never more often than referrals could use it.
    slot_helper = np.repeat(used, np.minimum(table.free[used], wanted_by[used]))
    priority = np.array([URGENCY_PRIORITY[needs[i].urgency] for i in open_rows])
    gain = MATCH_VALUE + priority[:, None] + score[:, slot_helper]
    value = np.where(allowed[:, slot_helper], gain, 0.0)
    chosen_rows, chosen_slots = linear_sum_assignment(value, maximize=True)
    matches, matched = [], set()
    for r, s in zip(chosen_rows, chosen_slots, strict=True):
        i, h = int(open_rows[r]), int(slot_helper[s])
        if allowed[r, h]:  # a zero-valued cell is no match, only the solver's filler
            matches.append(_match(i, needs, rows, table, h, now))
            matched.add(i)
    waitlisted += [Waitlisted(int(i), COMPETITION) for i in open_rows if int(i) not in matched]
    return Assignment(tuple(matches), tuple(sorted(waitlisted, key=lambda w: w.need_index)))


def _best(allowed: BoolArray, score: FloatArray, k: int) -> BoolArray:
    """Per row, the ``k`` allowed columns of the highest score (fewer where fewer are
    allowed)."""
    cost = np.negative(score, where=allowed, out=np.full(score.shape, np.inf))
    top = np.argpartition(cost, k - 1, axis=1)[:, :k]
    keep = np.zeros_like(allowed)
    np.put_along_axis(keep, top, True, axis=1)
    return keep


def greedy(
    needs: Sequence[Need], table: HelperTable, now: datetime, explained: bool = True
) -> Assignment:
    """The baseline: one referral after another, first in line first, each taking its best
    helper with a place left."""
    rows = _rows(needs, table, now, explained)
    free = table.free.copy()
    matches, waitlisted = [], []
    for i in first_in_line(needs, now):
        open_ = rows.allowed[i] & (free > 0)
        if rows.why_not[i] is not None or not open_.any():
            waitlisted.append(Waitlisted(i, rows.why_not[i] or COMPETITION))
            continue
        best = int(np.argmax(np.where(open_, rows.score[i], -np.inf)))
        free[best] -= 1
        matches.append(_match(i, needs, rows, table, best, now))
    return Assignment(tuple(matches), tuple(waitlisted))
