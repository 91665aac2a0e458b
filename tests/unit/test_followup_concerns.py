"""A concern about someone in care reaches the owner at once, and when triage makes the
referral urgent the owner must act within hours."""

from __future__ import annotations

from datetime import timedelta

from schakel.contracts.events import FiredRule
from schakel.contracts.lifecycle import Actor, ConcernRaised, ReferralRegraded
from schakel.contracts.vocabulary import (
    ActorRole,
    CloseOutcome,
    ConcernSource,
    DeadlineKind,
    Observation,
    Urgency,
)
from schakel.followup.domain.commands import Accept, AttemptContact, Close, RaiseConcern
from schakel.followup.domain.machine import Refusal, decide
from schakel.followup.views import inbox_order
from tests import payloads
from tests.unit.test_followup_deadlines import T0, Followup
from tests.unit.test_followup_machine import MAKELAAR, acted, received, routed

HELPER = Actor(organisation="thuisgekookt", role=ActorRole.HULPVERLENER)


def concern(concern_id: str = "concern-1") -> RaiseConcern:
    return RaiseConcern(HELPER, concern_id, ConcernSource.HULPVERLENER, (Observation.ONDERVOEDING,))


def regraded(urgency: Urgency) -> ReferralRegraded:
    return ReferralRegraded(
        referral_id="ref-1",
        grade=None,
        urgency=urgency,
        raised=True,
        concern_id="concern-1",
        rules_fired=[FiredRule(rule_id="urgency.not-eating", reason="not eating")],
        rule_set_version="test",
    )


async def test_an_urgent_concern_must_be_acted_on_within_hours_and_an_action_ends_it() -> None:
    followup = Followup(now=T0)
    await followup.consume(received())
    await followup.consume(payloads.triaged("ref-1"))
    await followup.act(Accept(MAKELAAR))
    followup.now = T0 + timedelta(hours=2)
    await followup.act(concern())
    marked = await followup.state()
    assert marked.concern_open and marked.concerns == 1
    assert marked.next_due_kind is DeadlineKind.CONTACT  # routine still: nothing more yet

    followup.now = T0 + timedelta(hours=2, seconds=3)
    await followup.consume(regraded(Urgency.DIRECT))  # triage's re-judgement
    urgent = await followup.state()
    assert (urgent.urgency, urgent.next_due_kind) == (Urgency.DIRECT, DeadlineKind.CONCERN)
    assert urgent.next_due_at == T0 + timedelta(hours=6)  # 4 hours from the concern

    followup.now = T0 + timedelta(hours=6, minutes=1)
    [passed] = await followup.scheduler_pass()
    assert (
        passed.kind is DeadlineKind.CONCERN
        and passed.notify_organisation == urgent.owner_organisation
    )

    await followup.act(AttemptContact(MAKELAAR))  # the owner acts
    after = await followup.state()
    assert not after.concern_open and after.next_due_kind is DeadlineKind.CONTACT
    assert await followup.ports.deadlines.pending_for("ref-1") == [
        p
        for p in await followup.ports.deadlines.pending_for("ref-1")
        if p.kind is DeadlineKind.CONTACT
    ]


def test_a_concern_about_a_closed_referral_is_refused_it_needs_a_new_signal() -> None:
    closed = acted(routed(), Accept(MAKELAAR), Close(MAKELAAR, CloseOutcome.HULP_GEKREGEN))

    refused = decide(closed, concern(), T0)

    assert isinstance(refused, Refusal) and "new signal" in refused.reason


def test_the_event_carries_who_reported_and_what_without_changing_the_status() -> None:
    state = acted(routed(), Accept(MAKELAAR))

    [event] = decide(state, concern(), T0)  # type: ignore[misc]

    assert isinstance(event, ConcernRaised)
    assert (event.actor, event.source, event.observations) == (
        HELPER,
        ConcernSource.HULPVERLENER,
        [Observation.ONDERVOEDING],
    )
    assert (event.status, event.owner_organisation) == (state.status, state.owner_organisation)


def test_an_open_concern_comes_first_among_referrals_as_urgent() -> None:
    calm = acted(routed(), Accept(MAKELAAR))
    worried = acted(routed(), Accept(MAKELAAR), concern())

    assert sorted([calm, worried], key=inbox_order) == [worried, calm]
