"""Follow-up's handlers: one per event it follows, and one for every owner command. Each runs
in one unit of work: the new state, its log and the events it causes commit together."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from schakel.contracts.envelope import EventEnvelope, EventPayload, new_event
from schakel.contracts.events import MatchProposed, ReferralReceived, ReferralTriaged, Waitlisted
from schakel.contracts.lifecycle import (
    LIFECYCLE_PAYLOADS,
    DeadlinePassed,
    LifecycleEvent,
    ReferralRegraded,
)
from schakel.contracts.persons import PersonErased
from schakel.followup.adapters import DeadlineStore, MongoDeadlines, MongoReferrals, ReferralStore
from schakel.followup.domain.commands import Command, TakeProposal
from schakel.followup.domain.deadlines import (
    SYSTEM,
    DeadlinePolicy,
    IsHoliday,
    Pending,
    deadline_for,
    deadline_passed,
    dutch_public_holiday,
    first_level,
    following_level,
)
from schakel.followup.domain.log import LogEntry
from schakel.followup.domain.machine import Refusal, decide
from schakel.followup.domain.state import Followed, Referral, apply
from schakel.followup.notes import NoteSealer
from schakel.platform.consumer import Handler
from schakel.platform.logging import get_logger
from schakel.platform.mongo import Transaction

log = get_logger(__name__)
SOURCE = "/schakel/followup"
Emit = Callable[[EventEnvelope[Any]], None]
Clock = Callable[[], datetime]
_SUMMARY_FIELDS = (
    "reason",
    "outcome",
    "attempt",
    "check_in",
    "kind",
    "offer_id",
    "to_organisation",
    "level",
    "source",
    "djg_score",
)


def summary_of(data: Any) -> str | None:
    """The codes an event carries beyond its status, as one short line for the log."""
    parts: list[str] = []
    for name in _SUMMARY_FIELDS:
        value = getattr(data, name, None)
        if value is not None:
            parts.append(f"{name}={getattr(value, 'value', value)}")
    offer = getattr(data, "offer", None)
    if offer is not None:
        parts.append(f"offer={offer.offer_id}")
    if isinstance(data, ReferralTriaged):
        parts.append(f"owner={data.owner_organisation}")
    if isinstance(data, Waitlisted):
        parts.append(f"waitlisted: {data.reason}")
    return ", ".join(parts) or None


def entry_of(
    event: EventEnvelope[Any], after: Referral, at: datetime, note: str | None
) -> LogEntry:
    data = event.data
    actor = data.actor if isinstance(data, LifecycleEvent) else None
    return LogEntry(
        event_id=event.id,
        type=event.type,
        at=at,
        actor_organisation=actor.organisation if actor else "schakel",
        actor_role=actor.role.value if actor else event.source.rsplit("/", 1)[-1],
        status=after.status,
        business_status=after.business_status,
        status_reason=after.status_reason,
        summary=summary_of(data),
        note=note,
    )


@dataclass(frozen=True)
class Setup:
    """What every unit of work decides with besides the state: the deadline policy, the
    coordination point and the calendar; and what it seals the owners' notes with."""

    policy: DeadlinePolicy
    coordination_point: str
    is_holiday: IsHoliday = dutch_public_holiday
    notes: NoteSealer = field(kw_only=True)


@dataclass(frozen=True)
class Ports:
    referrals: ReferralStore
    deadlines: DeadlineStore

    @classmethod
    def of(cls, tx: Transaction, setup: Setup) -> Ports:
        return cls(MongoReferrals(tx, setup.notes), MongoDeadlines(tx))


def new_deadline_id() -> str:
    return f"dl-{uuid.uuid4().hex}"


