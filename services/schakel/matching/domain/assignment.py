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
from schakel.matching.domain.constraints import feasible
from schakel.matching.domain.helpers import AnyHelper
from schakel.matching.domain.offers import Need
from schakel.matching.domain.scores import components, explain
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


@dataclass(frozen=True)
class _Row:
    allowed: BoolArray
    score: FloatArray
    reason: str | None  # why nothing fits; None when something does


def _row(need: Need, table: HelperTable, now: datetime) -> _Row:
    allowed, binding = feasible(need, table)
    if binding is not None:
        return _Row(allowed, np.zeros(len(table)), binding.reason)
    score = np.sum([c.points for c in components(need, table, now)], axis=0)
    return _Row(allowed, score, None)


def _match(index: int, need: Need, helper: AnyHelper, now: datetime) -> Match:
    """The pair with its reasons, scored again on a one-row table for the sentences."""
    one = HelperTable.of([helper])
    parts = components(need, one, now)
    score = float(sum(c.points[0] for c in parts))
    hard = (f"{helper.free} free place(s) before this proposal",)
    return Match(index, helper, score, hard + explain(parts, 0))


def propose_best(need: Need, table: HelperTable, now: datetime) -> Match | Waitlisted:
    """The best helper for one referral, now (ties: the first registered)."""
    row = _row(need, table, now)
    if row.reason is not None:
        return Waitlisted(0, row.reason)
    best = int(np.argmax(np.where(row.allowed, row.score, -np.inf)))
    return _match(0, need, table.helpers[best], now)


def assign(needs: Sequence[Need], table: HelperTable, now: datetime) -> Assignment:
    """The optimum over all ``needs`` and the table's free places: one helper per need at
    most, no helper beyond its free places."""
    rows = [_row(need, table, now) for need in needs]
    waitlisted = [Waitlisted(i, r.reason) for i, r in enumerate(rows) if r.reason is not None]
    open_rows = [i for i, r in enumerate(rows) if r.reason is None]
    if not open_rows:
        return Assignment((), tuple(waitlisted))
    allowed = np.array([rows[i].allowed for i in open_rows])
    used = np.flatnonzero(allowed.any(axis=0))
    places = np.minimum(table.free[used], len(open_rows))
    slot_helper = np.repeat(used, places)  # a helper's column once per free place
    value = np.zeros((len(open_rows), len(slot_helper)))
    for r, i in enumerate(open_rows):
        row = rows[i]
        gain = MATCH_VALUE + URGENCY_PRIORITY[needs[i].urgency] + row.score[slot_helper]
        value[r] = np.where(row.allowed[slot_helper], gain, 0.0)
    chosen_rows, chosen_slots = linear_sum_assignment(value, maximize=True)
    matches = []
    matched = set()
    for r, s in zip(chosen_rows, chosen_slots, strict=True):
        i, h = open_rows[int(r)], int(slot_helper[int(s)])
        if rows[i].allowed[h]:  # a zero-valued cell is no match, only the solver's filler
            matches.append(_match(i, needs[i], table.helpers[h], now))
            matched.add(i)
    waitlisted += [Waitlisted(i, COMPETITION) for i in open_rows if i not in matched]
    return Assignment(tuple(matches), tuple(sorted(waitlisted, key=lambda w: w.need_index)))


def greedy(needs: Sequence[Need], table: HelperTable, now: datetime) -> Assignment:
    """The baseline: one referral after another, first in line first, each taking its best
    helper with a place left."""
    free = table.free.copy()
    matches, waitlisted = [], []
    for i in first_in_line(needs, now):
        row = _row(needs[i], table, now)
        open_ = row.allowed & (free > 0)
        if row.reason is not None or not open_.any():
            waitlisted.append(Waitlisted(i, row.reason or COMPETITION))
            continue
        best = int(np.argmax(np.where(open_, row.score, -np.inf)))
        free[best] -= 1
        matches.append(_match(i, needs[i], table.helpers[best], now))
    return Assignment(tuple(matches), tuple(waitlisted))
