"""Deadlines, pure Python: the versioned policy (which deadline guards a referral in each
stage, by urgency and grade), when it falls due (clock hours, calendar days or Dutch working
days), and who hears of it at each level of escalation.

A referral has at most one deadline at a time: the first rule of the policy that holds for
its state. The deadline is known by its key (rule and the moment it counts from), so an
event that leaves rule and anchor alone (a contact attempt, a concern, the deadline's own
firing) keeps it, and one that changes them replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Self
from zoneinfo import ZoneInfo

import holidays
from pydantic import BaseModel, ConfigDict, Field, model_validator

from schakel.contracts.lifecycle import Actor, DeadlinePassed
from schakel.contracts.vocabulary import (
    ActorRole,
    DeadlineKind,
    EscalationLevel,
    Grade,
    Route,
    TaskStatus,
    Urgency,
)
from schakel.followup.domain.state import Referral

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LEVELS = (EscalationLevel.HERINNERING, EscalationLevel.COORDINATOR, EscalationLevel.COORDINATIEPUNT)
IsHoliday = Callable[[date], bool]


def dutch_public_holiday(day: date) -> bool:
    """A public holiday in the Netherlands, as the maintained ``holidays`` package lists them
    (New Year, Good Friday, Easter, King's Day, Ascension, Pentecost, Christmas; Liberation
    Day in the years it is a day off)."""
    return day in holidays.country_holidays("NL", years=day.year)


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Within(_Data):
    """How long, exactly one of: minutes (for demonstrations), clock hours, calendar days,
    working days (Monday to Friday but Dutch public holidays, counted in Europe/Amsterdam),
    or the hours triage gave the coordination point to assign an owner."""

    minutes: int | None = Field(default=None, ge=1)
    hours: int | None = Field(default=None, ge=1)
    days: int | None = Field(default=None, ge=1)
    working_days: int | None = Field(default=None, ge=1)
    triage_assign_hours: bool = False

    @model_validator(mode="after")
    def _one(self) -> Self:
        given = [self.minutes, self.hours, self.days, self.working_days]
        if sum(g is not None for g in [*given, self.triage_assign_hours or None]) != 1:
            raise ValueError(
                "give exactly one of minutes, hours, days, working_days, triage_assign_hours"
            )
        return self


class Anchor(StrEnum):
    """The moment a deadline counts from."""

    ASSIGNED = "assigned"  # the current owner was named (triage, a transfer)
    ACCEPTED = "accepted"
    STAGE = "stage"  # the status or business status last changed
    CHECK_IN = "check_in"  # the last check-in, or support starting
    CONCERN = "concern"  # the last concern reported


class When(_Data):
    """A rule's condition: every field given must hold; within a list, any one will do.
    A stage is ``status`` (any business status) or ``status/business-status``."""

    stages: tuple[str, ...] = Field(min_length=1)
    urgencies: tuple[Urgency, ...] = ()
    grades: tuple[Grade, ...] = ()
    routes: tuple[Route, ...] = ()
    concern_open: bool | None = None

    @model_validator(mode="after")
    def _known_stages(self) -> Self:
        statuses = {s.value for s in TaskStatus}
        for stage in self.stages:
            if stage.split("/", 1)[0] not in statuses:
                raise ValueError(f"unknown stage {stage!r}")
        return self


class DeadlineRule(_Data):
    id: str = Field(pattern=r"^[a-z][a-z0-9.-]*$")
    kind: DeadlineKind
    when: When
    counts_from: Anchor
    within: Within
    escalate_after: Within = Field(
        description="After the reminder, until the coordinator hears; as long again until "
        "the coordination point does"
    )
    reason: str = Field(min_length=1)
    assumption: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _says_why(self) -> Self:
        if not (self.assumption or self.source):
            raise ValueError(f"rule {self.id} needs a source or an assumption")
        if self.escalate_after.triage_assign_hours:
            raise ValueError("escalate_after cannot be triage's hours")
        return self


class DeadlinePolicy(_Data):
    version: str = Field(min_length=1)
    base: str | None = Field(
        default=None,
        description="A policy this one changes: its rules, with those of the same id replaced",
    )
    rules: tuple[DeadlineRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids must be unique")
        return self

    def on(self, base: DeadlinePolicy) -> DeadlinePolicy:
        """This policy's rules in place of ``base``'s of the same id, in ``base``'s order."""
        mine = {r.id: r for r in self.rules}
        unknown = set(mine) - {r.id for r in base.rules}
        if unknown:
            raise ValueError(f"rules {sorted(unknown)} are not in base policy {base.version}")
        merged = tuple(mine.get(r.id, r) for r in base.rules)
        return self.model_copy(update={"rules": merged})


