"""Registered helpers in matching's flow: proposed after a consenting conversation, a
waitlist that names the constraint that bound, re-matched when capacity appears (each
waitlisted referral once, the most urgent and longest waiting first), and a decline that
frees the place for the next in line, never proposing the declined pair again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import HelperProfile, MatchProposed, Waitlisted
from schakel.contracts.vocabulary import BuddyType, OfferKind, Urgency
from schakel.matching.domain.registry import register, update
from schakel.matching.handlers import (
    after_conversation,
    after_decline,
    learn_need,
    rematch_waitlist,
)
from schakel.matching.registry import change_helper
from tests.fakes.matching import FakeHelpers, FakeOffers, FakeProposals
from tests.unit.test_matching_handlers import Outbox, conversation, declined, triaged

ORG = "handje-helpen"
BUDDY = HelperProfile(
    kind=OfferKind.MAATJE, buddy_type=BuddyType.BEZOEKMAATJE, postcode_area="3563", capacity=1
)


def about(event: EventEnvelope[Any], referral_id: str, **changes: Any) -> EventEnvelope[Any]:
    data = event.data.model_copy(update={"referral_id": referral_id})
    return event.model_copy(update={"subject": referral_id, "data": data, **changes})


class World:
    def __init__(self) -> None:
        self.offers, self.proposals = FakeOffers(), FakeProposals()
        self.helpers, self.outbox = FakeHelpers(), Outbox()

    async def converse(
        self, referral_id: str, urgency: Urgency = Urgency.ROUTINE, waited_days: int = 0
    ) -> None:
        """Triaged, then the owner's consenting first conversation ``waited_days`` ago."""
        await learn_need(about(triaged(urgency=urgency), referral_id), self.proposals)
        when = datetime.now(UTC) - timedelta(days=waited_days)
        talk = about(conversation(True), referral_id, time=when)
        await after_conversation(talk, self.offers, self.proposals, self.outbox, self.helpers)

    async def register(self, helper_id: str, profile: HelperProfile = BUDDY) -> None:
        async def rematch(event: EventEnvelope[Any]) -> int:
            return await rematch_waitlist(
                event, self.offers, self.proposals, self.helpers, self.outbox
            )

        def decide(existing: Any) -> Any:
            if existing is None:
                return register(existing, helper_id, ORG, profile)
            return update(existing, helper_id, ORG, profile)

        await change_helper(self.helpers, helper_id, decide, lambda e, t: None, "c", rematch)

    def proposed(self) -> list[tuple[str, str]]:
        return [
            (e.subject, e.data.offer.offer_id)
            for e in self.outbox.events
            if isinstance(e.data, MatchProposed)
        ]

    def waitlisted(self) -> list[tuple[str, str]]:
        return [
            (e.subject, e.data.reason) for e in self.outbox.events if isinstance(e.data, Waitlisted)
        ]


async def test_a_registered_buddy_is_proposed_after_a_consenting_conversation() -> None:
    world = World()
    await world.register("maatje-1")

    await world.converse("r1")

    assert world.proposed() == [("r1", "maatje-1")]
    helper = await world.helpers.get("maatje-1")
    assert helper is not None and helper.free == 0


async def test_waitlist_then_capacity_then_exactly_one_proposal() -> None:
    world = World()
    await world.converse("r1")
    [(_, reason)] = world.waitlisted()
    assert "registered helpers: capacity: no helper is registered" in reason

    await world.register("maatje-1")
    await world.register("maatje-1", BUDDY.model_copy(update={"capacity": 2}))  # more capacity

    assert world.proposed() == [("r1", "maatje-1")]  # once, not again on the second event


async def test_scarce_capacity_goes_to_the_most_urgent_then_the_longest_waiting() -> None:
    world = World()
    await world.converse("r-new", waited_days=1)
    await world.converse("r-old", waited_days=30)
    await world.converse("r-urgent", urgency=Urgency.SPOEDIG, waited_days=0)
    assert len(world.waitlisted()) == 3

    await world.register("maatje-1")  # one place
    await world.register("maatje-2")  # one more

    assert world.proposed() == [("r-urgent", "maatje-1"), ("r-old", "maatje-2")]


async def test_a_decline_frees_the_place_for_the_next_in_line_and_never_again_the_pair() -> None:
    world = World()
    await world.register("maatje-1")
    await world.converse("r1", waited_days=10)
    await world.converse("r2", waited_days=5)  # nothing left: waitlisted
    assert world.proposed() == [("r1", "maatje-1")]

    await after_decline(
        about(declined("maatje-1"), "r1"),
        world.offers,
        world.proposals,
        world.outbox,
        world.helpers,
    )

    assert world.proposed() == [("r1", "maatje-1"), ("r2", "maatje-1")]
    assert world.waitlisted()[-1][0] == "r1"  # r1 waits now; maatje-1 is never proposed again
    await world.register("maatje-2")
    assert world.proposed()[-1] == ("r1", "maatje-2")


async def test_one_helper_with_two_places_takes_the_two_first_in_line_in_one_event() -> None:
    """The optimum over the whole waitlist when capacity appears: both places used at once,
    the most urgent and then the longest waiting, each announced once, in that order."""
    world = World()
    await world.converse("r-new", waited_days=1)
    await world.converse("r-old", waited_days=30)
    await world.converse("r-urgent", urgency=Urgency.DIRECT, waited_days=0)

    await world.register("maatje-1", BUDDY.model_copy(update={"capacity": 2}))

    assert world.proposed() == [("r-urgent", "maatje-1"), ("r-old", "maatje-1")]
    helper = await world.helpers.get("maatje-1")
    assert helper is not None and helper.free == 0
