"""Where a postcode area lies: the shipped PC4 centroid table (``data/pc4_centroids.csv``).

The table is made for the demo: approximate centroids written from general knowledge, not
derived from a public dataset (its header says so). Distances computed from it are good to a
few hundred metres, enough to prefer a cook a few streets away over one across town.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

from schakel.matching.domain.terms import Location

TABLE = "data/pc4_centroids.csv"


@cache
def _rows() -> tuple[dict[str, str], ...]:
    text = files("schakel.matching").joinpath(TABLE).read_text(encoding="utf-8")
    return tuple(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


def centroids() -> dict[str, Location]:
    return {r["pc4"]: Location(r["pc4"], float(r["lat"]), float(r["lon"])) for r in _rows()}


def districts() -> dict[str, str]:
    """The district each PC4 of the table lies in (triage's demo district ids)."""
    return {r["pc4"]: r["district"] for r in _rows()}


def locate(postcode: str | None) -> Location | None:
    """The centroid of a postcode's four digits (``"3563 AB"`` → PC4 3563); None when the
    postcode is missing or outside the table."""
    if not postcode:
        return None
    return centroids().get(postcode.strip()[:4])
