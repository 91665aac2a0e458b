"""Soft scores: how well a helper who breaks no constraint fits, each one array over the
referral × helper pairs given (``Pairs``: the optimum scores only those that break no
constraint) with the sentence a social broker reads for any one pair.

Sources: the kind of support in the person's or the Wegwijzer's order (004 §7); Thuisgekookt
matches people "die zo dicht mogelijk bij elkaar in de buurt wonen" (004 §6, 000), hence the
steep distance curve for cooks; young people get youth and peer offers first (issue 12; 004
§7 names young people as a risk group and *lotgenotencontact* as support). The documents
say nothing of language, interests, availability or waiting time as matching criteria: those
weights are the project's, chosen so that none of them outweighs one step in the kind order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from schakel.matching.domain.batch import NeedBatch
from schakel.matching.domain.offers import KIND_PREFERENCE, KIND_STEP, kind_reason
from schakel.matching.domain.pairs import Pairs
from schakel.matching.domain.table import (
    AGE_BANDS,
    DAYPARTS,
    KINDS,
    YOUNG,
    BoolArray,
    FloatArray,
    HelperTable,
    any_per_row,
    share_any,
    shared,
)
from schakel.matching.domain.terms import great_circle_km

DISTANCE_POINTS = 5.0
DISTANCE_RANGE_KM = 5.0  # a visit or an activity: within cycling distance
COOK_RANGE_KM = 1.5  # a cook: "a few streets" scores highest, across town hardly at all
A_FEW_STREETS_KM = 0.5
LANGUAGE_POINTS = 3.0  # the person's preferred language; another shared one gets half
INTEREST_POINTS = 1.0  # per shared interest, at most three
MAX_INTERESTS = 3
AGE_FIT_POINTS = 2.0
# A helper who wants to support another age group (the visiting buddy for people over 80
# offered to someone of 22, issue 12) and a youth or peer offer for a young person each
# outweigh one step in the kind order, so young people get youth and peer offers first.
AGE_MISFIT_POINTS = -1.5 * KIND_STEP
YOUTH_POINTS = 1.5 * KIND_STEP
AVAILABILITY_POINTS = 1.0  # per shared part of the week, at most two
MAX_DAYPARTS = 2
WAITING_POINTS_PER_WEEK = 0.5
MAX_WAITING_POINTS = 4.0

Text = Callable[[int], str | None]  # (pair) → sentence


@dataclass(frozen=True)
class Component:
    """One score for every pair, and its sentence for any one pair."""

    points: FloatArray  # per pair
    text: Text


def _named(vocabulary: Sequence[str], flags: BoolArray) -> list[str]:
    return [str(v) for v, on in zip(vocabulary, flags, strict=True) if on]


def kind(b: NeedBatch, t: HelperTable, p: Pairs) -> Component:
    kinds = np.take(t.kind, p.helper)

    def text(k: int) -> str | None:
        need, offer_kind = b.needs[p.need[k]], KINDS[int(kinds[k])]
        reason = kind_reason(offer_kind, need) if need.grade in KIND_PREFERENCE else None
        return None if reason is None else reason[1]

    return Component(np.take(b.kind_points, p.need * len(KINDS) + kinds), text)


def distance(b: NeedBatch, t: HelperTable, p: Pairs) -> Component:
    km = great_circle_km(b.where, t.where, p.need, p.helper)
    cook, phone = t.is_cook[p.helper], t.by_phone[p.helper]
    closeness = 1 - km / np.where(cook, COOK_RANGE_KM, DISTANCE_RANGE_KM)
    np.fmin(np.fmax(closeness, 0.0, out=closeness), 1.0, out=closeness)  # fmax: unknown is 0
    closeness *= DISTANCE_POINTS
    points = np.where(phone, DISTANCE_POINTS / 2, closeness)

    def text(k: int) -> str | None:
        if phone[k]:
            return "by phone: distance plays no part"
        if np.isnan(km[k]):
            return None
        near = " (a few streets)" if cook[k] and km[k] <= A_FEW_STREETS_KM else ""
        return f"{km[k]:.1f} km away{near}"

    return Component(points, text)


def language(b: NeedBatch, t: HelperTable, p: Pairs) -> Component:
    theirs = np.take(t.language_bits, p.helper, axis=0)
    shares_first = share_any(np.take(b.first_language_bits, p.need, axis=0), theirs)
    shares_any = share_any(
        np.take(b.language_bits, p.need, axis=0), theirs
    )  # the first is one of them
    level = shares_first.view(np.uint8) + shares_any.view(np.uint8)  # 0, 1 or 2 halves
    points = np.multiply(level, LANGUAGE_POINTS / 2, dtype=np.float64)

    def text(k: int) -> str | None:
        need = b.needs[p.need[k]]
        if not need.languages:
            return None
        if shares_first[k]:
            return f"speaks {need.languages[0]}, the person's preferred language"
        if shares_any[k]:
            return "shares a language the person speaks"
        return "shares none of the person's languages"

    return Component(points, text)


def interests(b: NeedBatch, t: HelperTable, p: Pairs) -> Component:
    both = shared(
        np.take(b.interest_bits, p.need, axis=0), np.take(t.interest_bits, p.helper, axis=0)
    )
    points = np.multiply(np.minimum(both, MAX_INTERESTS), INTEREST_POINTS, dtype=np.float64)

    def text(k: int) -> str | None:
        flags = b.interests[p.need[k]] & t.interests[p.helper[k]]
        both = _named(t.interest_vocabulary, flags)
        return f"shared interests: {', '.join(both)}" if both else None

    return Component(points, text)


def _age_points(t: HelperTable) -> FloatArray:
    """Per age band and helper the points, and a last row of zeros for an unknown age: the
    score of a pair is then the row of the person's band (``-1``: the last)."""
    any_age = ~any_per_row(t.age_groups)[None, :]
    fit = np.where(any_age, 0.0, np.where(t.age_groups.T, AGE_FIT_POINTS, AGE_MISFIT_POINTS))
    youth = _YOUNG_BANDS[:, None] & t.youth[None, :]
    return np.vstack([fit + np.where(youth, YOUTH_POINTS, 0.0), np.zeros((1, len(t)))])


