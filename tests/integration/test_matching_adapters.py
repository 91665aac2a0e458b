"""Contract of matching's ports: every test body runs against the in-memory fake the unit tests
use and against the MongoDB adapter, so the two cannot drift apart unnoticed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from schakel.contracts.vocabulary import (
    AgeBand,
    Daypart,
    Grade,
    LonelinessKind,
    MealDiet,
    Mobility,
    OfferKind,
    RiskGroup,
    Route,
    Urgency,
)
from schakel.matching.adapters import (
    MongoOffers,
    MongoProposals,
    OfferStore,
    Person,
    ProposalStore,
    seed_offers,
)
from schakel.matching.domain import MaatjeType, Need, Offer, Outcome, Proposal, WaitlistDecision
from schakel.matching.domain.matches import MatchTerm
from schakel.matching.postcodes import locate
from schakel.platform.mongo import Transaction
from tests.backends import BACKENDS, Backend, FakeBackend, MongoBackend, scratch_store
from tests.fakes.matching import FakeOffers, FakeProposals

pytestmark = pytest.mark.integration
P = TypeVar("P")


def offer(
    offer_id: str, kind: OfferKind, grades: set[Grade], *, places: int | None, district: str | None
) -> Offer:
    return Offer(
        offer_id=offer_id,
        kind=kind,
        title=f"Aanbod {offer_id}",
        provider_organisation="DOCK",
        district=district,
        grades=frozenset(grades),
        places_left=places,
    )


SEVERE_OR_MILD = {Grade.ERNSTIG, Grade.LICHT_TOT_MATIG}
BUDDY_PLACES = 2
# Every optional field is set on some offer, so each one has to survive the document mapping.
BUDDY = replace(
    offer(
        "maatje-psy", OfferKind.MAATJE, SEVERE_OR_MILD, places=BUDDY_PLACES, district="overvecht"
    ),
    maatje_type=MaatjeType.PSYCHIATRIEMAATJE,
    loneliness_kinds=frozenset({LonelinessKind.EMOTIONEEL, LonelinessKind.EXISTENTIEEL}),
    risk_groups=frozenset({RiskGroup.PSYCHISCHE_KWETSBAARHEID}),
    only_for_risk_groups=True,
    source="004 Tabel 1",
)
COOK = replace(
    offer(
        "thuisgekookt-k17",
        OfferKind.THUISGEKOOKT,
        {Grade.LICHT_TOT_MATIG},
        places=1,
        district="noordwest",
    ),
    postcode_area="3555",
    meals_per_week=3,
)
FULL_CITY_WIDE = offer(
    "activiteit-herstelacademie", OfferKind.ACTIVITEIT, SEVERE_OR_MILD, places=0, district=None
)
PREVENTION_ONLY = offer(
    "activiteit-buurtkamer", OfferKind.ACTIVITEIT, {Grade.PREVENTIE}, places=3, district="overvecht"
)
WALK_IN = replace(
    offer("herstel-enik", OfferKind.HERSTELWERKPLAATS, {Grade.ERNSTIG}, places=None, district=None),
    residents_initiative=True,
)
# No offer names verhoogd_risico: a grade with nothing on offer.
REGISTRY = (BUDDY, COOK, FULL_CITY_WIDE, PREVENTION_ONLY, WALK_IN)

REFERRAL = "ref-0001"
OTHER_REFERRAL = "ref-0002"
NEED = Need(grade=Grade.ERNSTIG, urgency=Urgency.SPOEDIG, district="overvecht")
PROPOSAL = Proposal(
    offer=BUDDY,
    score=43.0,
    reasons=("suits grade ernstig", "2 free place(s) before this proposal"),
)
OTHER_PROPOSAL = Proposal(offer=COOK, score=20.5, reasons=("suits grade licht_tot_matig",))
WAITLIST = WaitlistDecision(
    wanted=(OfferKind.MAATJE, OfferKind.ACTIVITEIT),
    reason="all 1 offer(s) that suit grade ernstig in overvecht or city-wide are full",
)


@asynccontextmanager
async def _backend(
    request: pytest.FixtureRequest,
    fake: P,
    adapter: Callable[[Transaction], P],
    offers: tuple[Offer, ...] = (),
) -> AsyncIterator[Backend[P]]:
    if request.param == "fake":
        yield FakeBackend(fake)
        return
    # Looked up here, not requested: fake-only runs start no MongoDB server.
    async with scratch_store(request.getfixturevalue("mongodb_uri")) as store:
        await seed_offers(store, offers)
        yield MongoBackend(store, adapter)


@pytest.fixture(params=BACKENDS)
async def offers(request: pytest.FixtureRequest) -> AsyncIterator[Backend[OfferStore]]:
    fake: OfferStore = FakeOffers(*REGISTRY)  # also checks that the fake fits the port
    async with _backend(request, fake, MongoOffers, REGISTRY) as backend:
        yield backend


@pytest.fixture(params=BACKENDS)
async def proposals(request: pytest.FixtureRequest) -> AsyncIterator[Backend[ProposalStore]]:
    fake: ProposalStore = FakeProposals()
    async with _backend(request, fake, MongoProposals) as backend:
        yield backend


async def suiting(offers: Backend[OfferStore], grade: Grade) -> list[Offer]:
    return await offers.run(lambda store: store.suiting_grade(grade))


async def registry(offers: Backend[OfferStore]) -> dict[str, Offer]:
    """Every offer as the port shows it now, found through the grades it suits."""
    return {o.offer_id: o for grade in Grade for o in await suiting(offers, grade)}


async def reserve(offers: Backend[OfferStore], offer_id: str) -> bool:
    return await offers.run(lambda store: store.reserve_place(offer_id))


async def record(proposals: Backend[ProposalStore], referral_id: str, outcome: Outcome) -> None:
    await proposals.run(
        lambda store: store.record(referral_id, "buurtteam-overvecht", NEED, outcome, "evt-1")
    )


async def held(proposals: Backend[ProposalStore], referral_id: str) -> Proposal | None:
    return await proposals.run(lambda store: store.held(referral_id))


# --- OfferStore ----------------------------------------------------------------------------


@pytest.mark.parametrize("grade", list(Grade), ids=str)
async def test_offers_suiting_a_grade_are_exactly_those_naming_it_full_ones_included(
    offers: Backend[OfferStore], grade: Grade
) -> None:
    found = await suiting(offers, grade)

    # In no particular order: the handler ranks them itself, ties by offer id.
    assert sorted(found, key=lambda o: o.offer_id) == sorted(
        (o for o in REGISTRY if grade in o.grades), key=lambda o: o.offer_id
    )


async def test_a_grade_nothing_is_offered_for_finds_no_offers(
    offers: Backend[OfferStore],
) -> None:
    assert await suiting(offers, Grade.VERHOOGD_RISICO) == []


async def test_a_reserved_place_shows_as_one_place_fewer(offers: Backend[OfferStore]) -> None:
    assert await reserve(offers, BUDDY.offer_id) is True

    assert (await registry(offers))[BUDDY.offer_id].places_left == BUDDY_PLACES - 1


async def test_places_are_given_while_they_last_and_never_go_below_zero(
    offers: Backend[OfferStore],
) -> None:
    attempts = BUDDY_PLACES + 3

    given = [await reserve(offers, BUDDY.offer_id) for _ in range(attempts)]

    assert given == [True] * BUDDY_PLACES + [False] * 3
    assert (await registry(offers))[BUDDY.offer_id].places_left == 0


async def test_an_offer_that_is_full_from_the_start_refuses_a_place(
    offers: Backend[OfferStore],
) -> None:
    assert await reserve(offers, FULL_CITY_WIDE.offer_id) is False

    assert (await registry(offers))[FULL_CITY_WIDE.offer_id].places_left == 0


async def test_reserving_one_offer_until_full_leaves_the_other_offers_alone(
    offers: Backend[OfferStore],
) -> None:
    for _ in range(BUDDY_PLACES + 1):
        await reserve(offers, BUDDY.offer_id)

    after = await registry(offers)

    assert [after[o.offer_id] for o in REGISTRY if o is not BUDDY] == [
        o for o in REGISTRY if o is not BUDDY
    ]


async def test_a_walk_in_offer_has_no_places_to_give_and_stays_walk_in(
    offers: Backend[OfferStore],
) -> None:
    assert await reserve(offers, WALK_IN.offer_id) is False

    assert (await registry(offers))[WALK_IN.offer_id] == WALK_IN


async def test_an_unknown_offer_gives_no_place_and_changes_nothing(
    offers: Backend[OfferStore],
) -> None:
    assert await reserve(offers, "activiteit-bestaat-niet") is False

    assert await registry(offers) == {o.offer_id: o for o in REGISTRY}


async def test_two_referrals_racing_for_the_last_place_only_one_gets_it(
    offers: Backend[OfferStore],
) -> None:
    assert COOK.places_left == 1

    given = await asyncio.gather(reserve(offers, COOK.offer_id), reserve(offers, COOK.offer_id))

    assert sorted(given) == [False, True]
    assert (await registry(offers))[COOK.offer_id].places_left == 0


# --- ProposalStore -------------------------------------------------------------------------


async def test_a_referral_holds_no_place_before_anything_is_recorded(
    proposals: Backend[ProposalStore],
) -> None:
    assert await held(proposals, REFERRAL) is None


@pytest.mark.parametrize("offer", REGISTRY, ids=lambda o: o.offer_id)
async def test_a_recorded_proposal_is_held_field_for_field(
    proposals: Backend[ProposalStore], offer: Offer
) -> None:
    proposal = Proposal(offer=offer, score=38.5, reasons=("suits grade ernstig", "city-wide"))

    await record(proposals, REFERRAL, proposal)

    assert await held(proposals, REFERRAL) == proposal


async def test_a_waitlisted_referral_holds_no_place(proposals: Backend[ProposalStore]) -> None:
    await record(proposals, REFERRAL, WAITLIST)

    assert await held(proposals, REFERRAL) is None


async def test_a_proposal_for_one_referral_is_not_held_for_another(
    proposals: Backend[ProposalStore],
) -> None:
    await record(proposals, REFERRAL, PROPOSAL)

    assert await held(proposals, OTHER_REFERRAL) is None
    assert await held(proposals, REFERRAL) == PROPOSAL


@pytest.mark.parametrize(
    ("first", "second", "then_held"),
    [
        (WAITLIST, PROPOSAL, PROPOSAL),
        (PROPOSAL, OTHER_PROPOSAL, OTHER_PROPOSAL),
        (PROPOSAL, WAITLIST, None),
    ],
    ids=["waitlist-then-proposal", "proposal-then-another", "proposal-then-waitlist"],
)
async def test_recording_again_for_a_referral_replaces_its_earlier_outcome(
    proposals: Backend[ProposalStore],
    first: Outcome,
    second: Outcome,
    then_held: Proposal | None,
) -> None:
    await record(proposals, REFERRAL, first)

    await record(proposals, REFERRAL, second)

    assert await held(proposals, REFERRAL) == then_held


async def test_a_released_place_is_given_back_once(offers: Backend[OfferStore]) -> None:
    offer_id = REGISTRY[0].offer_id
    before = (await registry(offers))[offer_id].places_left
    assert await reserve(offers, offer_id)

    await offers.run(lambda store: store.release_place(offer_id))
    await offers.run(lambda store: store.release_place("no-such-offer"))

    assert (await registry(offers))[offer_id].places_left == before


async def test_a_need_is_kept_field_for_field_and_a_recorded_proposal_survives_it(
    proposals: Backend[ProposalStore],
) -> None:
    need = replace(
        NEED,
        risk_groups=frozenset({RiskGroup.OUDEREN_80_PLUS}),
        kinds=frozenset({LonelinessKind.SOCIAAL}),
        consent_to_contact=True,
        route=Route.SOCIAAL_MAKELAAR,
        wishes=(OfferKind.THUISGEKOOKT, OfferKind.MAATJE),
        excluded=frozenset({"maatje-a", "maatje-b"}),
    )
    assert await proposals.run(lambda store: store.need(REFERRAL)) is None
    await proposals.run(lambda store: store.remember_need(REFERRAL, "owner-1", need, "evt-1"))
    assert await proposals.run(lambda store: store.need(REFERRAL)) == ("owner-1", need)
    assert await held(proposals, REFERRAL) is None

    proposal = Proposal(offer=REGISTRY[0], score=1.0, reasons=("r",))
    await record(proposals, REFERRAL, proposal)
    await proposals.run(lambda store: store.remember_need(REFERRAL, "owner-2", NEED, "evt-2"))

    assert await held(proposals, REFERRAL) == proposal
    assert await proposals.run(lambda store: store.need(REFERRAL)) == ("owner-2", NEED)


async def test_a_released_proposal_holds_no_place_until_a_new_one_is_recorded(
    proposals: Backend[ProposalStore],
) -> None:
    proposal = Proposal(offer=REGISTRY[0], score=1.0, reasons=("r",))
    await record(proposals, REFERRAL, proposal)

    await proposals.run(lambda store: store.release(REFERRAL))

    assert await held(proposals, REFERRAL) is None
    await record(proposals, REFERRAL, proposal)
    assert await held(proposals, REFERRAL) == proposal


async def test_waitlisted_lists_only_waitlisted_referrals_with_their_whole_need(
    proposals: Backend[ProposalStore],
) -> None:
    waiting = replace(
        NEED,
        diets=frozenset({MealDiet.HALAL}),
        languages=("tr", "nl"),
        waiting_since=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        excluded=frozenset({"maatje-1"}),
        age_band=AgeBand.SENIOR,
        location=locate("3563"),
        mobility=Mobility.AAN_HUIS_GEBONDEN,
        interests=frozenset({"wandelen", "koffie"}),
        availability=frozenset({Daypart.WEEKDAG_MIDDAG}),
    )
    await proposals.run(
        lambda s: s.record(REFERRAL, "buurtteam-overvecht", waiting, WAITLIST, "evt-1")
    )
    await record(proposals, OTHER_REFERRAL, PROPOSAL)

    assert await proposals.run(lambda s: s.waitlisted()) == [
        (REFERRAL, "buurtteam-overvecht", waiting)
    ]


# --- matches -----------------------------------------------------------------------------

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
END = START + timedelta(days=365)
TERM = MatchTerm(START, END, 1)


async def test_a_confirmed_proposal_is_a_match_with_its_term_and_holds_no_proposal(
    proposals: Backend[ProposalStore],
) -> None:
    await record(proposals, REFERRAL, PROPOSAL)

    await proposals.run(lambda s: s.keep_match(REFERRAL, TERM))

    assert await proposals.run(lambda s: s.matched(REFERRAL)) == (PROPOSAL, TERM)
    assert await held(proposals, REFERRAL) is None
    later = replace(TERM, end=START + timedelta(days=730), renewals_left=0)
    await proposals.run(lambda s: s.keep_match(REFERRAL, later))  # renewed
    assert await proposals.run(lambda s: s.matched(REFERRAL)) == (PROPOSAL, later)


@pytest.mark.parametrize("outcome", [WAITLIST, None], ids=["waitlisted", "nothing-recorded"])
async def test_only_a_proposal_becomes_a_match(
    proposals: Backend[ProposalStore], outcome: Outcome | None
) -> None:
    if outcome is not None:
        await record(proposals, REFERRAL, outcome)

    await proposals.run(lambda s: s.keep_match(REFERRAL, TERM))

    assert await proposals.run(lambda s: s.matched(REFERRAL)) is None


async def test_matches_are_due_when_their_term_ended_and_an_ended_one_never_again(
    proposals: Backend[ProposalStore],
) -> None:
    open_ended = MatchTerm(START, None, 0)
    await record(proposals, REFERRAL, PROPOSAL)
    await record(proposals, OTHER_REFERRAL, OTHER_PROPOSAL)
    await proposals.run(lambda s: s.keep_match(REFERRAL, TERM))
    await proposals.run(lambda s: s.keep_match(OTHER_REFERRAL, open_ended))

    assert await proposals.run(lambda s: s.due(END - timedelta(seconds=1))) == []
    assert await proposals.run(lambda s: s.due(END)) == [REFERRAL]

    await proposals.run(lambda s: s.end_match(REFERRAL, "term", END))
    assert await proposals.run(lambda s: s.due(END + timedelta(days=999))) == []
    assert await proposals.run(lambda s: s.matched(REFERRAL)) is None
    assert await proposals.run(lambda s: s.matched(OTHER_REFERRAL)) == (OTHER_PROPOSAL, open_ended)


# --- the person, from intake -------------------------------------------------------------


async def test_the_person_is_known_before_any_need_and_only_then(
    proposals: Backend[ProposalStore],
) -> None:
    person = Person(AgeBand.JONG, "3563")
    assert await proposals.run(lambda s: s.person(REFERRAL)) == Person()

    await proposals.run(lambda s: s.remember_person(REFERRAL, person, "evt-0"))

    assert await proposals.run(lambda s: s.person(REFERRAL)) == person
    assert await proposals.run(lambda s: s.need(REFERRAL)) is None  # no owner, no need yet
    assert await proposals.run(lambda s: s.person(OTHER_REFERRAL)) == Person()