# --- counting -------------------------------------------------------------------------------


def working_day(day: date, is_holiday: IsHoliday) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(start: datetime, count: int, is_holiday: IsHoliday) -> datetime:
    """``count`` working days after ``start``, at the same local time (Europe/Amsterdam): a
    referral named on Friday at 10:00 with 1 working day is due Monday at 10:00, or Tuesday
    when Monday is a public holiday."""
    local = start.astimezone(AMSTERDAM)
    day, left = local.date(), count
    while left:
        day += timedelta(days=1)
        if working_day(day, is_holiday):
            left -= 1
    at: time = local.timetz().replace(tzinfo=None)
    return datetime.combine(day, at, tzinfo=AMSTERDAM).astimezone(start.tzinfo)


def after(start: datetime, within: Within, state: Referral, is_holiday: IsHoliday) -> datetime:
    if within.minutes is not None:
        return start + timedelta(minutes=within.minutes)
    if within.hours is not None:
        return start + timedelta(hours=within.hours)
    if within.days is not None:
        return start + timedelta(days=within.days)
    if within.working_days is not None:
        return add_working_days(start, within.working_days, is_holiday)
    return start + timedelta(hours=state.assign_within_hours or 24)


# --- which rule holds -----------------------------------------------------------------------


def _stage_holds(stages: tuple[str, ...], state: Referral) -> bool:
    if state.status is None:
        return False
    status = state.status.value
    exact = f"{status}/{state.business_status.value}" if state.business_status else status
    return status in stages or exact in stages


def holds(when: When, state: Referral) -> bool:
    return (
        _stage_holds(when.stages, state)
        and (not when.urgencies or state.urgency in when.urgencies)
        and (not when.grades or state.grade in when.grades)
        and (not when.routes or state.route in when.routes)
        and (when.concern_open is None or when.concern_open is state.concern_open)
    )


def anchor_of(rule: DeadlineRule, state: Referral) -> datetime | None:
    support = state.support
    found = {
        Anchor.ASSIGNED: state.assigned_at,
        Anchor.ACCEPTED: state.accepted_at or state.assigned_at,
        Anchor.STAGE: state.stage_since,
        Anchor.CHECK_IN: state.last_check_in_at or (support.started_at if support else None),
        Anchor.CONCERN: state.last_concern_at,
    }[rule.counts_from]
    return found or state.stage_since or state.assigned_at


@dataclass(frozen=True)
class Deadline:
    """The deadline that guards a referral now."""

    key: str  # rule and anchor: the same key is the same deadline
    rule_id: str
    kind: DeadlineKind
    due_at: datetime
    escalate_after: Within
    policy_version: str


def deadline_for(
    state: Referral, policy: DeadlinePolicy, is_holiday: IsHoliday = dutch_public_holiday
) -> Deadline | None:
    """The first rule of ``policy`` that holds for ``state``; None when nothing is awaited
    (closed, or not routed yet)."""
    if state.status is None or state.closed:
        return None
    for rule in policy.rules:
        if not holds(rule.when, state):
            continue
        anchor = anchor_of(rule, state)
        if anchor is None:
            continue
        return Deadline(
            key=f"{policy.version}:{rule.id}@{anchor.isoformat()}",
            rule_id=rule.id,
            kind=rule.kind,
            due_at=after(anchor, rule.within, state, is_holiday),
            escalate_after=rule.escalate_after,
            policy_version=policy.version,
        )
    return None


