"""Triage's DecisionStore contract, run against the in-memory fake and against MongoDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from schakel.contracts.vocabulary import (
    AgeBand,
    Channel,
    Grade,
    LonelinessKind,
    Observation,
    PrescribedTo,
    RiskGroup,
    Route,
    Urgency,
)
from schakel.triage.adapters import AlreadyDecided, DecisionStore, MongoDecisions
from schakel.triage.domain import Decision, Facts, Fired
from tests.backends import BACKENDS, Backend, FakeBackend, MongoBackend, scratch_store
from tests.fakes.triage import FakeDecisions

pytestmark = pytest.mark.integration

URGENT = Decision(
    grade=Grade.ERNSTIG,
    urgency=Urgency.DIRECT,
    route=Route.BUURTTEAM,
    owner_organisation="buurtteam-overvecht",
    owner_name="Buurtteam Overvecht (Buurtteamorganisatie Sociaal Utrecht)",
    district="overvecht",
    district_name="Overvecht",
    kinds=(LonelinessKind.EMOTIONEEL, LonelinessKind.EXISTENTIEEL),
    risk_groups=(RiskGroup.ALLEENSTAANDE_OUDEREN, RiskGroup.OUDEREN_80_PLUS),
    rules_fired=(
        Fired("grade.severe.no-purpose", "speaks of life having no purpose"),
        Fired("urgency.not-eating", "eats poorly or has become very thin"),
        Fired("route.urgent", "urgent: the neighbourhood team in Overvecht follows up"),
    ),
    rule_set_version="2026.12-1",
)
# Ungraded, and at the coordination point with a deadline: the optional fields come back too.
UNASSIGNED = Decision(
    grade=None,
    urgency=Urgency.ROUTINE,
    route=Route.COORDINATIEPUNT,
    owner_organisation="coordinatiepunt-eenzaamheid",
    owner_name="Coördinatiepunt eenzaamheid",
    district=None,
    district_name=None,
    kinds=(),
    risk_groups=(),
    rules_fired=(Fired("grade.none", "no sign points to a grade"),),
    rule_set_version="2026.12-1",
    assign_within_hours=72,
)


@pytest.fixture(params=BACKENDS)
async def decisions(
    request: pytest.FixtureRequest, mongodb_uri: str
) -> AsyncIterator[Backend[DecisionStore]]:
    if request.param == "fake":
        yield FakeBackend(FakeDecisions())
        return
    async with scratch_store(mongodb_uri) as store:
        yield MongoBackend(store, MongoDecisions)


async def test_a_decision_comes_back_as_it_was_made(decisions: Backend[DecisionStore]) -> None:
    await decisions.run(lambda d: d.add("ref-1", URGENT, "ev-1"))
    await decisions.run(lambda d: d.add("ref-2", UNASSIGNED, "ev-2"))
    assert await decisions.run(lambda d: d.decided("ref-1")) == URGENT
    assert await decisions.run(lambda d: d.decided("ref-2")) == UNASSIGNED


async def test_an_undecided_referral_has_no_decision(decisions: Backend[DecisionStore]) -> None:
    await decisions.run(lambda d: d.add("ref-1", URGENT, "ev-1"))
    assert await decisions.run(lambda d: d.decided("ref-unknown")) is None


async def test_a_second_decision_is_refused_and_the_first_kept(
    decisions: Backend[DecisionStore],
) -> None:
    await decisions.run(lambda d: d.add("ref-1", URGENT, "ev-1"))
    with pytest.raises(AlreadyDecided):
        await decisions.run(lambda d: d.add("ref-1", UNASSIGNED, "ev-2"))
    assert await decisions.run(lambda d: d.decided("ref-1")) == URGENT


FACTS = Facts(
    channel=Channel.WELZIJN_OP_RECEPT,
    observations=frozenset({Observation.SOMBER, Observation.WEINIG_CONTACT}),
    djg_score=4,
    age_band=AgeBand.HOOGBEJAARD,
    postcode_area="3562",
    prescribed_to=PrescribedTo.BEWEEGMAKELAAR,
    consent_to_contact=True,
)


async def test_the_facts_a_decision_was_made_on_come_back_and_a_revision_replaces_both(
    decisions: Backend[DecisionStore],
) -> None:
    await decisions.run(lambda d: d.add("ref-1", UNASSIGNED, "ev-1", FACTS))
    await decisions.run(lambda d: d.add("ref-2", UNASSIGNED, "ev-2"))

    assert await decisions.run(lambda d: d.facts("ref-1")) == FACTS
    assert await decisions.run(lambda d: d.facts("ref-2")) is None  # decided without facts
    more = replace(FACTS, observations=FACTS.observations | {Observation.ONDERVOEDING})
    await decisions.run(lambda d: d.revise("ref-1", URGENT, more))

    assert await decisions.run(lambda d: d.decided("ref-1")) == URGENT
    assert await decisions.run(lambda d: d.facts("ref-1")) == more
