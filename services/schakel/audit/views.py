"""What the audit shows of its archive: a referral's timeline and the events one signal
caused (presentation; the rules of who may see what are in ``domain.access``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from schakel.audit.domain.access import ArchiveRead, current_payload
from schakel.audit.domain.chain import ArchiveEntry, JsonObject, Position


@dataclass(frozen=True)
class TimelineEvent:
    seq: int  # within its chain
    chain: str  # the partition's chain, e.g. "schakel.referral-events/3"
    event_id: str
    type: str  # as written, e.g. a v1 that consumers read as v2
    source: str
    time: str
    correlation_id: str
    causation_id: str | None
    data: JsonObject  # the payload as written


@dataclass(frozen=True)
class TimelineRead:
    """Someone asked for this timeline: shown, or denied (for auditors only)."""

    at: str
    username: str
    organisation: str
    roles: list[str]
    outcome: str


@dataclass(frozen=True)
class Timeline:
    referral_id: str
    events: list[TimelineEvent]
    reads: list[TimelineRead] = field(default_factory=list)


def read_view(read: ArchiveRead) -> TimelineRead:
    return TimelineRead(
        read.at.isoformat(), read.username, read.organisation, list(read.roles), read.outcome
    )


@dataclass(frozen=True)
class CorrelatedEvent(TimelineEvent):
    referral_id: str


@dataclass(frozen=True)
class Correlation:
    correlation_id: str
    events: list[CorrelatedEvent]


def archive_order(entry: ArchiveEntry) -> Position:
    return entry.position


def _event_view(entry: ArchiveEntry) -> TimelineEvent:
    e = entry.event
    return TimelineEvent(
        entry.seq,
        entry.chain,
        e.event_id,
        e.type,
        e.source,
        e.time,
        e.correlationid,
        e.causationid,
        e.payload,
    )


# Handles on the person (the vault pseudonym, the receipt's hash): only for owners and auditors.
PERSON_HANDLES = frozenset({"person_pseudonym", "receipt_hash"})


def _without_person_handles(entry: ArchiveEntry) -> TimelineEvent:
    """A payload this build cannot read (a newer type or version) is withheld whole: nobody
    here can tell which of its fields are personal."""
    view = _event_view(entry)
    if current_payload(entry.event) is None:
        return replace(view, data={})
    return replace(view, data={k: v for k, v in view.data.items() if k not in PERSON_HANDLES})


def timeline(
    referral_id: str, entries: Iterable[ArchiveEntry], *, with_person_handles: bool = True
) -> Timeline:
    mine = sorted((e for e in entries if e.event.subject == referral_id), key=archive_order)
    view = _event_view if with_person_handles else _without_person_handles
    return Timeline(referral_id, [view(e) for e in mine])


def correlation(correlation_id: str, entries: Iterable[ArchiveEntry]) -> Correlation:
    shared = sorted(
        (e for e in entries if e.event.correlationid == correlation_id), key=archive_order
    )
    return Correlation(
        correlation_id,
        [CorrelatedEvent(**vars(_event_view(e)), referral_id=e.event.subject) for e in shared],
    )
