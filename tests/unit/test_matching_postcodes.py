"""The shipped PC4 centroid table: it covers every postcode area triage routes by, each
centroid lies in Utrecht and in its district, and a full postcode finds its area."""

from __future__ import annotations

import tomllib
from importlib.resources import files

from schakel.matching.domain.terms import km_between
from schakel.matching.postcodes import TABLE, centroids, districts, locate

UTRECHT_DOM = (52.0907, 5.1214)


def _triage_districts() -> dict[str, str]:
    text = files("schakel.triage").joinpath("rules/2026.12-1.districts.toml").read_text()
    table = tomllib.loads(text)
    return {str(pc4): d["id"] for d in table["districts"] for pc4 in d["postcode_areas"]}


def test_every_postcode_area_triage_routes_by_has_a_centroid_in_the_same_district() -> None:
    assert districts() == _triage_districts()


def test_every_centroid_lies_within_utrecht() -> None:
    dom = locate("3512")
    assert dom is not None
    for where in centroids().values():
        assert 52.06 < where.lat < 52.13 and 4.98 < where.lon < 5.18, where
        assert km_between(dom, where) < 13, where


def test_areas_of_one_district_lie_closer_together_than_the_city_is_wide() -> None:
    by_district: dict[str, list[str]] = {}
    for pc4, district in districts().items():
        by_district.setdefault(district, []).append(pc4)
    table = centroids()
    for pc4s in by_district.values():
        for a in pc4s:
            for b in pc4s:
                assert km_between(table[a], table[b]) < 6, (a, b)


def test_a_full_postcode_finds_its_area_and_an_unknown_one_none() -> None:
    found = locate(" 3563 AB")
    assert found is not None and found.pc4 == "3563"
    assert locate("1012 AB") is None
    assert locate(None) is None


def test_the_table_says_it_is_made_for_the_demo() -> None:
    header = files("schakel.matching").joinpath(TABLE).read_text().splitlines()[0]
    assert "MADE FOR THE DEMO" in header
