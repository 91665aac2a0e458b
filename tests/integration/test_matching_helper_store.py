"""Contract of matching's helper registry: every test body runs against the in-memory fake
and against the MongoDB adapter. Every kind of helper survives the document mapping; places
are taken only while free and the helper active."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from schakel.contracts.vocabulary import AgeBand, Daypart, Grade, MealDiet, OfferKind
from schakel.matching.domain.helpers import AnyHelper, HelperStatus
from schakel.matching.domain.offers import MaatjeType
from schakel.matching.helper_store import HelperStore, MongoHelpers
from schakel.matching.postcodes import locate
from tests.backends import BACKENDS, Backend, FakeBackend, MongoBackend, scratch_store
from tests.fakes.matching import FakeHelpers
from tests.unit.matching_helpers import activity, buddy, cook

pytestmark = pytest.mark.integration

# Every optional field is set on some helper, so each has to survive the mapping.
BUDDY = buddy(
    "maatje-1",
    location=locate("3563"),
    capacity=2,
    buddy_type=MaatjeType.PSYCHIATRIEMAATJE,
    languages=frozenset({"nl", "tr"}),
    age_groups=frozenset({AgeBand.MIDDEN, AgeBand.OUDER}),
    availability=frozenset({Daypart.WEEKDAG_AVOND}),
    buddy_interests=frozenset({"schaken", "wandelen"}),
)
PHONE = buddy("bel-1", location=None, buddy_type=MaatjeType.TELEFOONMAATJE, capacity=3)
COOK = cook(
    "kok-1",
    organisation="thuisgekookt",
    location=locate("3555"),
    cooks=frozenset({MealDiet.HALAL, MealDiet.GEMALEN}),
    meals_per_week=3,
)
GROUP = activity(
    "koffie-1",
    location=locate("3561"),
    title="Koffieochtend",
    activity_kind=OfferKind.LOTGENOTENCONTACT,
    serves=frozenset({Grade.LICHT_TOT_MATIG, Grade.VERHOOGD_RISICO}),
    schedule="dinsdag 10:00-12:00",
)
EVERYONE: tuple[AnyHelper, ...] = (BUDDY, PHONE, COOK, GROUP)


@pytest.fixture(params=BACKENDS)
async def helpers(request: pytest.FixtureRequest) -> AsyncIterator[Backend[HelperStore]]:
    if request.param == "fake":
        fake: HelperStore = FakeHelpers()  # also checks that the fake fits the port
        yield FakeBackend(fake)
        return
    async with scratch_store(request.getfixturevalue("mongodb_uri")) as store:
        yield MongoBackend(store, MongoHelpers)


async def save_all(helpers: Backend[HelperStore]) -> None:
    for helper in EVERYONE:
        await helpers.run(lambda store, h=helper: store.save(h))  # type: ignore[misc]


async def test_every_kind_of_helper_reads_back_as_saved(helpers: Backend[HelperStore]) -> None:
    await save_all(helpers)

    for helper in EVERYONE:
        assert await helpers.run(lambda s, h=helper: s.get(h.helper_id)) == helper  # type: ignore[misc]
    assert await helpers.run(lambda s: s.get("onbekend")) is None


async def test_an_organisation_sees_its_own_helpers_only(helpers: Backend[HelperStore]) -> None:
    await save_all(helpers)

    own = await helpers.run(lambda s: s.of_organisation("handje-helpen"))
    assert [h.helper_id for h in own] == ["bel-1", "maatje-1"]
    assert [h.helper_id for h in await helpers.run(lambda s: s.of_organisation("dock"))] == [
        "koffie-1"
    ]


async def test_a_stopped_helper_is_no_candidate(helpers: Backend[HelperStore]) -> None:
    await save_all(helpers)
    await helpers.run(lambda s: s.save(replace(COOK, status=HelperStatus.STOPPED)))

    active = [h.helper_id for h in await helpers.run(lambda s: s.active())]
    assert active == ["bel-1", "koffie-1", "maatje-1"]
    assert not await helpers.run(lambda s: s.take_place("kok-1"))


async def test_places_are_taken_while_free_and_given_back(helpers: Backend[HelperStore]) -> None:
    await save_all(helpers)

    assert await helpers.run(lambda s: s.take_place("maatje-1"))
    assert await helpers.run(lambda s: s.take_place("maatje-1"))
    assert not await helpers.run(lambda s: s.take_place("maatje-1"))  # capacity 2
    assert not await helpers.run(lambda s: s.take_place("onbekend"))
    await helpers.run(lambda s: s.free_place("maatje-1"))
    found = await helpers.run(lambda s: s.get("maatje-1"))
    assert found is not None and found.in_use == 1 and found.free == 1
    await helpers.run(lambda s: s.free_place("kok-1"))  # none in use: stays at none
    kok = await helpers.run(lambda s: s.get("kok-1"))
    assert kok is not None and kok.in_use == 0
