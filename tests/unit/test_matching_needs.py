"""Needs without personal data reach matching (issue 12, item 2): the age band and postcode
area from intake's ``received`` (pseudonymous: a band and a PC4, never a birth date or an
address), the owner's first conversation's wishes (kind, languages, diet, mobility,
interests, availability) and consent; each changes what is proposed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import HelperProfile, ReferralReceived, Signaler
from schakel.contracts.lifecycle import Wishes
from schakel.contracts.vocabulary import (
    AgeBand,
    Channel,
    Daypart,
    Grade,
    Mobility,
    OfferKind,
    SignalerRole,
)
from schakel.matching.handlers import after_conversation, learn_need, learn_person
from tests.unit.test_matching_handlers import conversation, triaged
from tests.unit.test_matching_waitlist import BUDDY, World, about

VISITS_THE_VERY_OLD = BUDDY.model_copy(update={"age_groups": [AgeBand.HOOGBEJAARD]})
ANY_AGE = BUDDY.model_copy(update={"postcode_area": "3451"})  # across town: Vleuten


def received(
    referral_id: str, age_band: AgeBand | None, pc4: str | None
) -> EventEnvelope[ReferralReceived]:
    payload = ReferralReceived(
        referral_id=referral_id,
        channel=Channel.WEBFORMULIER,
        signaler=Signaler(role=SignalerRole.APOTHEKER, organisation="apotheek-overvecht"),
        person_pseudonym="ps-" + "c" * 32,
        postcode_area=pc4,
        age_band=age_band,
        received_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )
    return new_event(payload, source="/schakel/intake", subject=referral_id)


async def talk(world: World, referral_id: str, wishes: Wishes) -> None:
    said = conversation(True)
    said = said.model_copy(update={"data": said.data.model_copy(update={"wishes": wishes})})
    event = about(said, referral_id)
    await after_conversation(event, world.offers, world.proposals, world.outbox, world.helpers)


async def known(world: World, referral_id: str, age_band: AgeBand | None, pc4: str | None) -> None:
    await learn_person(received(referral_id, age_band, pc4), world.proposals)
    await learn_need(about(triaged(), referral_id), world.proposals)


async def test_the_age_band_from_intake_keeps_a_22_year_old_from_the_over_80s_buddy() -> None:
    world = World()
    await world.register("maatje-80plus", VISITS_THE_VERY_OLD)
    await world.register("maatje-any", ANY_AGE)
    await known(world, "r-young", AgeBand.JONG, "3563")
    await known(world, "r-old", AgeBand.HOOGBEJAARD, "3563")

    await talk(world, "r-young", Wishes())
    await talk(world, "r-old", Wishes())

    assert world.proposed() == [("r-young", "maatje-any"), ("r-old", "maatje-80plus")]


async def test_the_postcode_area_from_intake_makes_the_nearer_helper_win() -> None:
    world = World()
    await world.register("maatje-overvecht", BUDDY)  # first: it would win a tie
    await world.register("maatje-vleuten", ANY_AGE)
    await known(world, "r1", None, "3451")

    await talk(world, "r1", Wishes())

    assert world.proposed() == [("r1", "maatje-vleuten")]
    _, need = world.proposals.needs["r1"]
    assert need.location is not None and need.location.pc4 == "3451"


async def test_housebound_from_the_conversation_rules_out_an_activity_to_go_to() -> None:
    world = World()
    walk = HelperProfile(
        kind=OfferKind.ACTIVITEIT,
        title="Wandelgroep",
        postcode_area="3563",
        capacity=5,
        grades=[Grade.LICHT_TOT_MATIG],
        district="overvecht",
    )
    await world.register("wandelgroep", walk)
    await known(world, "r-out", None, "3563")
    await known(world, "r-home", None, "3563")

    await talk(world, "r-out", Wishes(kinds=[OfferKind.ACTIVITEIT]))
    await talk(world, "r-home", Wishes(mobility=Mobility.AAN_HUIS_GEBONDEN))

    assert world.proposed() == [("r-out", "wandelgroep")]
    assert [r for r, _ in world.waitlisted()] == ["r-home"]


async def test_the_conversation_s_wishes_travel_as_codes_into_the_need() -> None:
    world = World()
    await known(world, "r1", AgeBand.SENIOR, "3563")
    wishes = Wishes(
        kinds=[OfferKind.MAATJE],
        languages=["tr", "nl"],
        mobility=Mobility.BEPERKT,
        interests=["wandelen", "koffie"],
        availability=[Daypart.WEEKDAG_MIDDAG],
    )

    await talk(world, "r1", wishes)

    _, need = world.proposals.needs["r1"]
    assert (need.age_band, need.wishes, need.languages) == (
        AgeBand.SENIOR,
        (OfferKind.MAATJE,),
        ("tr", "nl"),
    )
    assert (need.mobility, need.interests, need.availability) == (
        Mobility.BEPERKT,
        frozenset({"wandelen", "koffie"}),
        frozenset({Daypart.WEEKDAG_MIDDAG}),
    )


def test_an_interest_is_a_code_never_a_sentence() -> None:
    assert Wishes(interests=["tuinieren"]).interests == ["tuinieren"]
    for text in ("Mevrouw houdt van tuinieren", "06-12345678"):
        with pytest.raises(ValidationError):
            Wishes(interests=[text])
