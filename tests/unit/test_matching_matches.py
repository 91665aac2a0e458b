"""A match has a start and an end (issue 12, item 6): the owner's confirmation turns the held
place into a match that starts then (moved to when the support started); a buddy match runs a
year and may be renewed once, other kinds until the referral closes; the place is freed on a
decline, on closing and when the term runs out, and the waitlist gets it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import HelperMatchEnded, HelperMatchRenewed, MatchProposed
from schakel.contracts.lifecycle import SupportConfirmed, SupportStarted
from schakel.contracts.topics import HELPER_EVENTS
from schakel.contracts.vocabulary import OfferKind, TaskStatus
from schakel.matching.domain.matches import BUDDY_TERM, MatchTerm, renewed, term_for
from schakel.matching.domain.registry import Refused
from schakel.matching.handlers import (
    after_close,
    after_confirm,
    after_decline,
    after_start,
    end_due_matches,
    end_match,
    renew,
    renew_match,
)
from tests.payloads import followed_up
from tests.unit.test_matching_handlers import T, closed, declined
from tests.unit.test_matching_waitlist import ORG, World, about

YEAR = timedelta(days=365)


def lifecycle(cls: type[Any], referral_id: str, at: datetime, **facts: Any) -> EventEnvelope[Any]:
    """The owner's event at ``at`` (the envelope's time too: matching counts from it)."""
    payload = followed_up(cls, referral_id, TaskStatus.IN_PROGRESS, at=at, **facts)
    event = new_event(payload, source="/schakel/followup", subject=referral_id)
    return event.model_copy(update={"time": at})


def confirmed(referral_id: str, offer_id: str, at: datetime = T) -> EventEnvelope[Any]:
    return lifecycle(SupportConfirmed, referral_id, at, offer_id=offer_id, kind=OfferKind.MAATJE)


def started_event(referral_id: str, offer_id: str | None, at: datetime) -> EventEnvelope[Any]:
    return lifecycle(SupportStarted, referral_id, at, offer_id=offer_id, kind=OfferKind.MAATJE)


class HelperOutbox:
    def __init__(self) -> None:
        self.events: list[tuple[EventEnvelope[Any], str]] = []

    def __call__(self, event: EventEnvelope[Any], topic: str) -> None:
        self.events.append((event, topic))


async def proposed_world() -> World:
    """maatje-1 (one place) proposed to r1, not yet confirmed."""
    world = World()
    await world.register("maatje-1")
    await world.converse("r1")
    return world


async def matched_world(waiting: bool = False) -> World:
    """maatje-1 (one place) proposed to r1 and confirmed at T; with ``waiting``, r2 waits."""
    world = await proposed_world()
    if waiting:
        await world.converse("r2")
    await after_confirm(confirmed("r1", "maatje-1"), world.proposals)
    return world


async def free_places(world: World) -> int:
    helper = await world.helpers.get("maatje-1")
    assert helper is not None
    return helper.free


def test_a_buddy_match_runs_a_year_renewable_once_other_kinds_until_closing() -> None:
    buddy = term_for(OfferKind.MAATJE, T)
    assert (buddy.start, buddy.end, buddy.renewals_left) == (T, T + BUDDY_TERM, 1)
    once = renewed(buddy)
    assert isinstance(once, MatchTerm) and once.end == T + 2 * YEAR
    assert renewed(once) == "a buddy match may be renewed once, and this one was"
    cook = term_for(OfferKind.THUISGEKOOKT, T)
    assert cook.end is None and isinstance(renewed(cook), str)


async def test_confirming_makes_the_held_place_a_match_from_the_confirmation() -> None:
    world = await matched_world()

    assert world.proposals.matches["r1"] == MatchTerm(T, T + YEAR, 1)
    assert await free_places(world) == 0  # used by the match
    assert await world.proposals.held("r1") is None


async def test_confirming_another_offer_than_the_one_held_records_no_match() -> None:
    world = await proposed_world()

    await after_confirm(confirmed("r1", "elsewhere"), world.proposals)

    assert "r1" not in world.proposals.matches
    assert await world.proposals.held("r1") is not None


async def test_the_term_counts_from_the_start_of_the_support() -> None:
    world = await matched_world()
    later = T + timedelta(days=14)

    await after_start(started_event("r1", "maatje-1", later), world.proposals)

    assert world.proposals.matches["r1"] == MatchTerm(later, later + YEAR, 1)


async def test_support_started_without_a_confirmation_starts_the_match() -> None:
    world = await proposed_world()
    later = T + timedelta(days=3)

    await after_start(started_event("r1", None, later), world.proposals)  # arranged elsewhere
    assert "r1" not in world.proposals.matches
    await after_start(started_event("r1", "maatje-1", later), world.proposals)

    assert world.proposals.matches["r1"] == MatchTerm(later, later + YEAR, 1)


async def test_a_decline_before_confirmation_frees_the_place() -> None:
    world = await proposed_world()
    assert await free_places(world) == 0
    decline = about(declined("maatje-1"), "r1")

    await after_decline(decline, world.offers, world.proposals, world.outbox, world.helpers)

    assert await free_places(world) == 1 and "r1" not in world.proposals.matches


async def test_closing_ends_the_match_frees_its_place_and_the_next_in_line_gets_it() -> None:
    world = await matched_world(waiting=True)
    assert world.proposed() == [("r1", "maatje-1")]

    close = about(closed(OfferKind.MAATJE), "r1")
    await after_close(close, world.offers, world.proposals, world.helpers, world.outbox)

    assert world.proposals.ended["r1"] == ("closed", close.time)
    assert world.proposed() == [("r1", "maatje-1"), ("r2", "maatje-1")]
    assert await free_places(world) == 0  # r2 holds it now


async def test_the_term_running_out_ends_the_match_with_an_event_and_frees_the_place() -> None:
    world = await matched_world(waiting=True)
    emitted = HelperOutbox()

    assert await end_due_matches(T + YEAR - timedelta(seconds=1), *stores(world), emitted) == 0
    assert emitted.events == [] and "r1" in world.proposals.matches

    assert await end_due_matches(T + YEAR, *stores(world), emitted) == 1

    (ended, topic), (proposal, _) = emitted.events
    assert topic == HELPER_EVENTS and isinstance(ended.data, HelperMatchEnded)
    assert (ended.subject, ended.data.referral_id, ended.data.ended_at) == (
        "maatje-1",
        "r1",
        T + YEAR,
    )
    assert world.proposals.ended["r1"] == ("term", T + YEAR)
    assert isinstance(proposal.data, MatchProposed) and proposal.subject == "r2"
    assert proposal.causationid == ended.id
    assert await end_due_matches(T + 2 * YEAR, *stores(world), emitted) == 0  # once


async def test_replaying_the_ended_event_frees_the_place_as_live() -> None:
    live, replayed = await matched_world(), await matched_world()
    emitted = HelperOutbox()
    await end_due_matches(T + YEAR, *stores(live), emitted)
    [(ended, _)] = emitted.events

    await end_match(ended, *stores(replayed), replayed.outbox)
    await end_match(ended, *stores(replayed), replayed.outbox)  # a second copy changes nothing

    assert replayed.helpers.helpers == live.helpers.helpers
    assert replayed.proposals.ended == live.proposals.ended


async def test_a_coordinator_renews_a_buddy_match_once_and_only_their_own() -> None:
    world = await matched_world()
    emitted = HelperOutbox()

    def renewing(organisation: str, helper_id: str = "maatje-1") -> Any:
        ids = (helper_id, "r1")
        return renew(world.helpers, world.proposals, ids, organisation, emitted, "cid")

    assert await renewing("someone-else") == Refused(404, "no helper maatje-1 of someone-else")
    assert await renewing(ORG) == MatchTerm(T, T + 2 * YEAR, 0)
    [(event, topic)] = emitted.events
    assert topic == HELPER_EVENTS and isinstance(event.data, HelperMatchRenewed)
    assert event.data.until == T + 2 * YEAR
    again = await renewing(ORG)
    assert isinstance(again, Refused) and again.status == 409
    assert world.proposals.matches["r1"].end == T + 2 * YEAR
    await renew_match(event, world.proposals)  # replayed after the live: no third term
    assert world.proposals.matches["r1"].end == T + 2 * YEAR


def stores(world: World) -> tuple[Any, Any, Any]:
    return world.offers, world.proposals, world.helpers
