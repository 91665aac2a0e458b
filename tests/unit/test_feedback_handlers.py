"""Feedback's handler over an in-memory read model, and who may read a referral."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import FeedbackRecorded, ReferrerUpdated
from schakel.contracts.lifecycle import LIFECYCLE_PAYLOADS
from schakel.contracts.topics import GP_FEEDBACK, REFERRAL_EVENTS
from schakel.contracts.vocabulary import (
    ReferrerUpdate,
    Route,
    SignalerStage,
)
from schakel.feedback.api import may_see
from schakel.feedback.domain import ReferralState
from schakel.feedback.handlers import HANDLERS, SOURCE, follow
from schakel.platform.auth import Principal, Role
from tests.fakes.feedback import FakeReferrals
from tests.unit.test_feedback_domain import (
    GP,
    OWNER,
    REFERRAL,
    match_proposed,
    received,
    triaged,
    waitlisted,
)
from tests.unit.test_feedback_lifecycle import whole_path


@dataclass
class Outbox:
    """What the handler emits: the referral topic's events, and the GP-facing topic's."""

    events: list[EventEnvelope[Any]] = field(default_factory=list)
    for_referrers: list[EventEnvelope[Any]] = field(default_factory=list)

    def __call__(self, event: EventEnvelope[Any], topic: str = REFERRAL_EVENTS) -> None:
        (self.for_referrers if topic == GP_FEEDBACK else self.events).append(event)

    @property
    def stages(self) -> list[SignalerStage]:
        return [e.data.stage for e in self.events]


async def test_each_step_of_a_referral_is_recorded_as_feedback_for_the_signaler() -> None:
    referrals, outbox = FakeReferrals(), Outbox()
    steps = [received(), triaged(), match_proposed()]

    for step in steps:
        await follow(step, referrals, outbox)

    # "Received" is what the receipt said already; a proposal is news for the owner: nobody
    # has done anything the signaler may hear of.
    assert outbox.stages == [SignalerStage.DOORGEZET]
    assert [e.data.caused_by_type for e in outbox.events] == [steps[1].type]
    assert [e.causationid for e in outbox.events] == [steps[1].id]
    last = outbox.events[-1]
    assert isinstance(last.data, FeedbackRecorded)
    assert last.data.organisation_kind is Route.BUURTTEAM
    assert OWNER not in last.data.model_dump_json()  # the signaler never learns the owner's id
    assert (last.subject, last.source, last.correlationid) == (REFERRAL, SOURCE, "corr-1")
    assert referrals.states[REFERRAL].status.value == "match_proposed"


async def test_a_redelivered_event_is_recorded_once() -> None:
    referrals, outbox = FakeReferrals(), Outbox()
    first, second = received(), triaged()

    for step in (first, first, second, second):
        await follow(step, referrals, outbox)

    assert referrals.saves == 2 and len(outbox.events) == 1


async def test_no_change_for_the_signaler_is_kept_but_not_announced() -> None:
    referrals, outbox = FakeReferrals(), Outbox()

    for step in (received(), triaged(), waitlisted(), waitlisted()):
        await follow(step, referrals, outbox)

    assert outbox.stages == [SignalerStage.DOORGEZET]
    assert len(referrals.states[REFERRAL].history) == 4


def test_feedback_follows_the_lifecycle_but_not_its_own_events() -> None:
    assert set(HANDLERS) == {
        "nl.schakel.referral.received",
        "nl.schakel.referral.triaged",
        "nl.schakel.referral.match-proposed",
        "nl.schakel.referral.waitlisted",
        *(payload.event_name for payload in LIFECYCLE_PAYLOADS),
        # a signal that joined a referral, or waits to: its own receipt follows that one
        "nl.schakel.referral.signal-attached",
        "nl.schakel.referral.duplicate-suspected",
    }
    assert "nl.schakel.referral.feedback-recorded" not in HANDLERS


async def test_the_referring_gp_hears_on_its_own_topic_and_the_signaler_of_each_stage() -> None:
    referrals, outbox = FakeReferrals(), Outbox()
    steps = whole_path()

    for step in steps:
        await follow(step, referrals, outbox)

    assert outbox.stages == [
        SignalerStage.DOORGEZET,
        SignalerStage.OPGEPAKT,
        SignalerStage.IN_CONTACT,
        SignalerStage.HULP_GESTART,
        SignalerStage.AFGESLOTEN,
    ]
    assert outbox.events[-1].data.outcome.value == "hulp_gevonden"
    updates = [e.data for e in outbox.for_referrers]
    assert all(isinstance(u, ReferrerUpdated) for u in updates)
    assert [u.update for u in updates] == [
        ReferrerUpdate.ACCEPTED,
        ReferrerUpdate.SUPPORT_STARTED,
        ReferrerUpdate.CLOSED,
    ]
    assert {e.subject for e in outbox.for_referrers} == {REFERRAL}
    assert [e.causationid for e in outbox.for_referrers] == [steps[2].id, steps[4].id, steps[5].id]


async def _state() -> ReferralState:
    referrals = FakeReferrals()
    for step in (received(), triaged()):
        await follow(step, referrals, Outbox())
    return referrals.states[REFERRAL]


async def test_the_referring_gp_and_the_owner_may_read_the_referral() -> None:
    state = await _state()

    assert may_see(Principal("dr-jansen", GP, frozenset({Role.HUISARTS})), state)
    assert may_see(Principal("makelaar", OWNER, frozenset({Role.SOCIAAL_MAKELAAR})), state)
    assert may_see(Principal("auditor", "gemeente-utrecht", frozenset({Role.AUDITOR})), state)


async def test_another_organisation_may_not_read_the_referral() -> None:
    state = await _state()

    assert not may_see(
        Principal("makelaar", "buurtteam-zuilen", frozenset({Role.SOCIAAL_MAKELAAR})), state
    )
    assert not may_see(Principal("beleid", "gemeente-utrecht", frozenset({Role.GEMEENTE})), state)
