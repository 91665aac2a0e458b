"""Deadlines that never sleep: the policy, Dutch working days, and the escalation from a
reminder to the coordinator to the coordination point, under a controllable clock."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schakel.contracts.envelope import EventEnvelope, EventPayload, new_event
from schakel.contracts.events import MatchProposed
from schakel.contracts.lifecycle import DeadlinePassed
from schakel.contracts.vocabulary import (
    ActorRole,
    CloseOutcome,
    DeadlineKind,
    EscalationLevel,
    Grade,
    Route,
    TaskStatus,
    Urgency,
)
from schakel.contracts.vocabulary import BusinessStatus as B
from schakel.followup import policy
from schakel.followup.domain.commands import Accept, AttemptContact, Close, Command
from schakel.followup.domain.deadlines import (
    AMSTERDAM,
    add_working_days,
    deadline_for,
    dutch_public_holiday,
)
from schakel.followup.domain.state import Referral
from schakel.followup.handlers import Ports, Setup, act, fire, follow
from tests import payloads
from tests.fakes.followup import NOTES, FakeDeadlines, FakeReferrals
from tests.unit.test_followup_machine import (
    CONVERSATION,
    MAKELAAR,
    OFFER,
    acted,
    in_stage,
    received,
    routed,
)

POLICY = policy.load()
POINT = "coordinatiepunt-eenzaamheid"
OWNER = "sociaal-makelaars-overvecht"


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


# --- the policy and the calendar --------------------------------------------------------


def test_the_shipped_policy_validates_and_guards_every_open_stage() -> None:
    assert POLICY.version == policy.CURRENT and policy.CURRENT in policy.versions()
    assert {r.kind for r in POLICY.rules} >= {
        DeadlineKind.ACCEPT,
        DeadlineKind.CONTACT,
        DeadlineKind.ASSIGN,
        DeadlineKind.ANSWER_PROPOSAL,
        DeadlineKind.START_SUPPORT,
        DeadlineKind.CHECK_IN,
        DeadlineKind.RESUME,
    }
    for stage in (
        (TaskStatus.REQUESTED, None),
        (TaskStatus.ACCEPTED, None),
        (TaskStatus.IN_PROGRESS, B.CONTACT_ATTEMPTED),
        (TaskStatus.IN_PROGRESS, B.CONTACT_MADE),
        (TaskStatus.IN_PROGRESS, B.SUPPORT_PROPOSED),
        (TaskStatus.IN_PROGRESS, B.SUPPORT_ACCEPTED),
        (TaskStatus.IN_PROGRESS, B.SUPPORT_STARTED),
        (TaskStatus.IN_PROGRESS, B.CHECK_IN_DONE),
    ):
        assert deadline_for(in_stage(stage), POLICY) is not None, stage


def test_the_demonstration_policy_is_the_current_one_with_urgent_deadlines_in_minutes() -> None:
    demo = policy.load("2026.12-1-demo")
    changed = {r.id for r in demo.rules if r not in POLICY.rules}

    assert [r.id for r in demo.rules] == [r.id for r in POLICY.rules]
    assert changed == {"contact.direct", "concern.direct"}
    urgent = deadline_for(_at(routed(urgency=Urgency.DIRECT), T0), demo)
    assert urgent is not None and urgent.due_at == T0 + timedelta(minutes=3)


def test_a_working_day_skips_the_weekend_and_keeps_the_local_time() -> None:
    friday = local(2026, 11, 27, 10, 0)
    assert add_working_days(friday, 1, dutch_public_holiday) == local(2026, 11, 30, 10, 0)
    # Across the end of summer time the wall clock stays at 10:00.
    assert add_working_days(local(2026, 10, 23, 10, 0), 1, dutch_public_holiday) == local(
        2026, 10, 26, 10, 0
    )


def test_kings_day_moves_a_working_day_deadline() -> None:
    friday = local(2026, 4, 24, 9, 30)  # Koningsdag 2026 is Monday 27 April

    assert dutch_public_holiday(local(2026, 4, 27, 0, 0).date())
    assert add_working_days(friday, 1, dutch_public_holiday) == local(2026, 4, 28, 9, 30)
    assert add_working_days(friday, 1, lambda day: False) == local(2026, 4, 27, 9, 30)


def test_christmas_moves_a_working_day_deadline() -> None:
    christmas_eve = local(2026, 12, 24, 16, 0)  # Thursday; 25 and 26 December are holidays

    assert add_working_days(christmas_eve, 2, dutch_public_holiday) == local(2026, 12, 29, 16, 0)


def _at(state: Referral, at: datetime) -> Referral:
    return replace(state, assigned_at=at, stage_since=at)


def routed_at(at: datetime, urgency: Urgency, **triage: Any) -> Referral:
    """Routed at ``at`` with ``triage``'s grade, route and hours."""
    return _at(replace(routed(urgency=urgency), **triage), at)