async def keep_deadline(state: Referral, deadlines: DeadlineStore, setup: Setup) -> Referral:
    """The policy's deadline for ``state``, in the same unit of work: unchanged when its key
    is (rule and anchor), else the old one's levels are cancelled and the new one waits."""
    due = deadline_for(state, setup.policy, setup.is_holiday)
    if (due.key if due else None) == state.deadline_key:
        return state
    await deadlines.cancel_pending(state.referral_id)
    cleared = replace(
        state,
        deadline_key=None,
        deadline_rule=None,
        next_due_at=None,
        next_due_kind=None,
        deadline_level=None,
        next_escalation_at=None,
    )
    if due is None:
        return cleared
    await deadlines.add(first_level(due, state.referral_id, new_deadline_id()))
    return replace(
        cleared,
        deadline_key=due.key,
        deadline_rule=due.rule_id,
        next_due_at=due.due_at,
        next_due_kind=due.kind,
    )


@dataclass
class Unit:
    """What one unit of work changes: the state, its new log entries and the events."""

    state: Referral
    read_version: int
    entries: list[LogEntry]
    emitted: list[EventEnvelope[Any]]

    def record(self, event: EventEnvelope[Any], at: datetime, note: str | None = None) -> None:
        self.state = apply(self.state, event.data, event.id, at)
        self.entries.append(entry_of(event, self.state, at, note))

    def cause(
        self,
        payloads: Sequence[LifecycleEvent],
        at: datetime,
        note: str | None = None,
        cause: EventEnvelope[Any] | None = None,
    ) -> None:
        for payload in payloads:
            event = new_event(
                payload,
                source=SOURCE,
                subject=self.state.referral_id,
                correlation_id=self.state.correlation_id,
                cause=cause,
            )
            self.record(event, at, note)
            self.emitted.append(event)

    async def commit(self, ports: Ports, setup: Setup, emit: Emit) -> None:
        """Keep the deadline, store the state and its log, emit the events caused."""
        self.state = await keep_deadline(self.state, ports.deadlines, setup)
        await ports.referrals.save(self.state, self.read_version, self.entries)
        for event in self.emitted:
            emit(event)


async def opened(event: EventEnvelope[Any], referrals: ReferralStore) -> Unit | None:
    """The unit of work for an event of a referral (a new referral when unknown, with the
    correlation id of its first event); None when the event was already folded in."""
    state = await referrals.get(event.data.referral_id)
    if state is not None and event.id in state.history:
        return None
    unit = Unit(state or Referral(event.data.referral_id), state.version if state else 0, [], [])
    if unit.state.correlation_id is None:
        unit.state = replace(unit.state, correlation_id=event.correlationid)
    return unit


async def follow(
    event: EventEnvelope[Any], ports: Ports, setup: Setup, emit: Emit, now: datetime
) -> None:
    """Fold a consumed event in; matching's proposal reaches the owner when one is awaited."""
    data: Followed = event.data
    unit = await opened(event, ports.referrals)
    if unit is None:
        return
    unit.record(event, event.time)
    if isinstance(data, MatchProposed):
        decided = decide(unit.state, TakeProposal(SYSTEM, data.offer), now)
        if isinstance(decided, Refusal):
            log.info("proposal not taken", reason=decided.reason)
        else:
            unit.cause(decided, now, cause=event)
    await unit.commit(ports, setup, emit)


async def act(
    ports: Ports,
    setup: Setup,
    referral_id: str,
    command: Command,
    now: datetime,
    emit: Emit,
    note: str | None = None,
) -> Referral | Refusal | None:
    """An owner's command: the referral after it, why it was refused, or None (unknown)."""
    state = await ports.referrals.get(referral_id)
    if state is None:
        return None
    decided = decide(state, command, now)
    if isinstance(decided, Refusal):
        return decided
    unit = Unit(state, state.version, [], [])
    unit.cause(decided, now, note)
    await unit.commit(ports, setup, emit)
    return unit.state


