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


def great_circle_km(a: Km, b: Km) -> Km:
    """Great-circle distances between every point of ``a`` and of ``b`` (rows of
    ``on_unit_sphere``): the chord between two points is 2 sin(θ/2), so θ follows from one
    matrix product, which is what makes 1,000 × 10,000 distances cheap. NaN where unknown."""
    km: Km = a @ b.T  # then, in place (no temporary per step): 2 - 2·cos θ = chord²
    km *= -2.0
    km += 2.0
    np.clip(km, 0.0, 4.0, out=km)
    np.sqrt(km, out=km)
    km /= 2
    np.arcsin(km, out=km)
    km *= 2 * EARTH_RADIUS_KM
    return km


def km_between(a: Location, b: Location) -> float:
    return float(great_circle_km(on_unit_sphere([a]), on_unit_sphere([b]))[0, 0])
