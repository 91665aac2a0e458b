"""Follow-up's handlers: one per event it follows, and one for every owner command. Each runs
in one unit of work: the new state, its log and the events it causes commit together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import MatchProposed, ReferralReceived, ReferralTriaged, Waitlisted
from schakel.contracts.lifecycle import Actor, LifecycleEvent, ReferralRegraded
from schakel.contracts.vocabulary import ActorRole
from schakel.followup.adapters import MongoReferrals, ReferralStore
from schakel.followup.domain.commands import Command, TakeProposal
from schakel.followup.domain.log import LogEntry
from schakel.followup.domain.machine import Refusal, decide
from schakel.followup.domain.state import Followed, Referral, apply
from schakel.platform.consumer import Handler
from schakel.platform.logging import get_logger
from schakel.platform.mongo import Transaction

log = get_logger(__name__)
SOURCE = "/schakel/followup"
SYSTEM = Actor(organisation="schakel", role=ActorRole.SYSTEEM)
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
        payloads: list[LifecycleEvent],
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


async def follow(
    event: EventEnvelope[Any], referrals: ReferralStore, emit: Emit, now: datetime
) -> None:
    """Fold a consumed event in; matching's proposal reaches the owner when one is awaited."""
    data: Followed = event.data
    state = await referrals.get(data.referral_id)
    if state is not None and event.id in state.history:
        return
    unit = Unit(state or Referral(data.referral_id), state.version if state else 0, [], [])
    if unit.state.correlation_id is None:
        unit.state = replace(unit.state, correlation_id=event.correlationid)
    unit.record(event, event.time)
    if isinstance(data, MatchProposed):
        decided = decide(unit.state, TakeProposal(SYSTEM, data.offer), now)
        if isinstance(decided, Refusal):
            log.info("proposal not taken", reason=decided.reason)
        else:
            unit.cause(decided, now, cause=event)
    await referrals.save(unit.state, unit.read_version, unit.entries)
    for caused in unit.emitted:
        emit(caused)


async def act(
    referrals: ReferralStore,
    referral_id: str,
    command: Command,
    now: datetime,
    emit: Emit,
    note: str | None = None,
) -> Referral | Refusal | None:
    """An owner's command: the referral after it, why it was refused, or None (unknown)."""
    state = await referrals.get(referral_id)
    if state is None:
        return None
    decided = decide(state, command, now)
    if isinstance(decided, Refusal):
        return decided
    unit = Unit(state, state.version, [], [])
    unit.cause(decided, now, note)
    await referrals.save(unit.state, unit.read_version, unit.entries)
    for event in unit.emitted:
        emit(event)
    return unit.state


def handlers(clock: Clock) -> dict[str, Handler]:
    async def on_event(event: EventEnvelope[Any], tx: Transaction) -> None:
        await follow(event, MongoReferrals(tx), tx.emit, clock())

    followed = (ReferralReceived, ReferralTriaged, ReferralRegraded, MatchProposed, Waitlisted)
    return {payload.event_name: on_event for payload in followed}
