"""Feedback's handler over an in-memory read model, and who may read a referral."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import FeedbackRecorded
from schakel.contracts.vocabulary import Route, SignalerStage
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


@dataclass
class Outbox:
    events: list[EventEnvelope[Any]] = field(default_factory=list)

    def __call__(self, event: EventEnvelope[Any]) -> None:
        self.events.append(event)

    @property
    def stages(self) -> list[SignalerStage]:
        return [e.data.stage for e in self.events]


async def test_each_step_of_a_referral_is_recorded_as_feedback_for_the_signaler() -> None:
    referrals, outbox = FakeReferrals(), Outbox()
    steps = [received(), triaged(), match_proposed()]

    for step in steps:
        await follow(step, referrals, outbox)

    assert outbox.stages == [
        SignalerStage.ONTVANGEN,
        SignalerStage.DOORGEZET,
        SignalerStage.DOORGEZET,
    ]
    assert [e.data.caused_by_type for e in outbox.events] == [s.type for s in steps]
    assert [e.causationid for e in outbox.events] == [s.id for s in steps]
    last = outbox.events[-1]
    assert isinstance(last.data, FeedbackRecorded)
    assert last.data.organisation_kind is Route.BUURTTEAM
    assert OWNER not in last.data.model_dump_json()  # the signaler never learns the owner's id
    assert (last.subject, last.source, last.correlationid) == (REFERRAL, SOURCE, "corr-1")
    assert referrals.states[REFERRAL].status.value == "match_proposed"


async def test_a_redelivered_event_is_recorded_once() -> None:
    referrals, outbox = FakeReferrals(), Outbox()
    first = received()

    await follow(first, referrals, outbox)
    await follow(first, referrals, outbox)

    assert referrals.saves == 1 and len(outbox.events) == 1


async def test_no_change_for_the_signaler_is_kept_but_not_announced() -> None:
    referrals, outbox = FakeReferrals(), Outbox()

    for step in (received(), triaged(), waitlisted(), waitlisted()):
        await follow(step, referrals, outbox)

    assert outbox.stages[-1] is SignalerStage.DOORGEZET and len(outbox.events) == 3
    assert len(referrals.states[REFERRAL].history) == 4


def test_feedback_follows_the_lifecycle_but_not_its_own_events() -> None:
    assert set(HANDLERS) == {
        "nl.schakel.referral.received",
        "nl.schakel.referral.triaged",
        "nl.schakel.referral.match-proposed",
        "nl.schakel.referral.waitlisted",
    }


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
