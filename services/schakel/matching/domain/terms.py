"""Words matching uses besides the contracts' vocabulary: diets a home cook can cook, parts of
the week, how far a person can go, and where someone is (a postcode area's centroid, never an
address)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from schakel.contracts.vocabulary import DietNeed

EARTH_RADIUS_KM = 6371.0088  # the IUGG mean radius


class Diet(StrEnum):
    """Diets of Thuisgekookt's meals: the contracts' ``DietNeed`` (what a person may need)
    plus vegan and pureed, which cooks may offer although no intake form asks for them yet."""

    HALAL = DietNeed.HALAL.value
    KOSJER = DietNeed.KOSJER.value
    VEGETARISCH = DietNeed.VEGETARISCH.value
    VEGANISTISCH = "veganistisch"
    ZOUTARM = DietNeed.ZOUTARM.value
    DIABETES = DietNeed.DIABETES.value
    GLUTENVRIJ = DietNeed.GLUTENVRIJ.value
    ZACHT = DietNeed.ZACHT.value  # soft, easy to chew
    GEMALEN = "gemalen"  # pureed


# A cook who cooks the stricter diet also serves the looser one: a vegan meal is vegetarian,
# a pureed meal is soft. The documents are silent on diets; this is the project's reading.
COVERS: dict[Diet, frozenset[Diet]] = {
    Diet.VEGANISTISCH: frozenset({Diet.VEGETARISCH}),
    Diet.GEMALEN: frozenset({Diet.ZACHT}),
}


def served_diets(cooked: frozenset[Diet]) -> frozenset[Diet]:
    """Every diet a cook who cooks ``cooked`` can serve."""
    return cooked.union(*(COVERS.get(d, frozenset()) for d in cooked))


class Daypart(StrEnum):
    """When a helper is available or a person would like company: weekday or weekend, and
    morning, afternoon or evening."""

    WEEKDAG_OCHTEND = "weekdag_ochtend"
    WEEKDAG_MIDDAG = "weekdag_middag"
    WEEKDAG_AVOND = "weekdag_avond"
    WEEKEND_OCHTEND = "weekend_ochtend"
    WEEKEND_MIDDAG = "weekend_middag"
    WEEKEND_AVOND = "weekend_avond"


class Mobility(StrEnum):
    """How far the person can go, as the owner records it in the first conversation."""

    ZELFSTANDIG = "zelfstandig"  # goes out on their own
    BEPERKT = "beperkt"  # short distances, or with help
    AAN_HUIS_GEBONDEN = "aan_huis_gebonden"  # housebound: support must come to them


@dataclass(frozen=True)
class Location:
    """The centroid of a four-digit postcode area: where someone roughly is, never an
    address."""

    pc4: str
    lat: float
    lon: float


def great_circle_km(a: Location, b: Location) -> float:
    """Haversine distance over the earth's mean radius."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlmb = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