async def fire(deadline_id: str, ports: Ports, setup: Setup, now: datetime, emit: Emit) -> bool:
    """Fire one level of a deadline if it is still pending and due: a DeadlinePassed event,
    and the next level waiting, in one unit of work. False when it was not (fired by another
    instance, cancelled by an owner's action)."""
    fired = await ports.deadlines.claim(deadline_id, now)
    if fired is None:
        return False
    state = await ports.referrals.get(fired.referral_id)
    if state is None or state.deadline_key != fired.key:
        log.warning("deadline no longer guards its referral", deadline_id=deadline_id)
        return False
    unit = Unit(state, state.version, [], [])
    unit.cause([deadline_passed(state, fired, setup.coordination_point, now)], now)
    await escalate(unit, fired, ports.deadlines, setup)
    await unit.commit(ports, setup, emit)
    log.info("deadline passed", level=fired.level.value, rule_id=fired.rule_id)
    return True


async def escalate(unit: Unit, fired: Pending, deadlines: DeadlineStore, setup: Setup) -> None:
    """After ``fired`` passed: its next level waits, and the state says how far it went."""
    following = following_level(
        fired, unit.state, setup.coordination_point, new_deadline_id(), setup.is_holiday
    )
    if following is not None:
        await deadlines.add(following)
    unit.state = replace(
        unit.state,
        deadline_level=fired.level,
        next_escalation_at=following.due_at if following else None,
    )


# What followup consumes; the other events it folds are its own decisions.
CONSUMED: tuple[type[EventPayload], ...] = (
    ReferralReceived,
    ReferralTriaged,
    ReferralRegraded,
    MatchProposed,
    Waitlisted,
)
OWN = tuple(p for p in LIFECYCLE_PAYLOADS if p not in CONSUMED)


def erasing(setup: Setup) -> Handler:
    async def on_erased(event: EventEnvelope[Any], tx: Transaction) -> None:
        """The person was erased: their referral's notes and the key they were sealed with
        go; its state and log of codes stay."""
        dropped = await Ports.of(tx, setup).referrals.forget_notes(event.subject)
        log.info("notes dropped after erasure", notes=dropped)

    return on_erased


def handlers(clock: Clock, setup: Setup) -> dict[str, Handler]:
    async def on_event(event: EventEnvelope[Any], tx: Transaction) -> None:
        await follow(event, Ports.of(tx, setup), setup, tx.emit, clock())

    return {
        **{payload.event_name: on_event for payload in CONSUMED},
        PersonErased.event_name: erasing(setup),
    }


# --- replay ---------------------------------------------------------------------------------


async def rebuild(event: EventEnvelope[Any], ports: Ports, setup: Setup) -> None:
    """Replay: fold one event of the history in, followup's own decisions included, as the
    unit of work that made it did live: the same fold, deadline keeping and store, at the
    same moment (a consumed event at its time, a decision at its ``occurred_at``, which is
    the clock reading it was decided with). Nothing is decided again (a decision is a fact of
    the history; deciding again would mint other events), fired or emitted."""
    data = event.data
    unit = await opened(event, ports.referrals)
    if unit is None:
        return
    mine = isinstance(data, LifecycleEvent) and not isinstance(data, CONSUMED)
    at = data.occurred_at if mine else event.time
    fired = await _claimed(unit.state, data, ports.deadlines, at)
    unit.record(event, at)
    if fired is not None:
        await escalate(unit, fired, ports.deadlines, setup)
    await unit.commit(ports, setup, lambda _event: None)


async def _claimed(
    state: Referral, data: Any, deadlines: DeadlineStore, at: datetime
) -> Pending | None:
    """The replayed level a DeadlinePassed of the history fired, claimed as the scheduler
    claimed it (its id is minted per run, so it is found by level)."""
    if not isinstance(data, DeadlinePassed):
        return None
    for pending in await deadlines.pending_for(state.referral_id):
        if pending.key == state.deadline_key and pending.level is data.level:
            return await deadlines.claim(pending.deadline_id, at)
    log.warning("no deadline level to match a passed deadline", level=data.level.value)
    return None


def replay_handlers(setup: Setup) -> dict[str, Handler]:
    async def on_event(event: EventEnvelope[Any], tx: Transaction) -> None:
        await rebuild(event, Ports.of(tx, setup), setup)

    return {
        **{payload.event_name: on_event for payload in (*CONSUMED, *OWN)},
        PersonErased.event_name: erasing(setup),
    }
