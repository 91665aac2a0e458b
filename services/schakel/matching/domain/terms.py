"""Words matching uses besides the contracts' vocabulary: which diets a cook's meals serve, how
far a person can go, and where someone is (a postcode area's centroid, never an address)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from schakel.contracts.vocabulary import MealDiet
from schakel.contracts.vocabulary import Mobility as Mobility  # the owner records it

EARTH_RADIUS_KM = 6371.0088  # the IUGG mean radius
Km = npt.NDArray[np.float64]
Indices = npt.NDArray[np.int64]


Diet = MealDiet  # what Thuisgekookt's cooks cook, in the contracts' words

# A cook who cooks the stricter diet also serves the looser one: a vegan meal is vegetarian,
# a pureed meal is soft. The documents are silent on diets; this is the project's reading.
COVERS: dict[Diet, frozenset[Diet]] = {
    Diet.VEGANISTISCH: frozenset({Diet.VEGETARISCH}),
    Diet.GEMALEN: frozenset({Diet.ZACHT}),
}


def served_diets(cooked: frozenset[Diet]) -> frozenset[Diet]:
    """Every diet a cook who cooks ``cooked`` can serve."""
    return cooked.union(*(COVERS.get(d, frozenset()) for d in cooked))


@dataclass(frozen=True)
class Location:
    """The centroid of a four-digit postcode area: where someone roughly is, never an
    address."""

    pc4: str
    lat: float
    lon: float


def on_unit_sphere(places: Sequence[Location | None]) -> Km:
    """Each place as a point on the unit sphere (x, y, z); NaN for an unknown place."""
    out = np.full((len(places), 3), np.nan)
    for i, p in enumerate(places):
        if p is not None:
            phi, lmb = math.radians(p.lat), math.radians(p.lon)
            out[i] = (math.cos(phi) * math.cos(lmb), math.cos(phi) * math.sin(lmb), math.sin(phi))
    return out


def great_circle_km(a: Km, b: Km, ia: Indices, ib: Indices) -> Km:
    """Great-circle distances of pairs of places (rows of ``on_unit_sphere``): for each
    ``i``, row ``ia[i]`` of ``a`` to row ``ib[i]`` of ``b``, computed for those pairs only.
    The chord between two points is 2 sin(θ/2), and taken from their coordinates'
    differences it loses nothing for places a few streets apart (2 - 2 cos θ would cancel).
    NaN where unknown."""
    chord = np.zeros(len(ia))
    for axis in range(3):  # a coordinate at a time: no temporary of pairs × 3
        d = np.take(a[:, axis], ia)
        d -= np.take(b[:, axis], ib)
        d *= d
        chord += d
    km = np.sqrt(chord, out=chord)
    km /= 2
    np.clip(km, 0.0, 1.0, out=km)
    np.arcsin(km, out=km)
    km *= 2 * EARTH_RADIUS_KM
    return km


def km_between(a: Location, b: Location) -> float:
    first = np.zeros(1, dtype=np.int64)
    return float(great_circle_km(on_unit_sphere([a]), on_unit_sphere([b]), first, first)[0])
