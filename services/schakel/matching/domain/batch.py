"""Needs as arrays, read against one helper table's vocabularies: every constraint and score
is then one array operation over all referrals × all helpers (in chunks of referrals), the
same code for one new referral as for a thousand open ones."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from schakel.contracts.vocabulary import OfferKind
from schakel.matching.domain.offers import Need, kind_reason, suits_grade
from schakel.matching.domain.table import (
    AGE_BANDS,
    DAYPARTS,
    DIETS,
    GRADES,
    KINDS,
    YOUNG,
    Bits,
    BoolArray,
    FloatArray,
    HelperTable,
    IntArray,
    flags,
    packed,
)
from schakel.matching.domain.terms import Mobility, on_unit_sphere

DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class NeedBatch:
    needs: tuple[Need, ...]
    consent: BoolArray  # (n,)
    kind_allowed: BoolArray  # n × KINDS: by the Wegwijzer, urgency and the person's wishes
    kind_open: BoolArray  # n × KINDS: a proposal of this kind is open
    kind_points: FloatArray  # n × KINDS
    grade: IntArray  # index into the table's grade columns; -1: ungraded
    housebound: BoolArray
    district: IntArray  # index into the table's district vocabulary; -2: none there
    diets: BoolArray  # n × DIETS
    first_language: BoolArray  # n × the table's languages
    languages: BoolArray
    interests: BoolArray  # n × the table's interests
    age_band: IntArray  # index into AGE_BANDS; -1: unknown
    young: BoolArray
    availability: BoolArray  # n × DAYPARTS
    where: FloatArray  # referrals × 3, on the unit sphere; NaN: unknown
    waiting_days: FloatArray
    # The flag sets above as bit words (``packed``), for every pair at once.
    diet_bits: Bits
    first_language_bits: Bits
    language_bits: Bits
    interest_bits: Bits
    availability_bits: Bits

    def __len__(self) -> int:
        return len(self.needs)

    @classmethod
    def of(cls, needs: Sequence[Need], table: HelperTable, now: datetime) -> NeedBatch:
        ns = tuple(needs)
        per_kind = (len(ns), len(KINDS))
        flagged = {
            "diets": flags([tuple(n.diets) for n in ns], DIETS),
            "first_language": flags([n.languages[:1] for n in ns], table.language_vocabulary),
            "languages": flags([n.languages for n in ns], table.language_vocabulary),
            "interests": flags([tuple(n.interests) for n in ns], table.interest_vocabulary),
            "availability": flags([tuple(n.availability) for n in ns], DAYPARTS),
        }
        return cls(
            needs=ns,
            consent=_bools(n.consent_to_contact for n in ns),
            kind_allowed=_bools(_kind_allowed(k, n) for n in ns for k in KINDS).reshape(per_kind),
            kind_open=_bools(k in n.open_kinds for n in ns for k in KINDS).reshape(per_kind),
            kind_points=_floats(_kind_points(k, n) for n in ns for k in KINDS).reshape(per_kind),
            grade=_ints(_index(GRADES, n.grade, -1) for n in ns),
            housebound=_bools(n.mobility is Mobility.AAN_HUIS_GEBONDEN for n in ns),
            district=_ints(_index(table.district_vocabulary, n.district, -2) for n in ns),
            diets=flagged["diets"],
            first_language=flagged["first_language"],
            languages=flagged["languages"],
            interests=flagged["interests"],
            age_band=_ints(_index(AGE_BANDS, n.age_band, -1) for n in ns),
            young=_bools(n.age_band in YOUNG for n in ns),
            availability=flagged["availability"],
            where=on_unit_sphere([n.location for n in ns]),
            waiting_days=_floats(_waited(n, now) for n in ns),
            diet_bits=packed(flagged["diets"]),
            first_language_bits=packed(flagged["first_language"]),
            language_bits=packed(flagged["languages"]),
            interest_bits=packed(flagged["interests"]),
            availability_bits=packed(flagged["availability"]),
        )

    def rows(self, start: int, stop: int) -> NeedBatch:
        """The referrals ``start:stop`` (every array cut alike)."""
        return NeedBatch(**{name: value[start:stop] for name, value in vars(self).items()})

    def at(self, rows: IntArray) -> NeedBatch:
        """The referrals at ``rows``, in that order."""
        picked = {name: value[rows] for name, value in vars(self).items() if name != "needs"}
        return NeedBatch(needs=tuple(self.needs[int(r)] for r in rows), **picked)


def _bools(values: Iterable[bool]) -> BoolArray:
    return np.fromiter(values, dtype=np.bool_)


def _ints(values: Iterable[int]) -> IntArray:
    return np.fromiter(values, dtype=np.int64)


def _floats(values: Iterable[float]) -> FloatArray:
    return np.fromiter(values, dtype=np.float64)


def _index(vocabulary: Sequence[object], value: object, missing: int) -> int:
    return vocabulary.index(value) if value in vocabulary else missing


def _kind_allowed(kind: OfferKind, need: Need) -> bool:
    if need.grade is None:
        return False
    return suits_grade(kind, frozenset({need.grade}), need)


def _kind_points(kind: OfferKind, need: Need) -> float:
    reason = kind_reason(kind, need) if need.grade is not None else None
    return 0.0 if reason is None else reason[0]


def _waited(need: Need, now: datetime) -> float:
    if need.waiting_since is None:
        return 0.0
    return max((now - need.waiting_since).total_seconds() / DAY_SECONDS, 0.0)
