"""Triage's DecisionStore contract, run against the in-memory fake and against MongoDB."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from schakel.contracts.vocabulary import Grade, LonelinessKind, Urgency
from schakel.triage.adapters import AlreadyDecided, DecisionStore, MongoDecisions
from schakel.triage.domain import Decision
from tests.backends import BACKENDS, Backend, FakeBackend, MongoBackend, scratch_store
from tests.fakes.triage import FakeDecisions

pytestmark = pytest.mark.integration

SEVERE = Decision(
    grade=Grade.ERNSTIG,
    kinds=(LonelinessKind.SOCIAAL, LonelinessKind.EMOTIONEEL),
    urgency=Urgency.DIRECT,
    risk_groups=("80+", "alleenwonend"),
    district="overvecht",
    owner_organisation="buurtteam-overvecht",
    reasons=("ernstig: verwaarlozing én niet gesproken", "urgentie: direct"),
    rule_set_version="2026.11-1",
)
MILD = Decision(
    grade=Grade.PREVENTIE,
    kinds=(),
    urgency=Urgency.ROUTINE,
    risk_groups=(),
    district=None,
    owner_organisation="sociaal-makelaars-centraal",
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
    await decisions.run(lambda d: d.add("ref-1", SEVERE, "ev-1"))
    await decisions.run(lambda d: d.add("ref-2", MILD, "ev-2"))
    assert await decisions.run(lambda d: d.decided("ref-1")) == SEVERE
    assert await decisions.run(lambda d: d.decided("ref-2")) == MILD


async def test_an_undecided_referral_has_no_decision(decisions: Backend[DecisionStore]) -> None:
    await decisions.run(lambda d: d.add("ref-1", SEVERE, "ev-1"))
    assert await decisions.run(lambda d: d.decided("ref-unknown")) is None


async def test_a_second_decision_is_refused_and_the_first_kept(
    decisions: Backend[DecisionStore],
) -> None:
    await decisions.run(lambda d: d.add("ref-1", SEVERE, "ev-1"))
    with pytest.raises(AlreadyDecided):
        await decisions.run(lambda d: d.add("ref-1", MILD, "ev-2"))
    assert await decisions.run(lambda d: d.decided("ref-1")) == SEVERE