T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday
HOURS_24 = timedelta(hours=24)


@pytest.mark.parametrize(
    ("urgency", "grade", "route", "kind", "due"),
    [
        (
            Urgency.DIRECT,
            Grade.LICHT_TOT_MATIG,
            Route.BUURTTEAM,
            "contact",
            T0 + timedelta(hours=24),
        ),
        (Urgency.ROUTINE, Grade.ERNSTIG, Route.SOCIAAL_MAKELAAR, "accept", T0 + timedelta(days=2)),
        (Urgency.ROUTINE, None, Route.SOCIAAL_MAKELAAR, "accept", T0 + timedelta(days=7)),
        (Urgency.ROUTINE, None, Route.COORDINATIEPUNT, "assign", T0 + timedelta(hours=72)),
    ],
)
def test_a_new_referral_is_guarded_by_urgency_grade_and_route(
    urgency: Urgency, grade: Grade | None, route: Route, kind: str, due: datetime
) -> None:
    hours = 72 if route is Route.COORDINATIEPUNT else None
    state = routed_at(T0, urgency=urgency, grade=grade, route=route, assign_within_hours=hours)

    deadline = deadline_for(state, POLICY)

    assert deadline is not None
    assert (deadline.kind.value, deadline.due_at) == (kind, due)


def test_a_proposal_waits_two_weeks_and_support_six_weeks_for_a_check_in() -> None:
    proposed = _at(in_stage((TaskStatus.IN_PROGRESS, B.SUPPORT_PROPOSED)), T0)
    proposal = deadline_for(proposed, POLICY)
    assert proposal is not None and proposal.kind is DeadlineKind.ANSWER_PROPOSAL
    assert proposal.due_at == T0 + timedelta(days=14)
    started = in_stage((TaskStatus.IN_PROGRESS, B.SUPPORT_STARTED))
    check_in = deadline_for(started, POLICY)
    assert started.support is not None and check_in is not None
    assert (check_in.kind, check_in.due_at) == (
        DeadlineKind.CHECK_IN,
        started.support.started_at + timedelta(days=42),
    )


def test_attempts_keep_the_deadline_a_conversation_replaces_it() -> None:
    accepted = acted(routed(urgency=Urgency.DIRECT), Accept(MAKELAAR))
    attempted = acted(accepted, AttemptContact(MAKELAAR), AttemptContact(MAKELAAR))
    talked = acted(attempted, CONVERSATION)

    first, again, after = (deadline_for(s, POLICY) for s in (accepted, attempted, talked))
    assert first is not None and again is not None and after is not None
    assert first.key == again.key and first.kind is DeadlineKind.CONTACT
    assert after.kind is DeadlineKind.START_SUPPORT


def test_nothing_guards_a_closed_referral() -> None:
    closed = acted(routed(), Accept(MAKELAAR), Close(MAKELAAR, CloseOutcome.NIET_BEREIKT))
    assert deadline_for(closed, POLICY) is None


# --- firing, with a clock the test moves ------------------------------------------------


@dataclass
class Followup:
    """The handlers over in-memory ports, with a clock the test moves and the scheduler's
    loop done by hand."""

    now: datetime
    ports: Ports = field(default_factory=lambda: Ports(FakeReferrals(), FakeDeadlines()))
    setup: Setup = field(default_factory=lambda: Setup(POLICY, POINT, notes=NOTES))
    events: list[EventEnvelope[Any]] = field(default_factory=list)

    def emit(self, event: EventEnvelope[Any]) -> None:
        self.events.append(event)

    async def consume(self, payload: EventPayload) -> None:
        event = new_event(payload, source="/schakel/test", subject="ref-1")
        event = event.model_copy(update={"time": self.now})
        await follow(event, self.ports, self.setup, self.emit, self.now)

    async def act(self, command: Command) -> None:
        await act(self.ports, self.setup, "ref-1", command, self.now, self.emit)

    async def scheduler_pass(self) -> list[DeadlinePassed]:
        deadlines = self.ports.deadlines
        assert isinstance(deadlines, FakeDeadlines)
        before = len(self.events)
        for deadline_id in deadlines.due(self.now):
            await fire(deadline_id, self.ports, self.setup, self.now, self.emit)
        return [e.data for e in self.events[before:] if isinstance(e.data, DeadlinePassed)]

    async def state(self) -> Referral:
        found = await self.ports.referrals.get("ref-1")
        assert found is not None
        return found


