"""Soft scores: how well a helper who breaks no constraint fits, each with the sentence a
social broker reads.

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
from datetime import datetime

import numpy as np

from schakel.matching.domain.offers import KIND_STEP, Need, kind_reason
from schakel.matching.domain.table import (
    AGE_BANDS,
    DAYPARTS,
    KINDS,
    YOUNG,
    BoolArray,
    FloatArray,
    HelperTable,
    any_per_row,
    flags_of,
)
from schakel.matching.domain.terms import EARTH_RADIUS_KM, Location

DISTANCE_POINTS = 5.0
DISTANCE_RANGE_KM = 5.0  # a visit or an activity: within cycling distance
COOK_RANGE_KM = 1.5  # a cook: "a few streets" scores highest, across town hardly at all
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

Texts = Callable[[int], str | None]


@dataclass(frozen=True)
class Component:
    """One score for every helper in a table, and its sentence for the helper at an index."""

    points: FloatArray
    text: Texts


def _named(vocabulary: Sequence[str], flags: BoolArray) -> list[str]:
    return [str(v) for v, on in zip(vocabulary, flags, strict=True) if on]


def kind(need: Need, table: HelperTable, now: datetime) -> Component:
    reasons = [kind_reason(k, need) if need.grade else None for k in KINDS]
    per_kind = np.array([r[0] if r else 0.0 for r in reasons])
    return Component(per_kind[table.kind], lambda i: _second(reasons[int(table.kind[i])]))


def _second(reason: tuple[float, str] | None) -> str | None:
    return None if reason is None else reason[1]


def great_circle_km_array(origin: Location | None, table: HelperTable) -> FloatArray:
    """``great_circle_km`` from ``origin`` to every helper at once; NaN where unknown."""
    if origin is None:
        return np.full(len(table), np.nan)
    phi1, phi2 = np.radians(origin.lat), np.radians(table.lat)
    dphi, dlmb = phi2 - phi1, np.radians(table.lon - origin.lon)
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))  # type: ignore[no-any-return]


def distance(need: Need, table: HelperTable, now: datetime) -> Component:
    km = great_circle_km_array(need.location, table)
    reach = np.where(table.is_cook, COOK_RANGE_KM, DISTANCE_RANGE_KM)
    closeness = np.clip(1 - km / reach, 0.0, 1.0)
    points = np.where(table.by_phone, DISTANCE_POINTS / 2, DISTANCE_POINTS * closeness)
    points = np.nan_to_num(points, nan=0.0)

    def text(i: int) -> str | None:
        if table.by_phone[i]:
            return "by phone: distance plays no part"
        if np.isnan(km[i]):
            return None
        near = " (a few streets)" if table.is_cook[i] and km[i] <= 0.5 else ""
        return f"{km[i]:.1f} km away{near}"

    return Component(points, text)


def language(need: Need, table: HelperTable, now: datetime) -> Component:
    vocabulary = table.language_vocabulary
    if not need.languages:
        return Component(np.zeros(len(table)), lambda i: None)
    first = flags_of(need.languages[:1], vocabulary)
    any_ = flags_of(need.languages, vocabulary)
    shares_first = any_per_row(table.languages & first)
    shares_any = any_per_row(table.languages & any_)
    points = np.where(shares_first, LANGUAGE_POINTS, np.where(shares_any, LANGUAGE_POINTS / 2, 0))

    def text(i: int) -> str:
        if shares_first[i]:
            return f"speaks {need.languages[0]}, the person's preferred language"
        if shares_any[i]:
            return "shares a language the person speaks"
        return "shares none of the person's languages"

    return Component(points.astype(np.float64), text)


def interests(need: Need, table: HelperTable, now: datetime) -> Component:
    vocabulary = table.interest_vocabulary
    wanted = flags_of(need.interests, vocabulary)
    shared = (table.interests & wanted).sum(axis=1)
    points = INTEREST_POINTS * np.minimum(shared, MAX_INTERESTS).astype(np.float64)

    def text(i: int) -> str | None:
        both = _named(vocabulary, table.interests[i] & wanted)
        return f"shared interests: {', '.join(both)}" if both else None

    return Component(points, text)


def age_fit(need: Need, table: HelperTable, now: datetime) -> Component:
    if need.age_band is None:
        return Component(np.zeros(len(table)), lambda i: None)
    band = AGE_BANDS.index(need.age_band)
    any_age = ~any_per_row(table.age_groups)
    fits = table.age_groups[:, band]
    points = np.where(any_age, 0.0, np.where(fits, AGE_FIT_POINTS, AGE_MISFIT_POINTS))
    young = need.age_band in YOUNG
    if young:
        points = points + np.where(table.youth, YOUTH_POINTS, 0.0)

    def text(i: int) -> str | None:
        parts = []
        if young and table.youth[i]:
            parts.append("a youth or peer offer: young people get these first")
        if not any_age[i]:
            wants = ", ".join(
                b.value for b, on in zip(AGE_BANDS, table.age_groups[i], strict=True) if on
            )
            verdict = "fits" if fits[i] else "does not fit"
            parts.append(f"wants to support ages {wants}: {verdict} age {need.age_band}")
        return "; ".join(parts) or None

    return Component(points.astype(np.float64), text)


def availability(need: Need, table: HelperTable, now: datetime) -> Component:
    wanted = flags_of(need.availability, DAYPARTS)
    shared = (table.availability & wanted).sum(axis=1)
    points = AVAILABILITY_POINTS * np.minimum(shared, MAX_DAYPARTS).astype(np.float64)

    def text(i: int) -> str | None:
        both = [
            d.value for d, on in zip(DAYPARTS, table.availability[i] & wanted, strict=True) if on
        ]
        return f"available {', '.join(both)}" if both else None

    return Component(points, text)


def waiting_days(need: Need, now: datetime) -> float:
    if need.waiting_since is None:
        return 0.0
    return max((now - need.waiting_since).total_seconds() / 86400, 0.0)


def waiting(need: Need, table: HelperTable, now: datetime) -> Component:
    """The same for every helper: it decides who goes first when helpers are scarce."""
    days = waiting_days(need, now)
    points = min(days / 7 * WAITING_POINTS_PER_WEEK, MAX_WAITING_POINTS)
    text = f"waiting {days:.0f} day(s)" if days >= 1 else None
    return Component(np.full(len(table), points), lambda i: text)


SCORES: tuple[Callable[[Need, HelperTable, datetime], Component], ...] = (
    kind,
    distance,
    language,
    interests,
    age_fit,
    availability,
    waiting,
)


def components(need: Need, table: HelperTable, now: datetime) -> list[Component]:
    return [score(need, table, now) for score in SCORES]


def total(need: Need, table: HelperTable, now: datetime) -> FloatArray:
    parts = components(need, table, now)
    return np.sum([c.points for c in parts], axis=0) if parts else np.zeros(len(table))


def explain(parts: list[Component], i: int) -> tuple[str, ...]:
    """Each score's sentence for helper ``i``, with its points."""
    out = []
    for c in parts:
        if (text := c.text(i)) is not None:
            out.append(f"{text} ({c.points[i]:+.1f})")
    return tuple(out)