# --- who hears ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    level: EscalationLevel
    organisation: str
    role: ActorRole


def notice(level: EscalationLevel, owner: str, coordination_point: str) -> Notice:
    """Who hears of a passed deadline at ``level``: the owner's staff, the owner's
    coordinator, the municipality's coordination point."""
    if level is EscalationLevel.HERINNERING:
        role = (
            ActorRole.COORDINATIEPUNT if owner == coordination_point else ActorRole.SOCIAAL_MAKELAAR
        )
        return Notice(level, owner, role)
    if level is EscalationLevel.COORDINATOR:
        return Notice(level, owner, ActorRole.COORDINATOR)
    return Notice(level, coordination_point, ActorRole.COORDINATIEPUNT)


def next_level(
    level: EscalationLevel, owner: str, coordination_point: str
) -> EscalationLevel | None:
    """The level after ``level``; None at the top. A referral the coordination point owns
    has no one above it: its coordinator is the last step."""
    index = LEVELS.index(level) + 1
    if index == len(LEVELS):
        return None
    following = LEVELS[index]
    if following is EscalationLevel.COORDINATIEPUNT and owner == coordination_point:
        return None
    return following


def escalation_due(
    due_at: datetime,
    level: EscalationLevel,
    escalate_after: Within,
    state: Referral,
    is_holiday: IsHoliday = dutch_public_holiday,
) -> datetime:
    """When ``level`` falls due: the deadline itself for the reminder, ``escalate_after``
    later for each level above it."""
    at = due_at
    for _ in range(LEVELS.index(level)):
        at = after(at, escalate_after, state, is_holiday)
    return at


SYSTEM = Actor(organisation="schakel", role=ActorRole.SYSTEEM)


@dataclass(frozen=True)
class Pending:
    """One level of a deadline, waiting to fire (a document in followup's database)."""

    deadline_id: str
    referral_id: str
    key: str
    rule_id: str
    kind: DeadlineKind
    level: EscalationLevel
    due_at: datetime  # when this level fires
    deadline_due_at: datetime  # when the deadline itself was due
    escalate_after: Within
    policy_version: str


def first_level(deadline: Deadline, referral_id: str, deadline_id: str) -> Pending:
    return Pending(
        deadline_id=deadline_id,
        referral_id=referral_id,
        key=deadline.key,
        rule_id=deadline.rule_id,
        kind=deadline.kind,
        level=EscalationLevel.HERINNERING,
        due_at=deadline.due_at,
        deadline_due_at=deadline.due_at,
        escalate_after=deadline.escalate_after,
        policy_version=deadline.policy_version,
    )


def following_level(
    fired: Pending,
    state: Referral,
    coordination_point: str,
    deadline_id: str,
    is_holiday: IsHoliday = dutch_public_holiday,
) -> Pending | None:
    """The next level of ``fired``'s escalation, or None at the top."""
    owner = state.owner_organisation or coordination_point
    level = next_level(fired.level, owner, coordination_point)
    if level is None:
        return None
    due = escalation_due(fired.deadline_due_at, level, fired.escalate_after, state, is_holiday)
    return replace(fired, deadline_id=deadline_id, level=level, due_at=due)


def deadline_passed(
    state: Referral, fired: Pending, coordination_point: str, now: datetime
) -> DeadlinePassed:
    """The event of ``fired`` passing: status, business status and owner unchanged."""
    assert state.status is not None  # a deadline guards only a routed referral
    owner = state.owner_organisation or coordination_point
    told = notice(fired.level, owner, coordination_point)
    return DeadlinePassed(
        referral_id=state.referral_id,
        actor=SYSTEM,
        status=state.status,
        status_reason=state.status_reason,
        business_status=state.business_status,
        owner_organisation=owner,
        occurred_at=now,
        deadline_id=fired.deadline_id,
        kind=fired.kind,
        due_at=fired.deadline_due_at,
        level=fired.level,
        notify_organisation=told.organisation,
        notify_role=told.role,
        policy_version=fired.policy_version,
        rule_id=fired.rule_id,
    )
