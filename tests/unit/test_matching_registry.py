"""A provider's coordinator keeps their organisation's helpers: every change is an event on
the helper topic, another organisation's helper stays out of reach, and a stopped helper is
never proposed again."""

from __future__ import annotations

from typing import Any

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import HelperProfile, HelperRegistered, HelperStopped, HelperUpdated
from schakel.contracts.topics import HELPER_EVENTS
from schakel.contracts.vocabulary import BuddyType, Grade, MealDiet, OfferKind
from schakel.matching.domain.assignment import Match, Waitlisted, propose_best
from schakel.matching.domain.helpers import AnyHelper, HelperStatus, HomeCook
from schakel.matching.domain.registry import Refused, register, stop, update
from schakel.matching.domain.table import HelperTable
from schakel.matching.registry import apply_change, change_helper
from tests.fakes.matching import FakeHelpers
from tests.unit.matching_helpers import NOW, need

ORG, OTHER = "handje-helpen", "dock"
BUDDY = HelperProfile(
    kind=OfferKind.MAATJE, buddy_type=BuddyType.BEZOEKMAATJE, postcode_area="3563", capacity=2
)
COOK = HelperProfile(
    kind=OfferKind.THUISGEKOOKT, postcode_area="3563", capacity=1, diets=[MealDiet.HALAL]
)


class Outbox:
    def __init__(self) -> None:
        self.events: list[tuple[EventEnvelope[Any], str]] = []

    def __call__(self, event: EventEnvelope[Any], topic: str) -> None:
        self.events.append((event, topic))


async def registered(store: FakeHelpers, outbox: Outbox, helper_id: str = "m1") -> AnyHelper:
    done = await change_helper(
        store, helper_id, lambda e: register(e, helper_id, ORG, BUDDY), outbox, "cid-1"
    )
    assert not isinstance(done, Refused), done
    return done


async def test_registering_saves_the_helper_and_emits_one_event_on_the_helper_topic() -> None:
    store, outbox = FakeHelpers(), Outbox()

    helper = await registered(store, outbox)

    assert await store.get("m1") == helper and helper.organisation == ORG
    assert helper.location is not None and helper.location.pc4 == "3563"
    [(event, topic)] = outbox.events
    assert topic == HELPER_EVENTS and event.subject == "m1"
    assert isinstance(event.data, HelperRegistered) and event.data.profile == BUDDY


async def test_an_update_keeps_the_places_in_use() -> None:
    store, outbox = FakeHelpers(), Outbox()
    await registered(store, outbox)
    assert await store.take_place("m1")
    bigger = BUDDY.model_copy(update={"capacity": 3, "languages": ["nl", "ar"]})

    done = await change_helper(store, "m1", lambda e: update(e, "m1", ORG, bigger), outbox, "c")

    assert not isinstance(done, Refused)
    assert (done.capacity, done.in_use, done.free) == (3, 1, 2)
    assert isinstance(outbox.events[-1][0].data, HelperUpdated)


async def test_another_organisations_helper_answers_like_a_missing_one() -> None:
    store, outbox = FakeHelpers(), Outbox()
    await registered(store, outbox)

    for decide in (lambda e: update(e, "m1", OTHER, BUDDY), lambda e: stop(e, "m1", OTHER)):
        refused = await change_helper(store, "m1", decide, outbox, "c")
        assert refused == Refused(404, f"no helper m1 of {OTHER}")
    assert len(outbox.events) == 1  # only the registration


async def test_registering_an_id_twice_or_an_incomplete_profile_is_refused() -> None:
    store, outbox = FakeHelpers(), Outbox()
    await registered(store, outbox)
    no_type = BUDDY.model_copy(update={"buddy_type": None})
    no_grades = HelperProfile(
        kind=OfferKind.ACTIVITEIT, title="Koffie", postcode_area="3563", capacity=5
    )

    twice = await change_helper(store, "m1", lambda e: register(e, "m1", ORG, BUDDY), outbox, "c")
    assert isinstance(twice, Refused) and twice.status == 409
    assert register(None, "x", ORG, no_type) == Refused(422, "a buddy needs a buddy_type")
    assert isinstance(register(None, "x", ORG, no_grades), Refused)


async def test_a_stopped_helper_is_never_proposed_again_nor_changed() -> None:
    store, outbox = FakeHelpers(), Outbox()
    await registered(store, outbox)
    assert isinstance(propose_best(need(), HelperTable.of(await store.active()), NOW), Match)

    done = await change_helper(store, "m1", lambda e: stop(e, "m1", ORG), outbox, "c")

    assert not isinstance(done, Refused) and done.status is HelperStatus.STOPPED
    assert isinstance(outbox.events[-1][0].data, HelperStopped)
    everyone = HelperTable.of(store.helpers.values())
    assert isinstance(propose_best(need(), everyone, NOW), Waitlisted)
    again = await change_helper(store, "m1", lambda e: update(e, "m1", ORG, BUDDY), outbox, "c")
    assert again == Refused(409, "helper m1 has stopped")


async def test_a_cook_from_a_profile_serves_what_the_profile_says() -> None:
    store, outbox = FakeHelpers(), Outbox()

    cook = await change_helper(
        store, "k1", lambda e: register(e, "k1", "thuisgekookt", COOK), outbox, "c"
    )

    assert isinstance(cook, HomeCook) and cook.diets == {MealDiet.HALAL}
    assert Grade.LICHT_TOT_MATIG in cook.grades and Grade.ERNSTIG not in cook.grades


async def test_replaying_the_events_rebuilds_the_registry_and_rematches_as_live() -> None:
    """Replay applies the archived helper events with the live ``apply_change``: the same
    helper after every change (places in use, taken between the changes, kept), and the
    waitlist matched again after a registration or an update, never after a stop."""
    live, outbox = FakeHelpers(), Outbox()
    await registered(live, outbox)
    assert await live.take_place("m1")
    bigger = BUDDY.model_copy(update={"capacity": 3})
    await change_helper(live, "m1", lambda e: update(e, "m1", ORG, bigger), outbox, "c")
    await change_helper(live, "m1", lambda e: stop(e, "m1", ORG), outbox, "c")

    rebuilt, rematched = FakeHelpers(), []

    async def rematch(cause: EventEnvelope[Any]) -> int:
        rematched.append(cause.id)
        return 0

    for i, (event, _) in enumerate(outbox.events):
        await apply_change(rebuilt, await rebuilt.get(event.subject), event, rematch)
        if i == 0:
            assert await rebuilt.take_place("m1")  # the referral event between the changes

    assert rebuilt.helpers == live.helpers
    assert (live.helpers["m1"].in_use, live.helpers["m1"].status) == (1, HelperStatus.STOPPED)
    assert rematched == [e.id for e, _ in outbox.events[:2]]
