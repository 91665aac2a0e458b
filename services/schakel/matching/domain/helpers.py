"""The helpers in matching's registries: buddies (*maatjes*), home cooks (Thuisgekookt) and
activities (*Welzijn op recept* and the city's offer). None is personal data in the event
stream: a helper is a pseudonymous id, an organisation and a postcode area's centroid.

Which grades a buddy or a cook serves is not theirs to say: it follows from the Wegwijzer's
kinds per grade (``KIND_PREFERENCE``, 004 §7), the same table the Table 1 offers are matched by.
An activity names the grades it serves, as Table 1 lists each activity under a grade.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from schakel.contracts.vocabulary import AgeBand, Daypart, Grade, OfferKind
from schakel.matching.domain.offers import KIND_PREFERENCE, MaatjeType
from schakel.matching.domain.terms import Diet, Location, served_diets


class HelperStatus(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"  # never proposed again


def grades_for(kind: OfferKind) -> frozenset[Grade]:
    """The grades whose Wegwijzer support includes ``kind`` (004 §7)."""
    return frozenset(g for g, kinds in KIND_PREFERENCE.items() if kind in kinds)


@dataclass(frozen=True, kw_only=True)
class Helper:
    """What every helper has: who coordinates them, where, for whom, when, and how many
    people they can take on (``capacity``) of which ``in_use`` are taken."""

    helper_id: str
    organisation: str  # the provider's organisation id: its coordinators manage the helper
    location: Location | None  # None: city-wide or by phone
    capacity: int
    in_use: int = 0
    status: HelperStatus = HelperStatus.ACTIVE
    languages: frozenset[str] = frozenset({"nl"})
    age_groups: frozenset[AgeBand] = frozenset()  # empty: any age
    availability: frozenset[Daypart] = frozenset()  # empty: not said

    @property
    def kind(self) -> OfferKind:
        raise NotImplementedError

    @property
    def grades(self) -> frozenset[Grade]:
        return grades_for(self.kind)

    @property
    def free(self) -> int:
        return max(self.capacity - self.in_use, 0)

    @property
    def active(self) -> bool:
        return self.status is HelperStatus.ACTIVE

    @property
    def by_phone(self) -> bool:
        return False

    @property
    def diets(self) -> frozenset[Diet]:
        return frozenset()

    @property
    def interests(self) -> frozenset[str]:
        return frozenset()

    @property
    def district(self) -> str | None:
        return None


@dataclass(frozen=True, kw_only=True)
class Buddy(Helper):
    """A volunteer buddy; ``capacity`` is the maximum number of matches."""

    buddy_type: MaatjeType
    buddy_interests: frozenset[str] = frozenset()

    @property
    def kind(self) -> OfferKind:
        return OfferKind.MAATJE

    @property
    def by_phone(self) -> bool:
        return self.buddy_type is MaatjeType.TELEFOONMAATJE

    @property
    def interests(self) -> frozenset[str]:
        return self.buddy_interests


@dataclass(frozen=True, kw_only=True)
class HomeCook(Helper):
    """A Thuisgekookt cook; ``capacity`` is how many neighbours they cook for."""

    cooks: frozenset[Diet] = frozenset()
    meals_per_week: int = 2

    @property
    def kind(self) -> OfferKind:
        return OfferKind.THUISGEKOOKT

    @property
    def diets(self) -> frozenset[Diet]:
        return served_diets(self.cooks)


@dataclass(frozen=True, kw_only=True)
class Activity(Helper):
    """An activity, course or group; ``capacity`` is its places."""

    title: str
    activity_kind: OfferKind = OfferKind.ACTIVITEIT
    serves: frozenset[Grade]
    activity_district: str | None = None  # None: city-wide
    schedule: str = ""  # e.g. "dinsdag 10:00-12:00", as the provider writes it

    @property
    def kind(self) -> OfferKind:
        return self.activity_kind

    @property
    def grades(self) -> frozenset[Grade]:
        return self.serves

    @property
    def district(self) -> str | None:
        return self.activity_district


AnyHelper = Buddy | HomeCook | Activity