async def test_a_missed_deadline_reminds_then_escalates_to_the_coordinator_then_the_point() -> None:
    followup = Followup(now=T0)
    await followup.consume(received())
    await followup.consume(payloads.triaged("ref-1", grade=Grade.ERNSTIG))
    state = await followup.state()
    assert (state.next_due_kind, state.next_due_at) == (DeadlineKind.ACCEPT, T0 + timedelta(days=2))

    followup.now = T0 + timedelta(days=2) - timedelta(seconds=1)
    assert await followup.scheduler_pass() == []

    heard = []
    for days in (2, 3, 4, 5):  # Thursday 3 Dec, Friday, Monday 7 Dec (a weekend between)
        followup.now = T0 + timedelta(days=days + (2 if days >= 4 else 0))
        heard += await followup.scheduler_pass()

    assert [(e.level, e.notify_organisation, e.notify_role) for e in heard] == [
        (EscalationLevel.HERINNERING, OWNER, ActorRole.SOCIAAL_MAKELAAR),
        (EscalationLevel.COORDINATOR, OWNER, ActorRole.COORDINATOR),
        (EscalationLevel.COORDINATIEPUNT, POINT, ActorRole.COORDINATIEPUNT),
    ]
    assert {e.kind for e in heard} == {DeadlineKind.ACCEPT}
    assert {e.due_at for e in heard} == {T0 + timedelta(days=2)}
    assert [e.status for e in heard] == [TaskStatus.REQUESTED] * 3  # nothing else changed
    state = await followup.state()
    assert state.deadline_level is EscalationLevel.COORDINATIEPUNT
    assert [e.organisation for e in state.escalations] == [OWNER, OWNER, POINT]
    followup.now += timedelta(days=30)
    assert await followup.scheduler_pass() == []  # the top of the ladder: nothing more


async def test_an_owners_action_cancels_what_was_pending_and_sets_the_next_deadline() -> None:
    followup = Followup(now=T0)
    await followup.consume(received())
    await followup.consume(payloads.triaged("ref-1"))
    followup.now = T0 + timedelta(days=1)
    await followup.act(Accept(MAKELAAR))

    followup.now = T0 + timedelta(days=7, hours=1)  # the accept deadline would have passed
    passed = await followup.scheduler_pass()

    state = await followup.state()
    assert passed == [] and state.next_due_kind is DeadlineKind.CONTACT
    assert state.next_due_at == T0 + timedelta(days=8)  # 5 working days from accepting
    pending = await followup.ports.deadlines.pending_for("ref-1")
    assert [(p.kind, p.level) for p in pending] == [
        (DeadlineKind.CONTACT, EscalationLevel.HERINNERING)
    ]


async def test_a_level_fires_once_however_often_it_is_tried() -> None:
    followup = Followup(now=T0)
    await followup.consume(received())
    await followup.consume(payloads.triaged("ref-1", urgency=Urgency.DIRECT))
    followup.now = T0 + timedelta(hours=25)
    deadlines = followup.ports.deadlines
    assert isinstance(deadlines, FakeDeadlines)
    [due] = deadlines.due(followup.now)

    fired = [await fire(due, followup.ports, followup.setup, followup.now, followup.emit)]
    fired.append(await fire(due, followup.ports, followup.setup, followup.now, followup.emit))

    assert fired == [True, False]
    assert sum(isinstance(e.data, DeadlinePassed) for e in followup.events) == 1


async def test_a_proposal_arriving_starts_the_two_weeks() -> None:
    followup = Followup(now=T0)
    await followup.consume(received())
    await followup.consume(payloads.triaged("ref-1"))
    await followup.act(Accept(MAKELAAR))
    await followup.act(CONVERSATION)
    followup.now = T0 + timedelta(hours=3)
    await followup.consume(
        MatchProposed(referral_id="ref-1", offer=OFFER, score=1.0, reasons=["fits"])
    )

    state = await followup.state()
    assert (state.business_status, state.next_due_kind) == (
        B.SUPPORT_PROPOSED,
        DeadlineKind.ANSWER_PROPOSAL,
    )
    assert state.next_due_at == T0 + timedelta(hours=3, days=14)