_YOUNG_BANDS = np.array([band in YOUNG for band in AGE_BANDS], dtype=np.bool_)


def age_fit(b: NeedBatch, t: HelperTable, p: Pairs) -> Component:
    table = _age_points(t)
    band = np.take(b.age_band, p.need) % len(table)  # -1, unknown: the last row
    points = np.take(table, band * len(t) + p.helper)

    def text(k: int) -> str | None:
        r, j = p.need[k], p.helper[k]
        parts = []
        if b.young[r] and t.youth[j]:
            parts.append("a youth or peer offer: young people get these first")
        band = int(b.age_band[r])
        if band >= 0 and t.age_groups[j].any():
            wants = ", ".join(_named(AGE_BANDS, t.age_groups[j]))
            verdict = "fits" if t.age_groups[j, band] else "does not fit"
            parts.append(f"wants to support ages {wants}: {verdict} age {b.needs[r].age_band}")
        return "; ".join(parts) or None

    return Component(points, text)


def availability(b: NeedBatch, t: HelperTable, p: Pairs) -> Component:
    both = shared(
        np.take(b.availability_bits, p.need, axis=0), np.take(t.availability_bits, p.helper, axis=0)
    )
    points = np.multiply(np.minimum(both, MAX_DAYPARTS), AVAILABILITY_POINTS, dtype=np.float64)

    def text(k: int) -> str | None:
        both = _named(DAYPARTS, b.availability[p.need[k]] & t.availability[p.helper[k]])
        return f"available {', '.join(both)}" if both else None

    return Component(points, text)


def _waiting_points(b: NeedBatch) -> FloatArray:
    return np.minimum(b.waiting_days / 7 * WAITING_POINTS_PER_WEEK, MAX_WAITING_POINTS)


def waiting(b: NeedBatch, t: HelperTable, p: Pairs) -> Component:
    """The same for every helper: it decides who goes first when helpers are scarce."""
    per_need = _waiting_points(b)

    def text(k: int) -> str | None:
        days = b.waiting_days[p.need[k]]
        return f"waiting {days:.0f} day(s)" if days >= 1 else None

    return Component(per_need[p.need], text)


SCORES: tuple[Callable[[NeedBatch, HelperTable, Pairs], Component], ...] = (
    kind,
    distance,
    language,
    interests,
    age_fit,
    availability,
    waiting,
)


def components(b: NeedBatch, t: HelperTable, p: Pairs) -> list[Component]:
    return [score(b, t, p) for score in SCORES]


def total(b: NeedBatch, t: HelperTable, p: Pairs) -> FloatArray:
    """Every pair's score: only the ``p`` given are computed (those that break no
    constraint, when the optimum asks)."""
    points = np.zeros(len(p))
    for score in SCORES:  # in this order, so every sum rounds as it always did
        points += score(b, t, p).points
    return points


# The scores that never exceed a known most, the distance (the costliest) among them.
MOST: dict[Callable[[NeedBatch, HelperTable, Pairs], Component], float] = {
    distance: DISTANCE_POINTS,
    language: LANGUAGE_POINTS,
    interests: MAX_INTERESTS * INTEREST_POINTS,
    availability: MAX_DAYPARTS * AVAILABILITY_POINTS,
}
ROUNDING = 1e-9  # sums in another order may round the other way


def contenders(b: NeedBatch, t: HelperTable, at_least: FloatArray) -> BoolArray:
    """For every pair (referrals × helpers) whether its score can reach ``at_least`` (one
    per referral): ``total`` never exceeds kind, age fit and waiting as they are plus the
    scores in ``MOST`` at their most. Cheap (lookups in small tables), so a pair that
    cannot be among a referral's best is left out before it is scored."""
    known = np.take(b.kind_points, t.kind, axis=1)
    known += np.take(_age_points(t), b.age_band, axis=0)
    rest = _waiting_points(b) + sum(MOST.values()) + ROUNDING
    can: BoolArray = known >= (at_least - rest)[:, None]
    return can


def explain(parts: list[Component], k: int) -> tuple[str, ...]:
    """Each score's sentence for pair ``k``, with its points."""
    out = []
    for c in parts:
        if (text := c.text(k)) is not None:
            out.append(f"{text} ({c.points[k]:+.1f})")
    return tuple(out)
