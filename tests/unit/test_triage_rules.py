"""Triage's rule set as data: the shipped files validate, every rule says what it rests on,
broken files are refused with the reason, and the rule book is served as it is in force."""

from __future__ import annotations

import itertools
import tomllib
from importlib import resources
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from schakel.contracts.vocabulary import AgeBand, Channel, Observation, PrescribedTo, Route
from schakel.triage import api, rules
from schakel.triage.app import TriageSettings, rule_book
from schakel.triage.domain import Facts, triage
from schakel.triage.domain.ruleset import DistrictTable, RuleSet

BOOK = rules.load()


def shipped(part: str) -> dict[str, Any]:
    text = (resources.files(rules) / f"{rules.CURRENT}.{part}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_every_rule_rests_on_a_document_or_says_it_is_an_assumption() -> None:
    every = (BOOK.rules.ungraded, *BOOK.rules.signs, *BOOK.rules.routes)
    assert all(r.source is not None or r.assumption for r in every)
    assert {r.source.doc for r in every if r.source} <= set(BOOK.rules.documents)
    assert rules.versions() == [rules.CURRENT]


def test_the_district_table_says_honestly_where_it_comes_from() -> None:
    assert "Made for the demo" in BOOK.districts.note
    by_name = {d.name: d for d in BOOK.districts.districts}
    assert len(by_name) == 10
    assert "Vleuterweide" in by_name["Vleuten-De Meern"].neighbourhoods
    assert 3514 in by_name["Noordoost"].postcode_areas
    assert {d.id for d in BOOK.districts.districts if d.welzijn_op_recept} == {
        "overvecht",
        "noordwest",
    }


@pytest.mark.parametrize(
    ("part", "change", "problem"),
    [
        ("rules", lambda d: d["signs"].append(dict(d["signs"][0])), "rule ids used twice"),
        ("rules", lambda d: d["signs"][0].pop("source"), "needs a source or an assumption"),
        ("rules", lambda d: d["routes"].pop(), "the last routing rule must hold always"),
        (
            "rules",
            lambda d: d["routes"][2].update(reason="to {owner_phone}"),
            "unknown placeholders",
        ),
        ("rules", lambda d: d["signs"][0]["source"].update(doc="003"), "not listed"),
        ("rules", lambda d: d["signs"][0]["when"].update(observations=["kwijt"]), "observations"),
        (
            "districts",
            lambda d: d["districts"][0]["postcode_areas"].append(3562),
            "postcode 3562 in binnenstad and overvecht",
        ),
    ],
)
def test_a_broken_rule_file_is_refused_with_the_reason(
    part: str, change: Any, problem: str
) -> None:
    data = shipped(part)
    if part == "rules":
        data["documents"].pop("003")
    change(data)
    model = RuleSet if part == "rules" else DistrictTable
    with pytest.raises(ValidationError, match=problem):
        model.model_validate(data)


def test_an_unknown_rule_set_version_stops_the_service() -> None:
    with pytest.raises(rules.RuleSetMissing, match=r"1999\.01-1"):
        rules.load("1999.01-1")


def test_every_combination_finds_an_owner() -> None:
    """The routing table is complete: no channel, age, postcode or single sign is left
    without an owner, and only the coordination point goes without a district."""
    for channel, age, pc4, obs, to in itertools.product(
        Channel,
        [None, *AgeBand],
        ["3562", "3452", "3431", None],
        [None, *Observation],
        [None, *PrescribedTo],
    ):
        facts = Facts(
            channel=channel,
            observations=frozenset([obs] if obs else []),
            age_band=age,
            postcode_area=pc4,
            prescribed_to=to,
        )
        decision = triage(facts, BOOK)
        assert decision.owner_organisation and decision.owner_name
        assert (decision.district is None) <= (decision.route is Route.COORDINATIEPUNT)


def test_settings_name_the_rule_set_and_the_coordination_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCHAKEL_COORDINATION_POINT_ID", "meldpunt-utrecht")
    monkeypatch.setenv("SCHAKEL_COORDINATION_POINT_NAME", "Meldpunt eenzaamheid")
    book = rule_book(TriageSettings())
    assert book.coordination_point.organisation == "meldpunt-utrecht"
    assert book.rules.version == rules.CURRENT


async def test_the_rules_in_force_are_served_with_their_sources() -> None:
    app = FastAPI()
    app.include_router(api.router)
    app.state.rule_book = BOOK
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://triage") as client:
        body = (await client.get("/api/v1/triage/rules")).json()
    assert body["rule_set_version"] == rules.CURRENT
    urgent = next(r for r in body["rules"]["signs"] if r["id"] == "urgency.not-eating")
    assert urgent["then"]["urgency"] == "direct"
    assert "tekenen van kwetsbaarheid" in urgent["source"]["quote"]
    assert body["coordination_point"]["name"] == "Coördinatiepunt eenzaamheid"
    assert any(d["name"] == "Vleuten-De Meern" for d in body["districts"]["districts"])
