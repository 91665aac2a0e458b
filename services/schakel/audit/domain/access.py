"""Who may read what of the audit archive, pure Python: the parties of a referral (who sent
it, who owned it) come from its events as the services read them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from schakel.audit.domain.chain import ArchiveEntry, WrittenEvent
from schakel.contracts.envelope import EventPayload, UnreadableEvent, split_type
from schakel.contracts.events import ReferralReceived, ReferralTriaged
from schakel.contracts.lifecycle import LIFECYCLE_PAYLOADS, LifecycleEvent
from schakel.contracts.registry import REGISTRY

RECEIVED = ReferralReceived.event_name
TRIAGED = ReferralTriaged.event_name
# Events that name who owns the referral after them: triage's routing and every follow-up
# event (a transfer, a rejection's interim owner, an acceptance).
OWNING = frozenset(
    {TRIAGED, *(p.event_name for p in LIFECYCLE_PAYLOADS if issubclass(p, LifecycleEvent))}
)


def current_payload(event: WrittenEvent) -> EventPayload | None:
    """The payload read as the newest version of its type, as the services read it; None for
    what this version of the contracts cannot read (then it grants no access)."""
    try:
        return REGISTRY.read(event.type, event.payload)[1]
    except UnreadableEvent:
        return None


def _name(event_type: str) -> str | None:
    try:
        return split_type(event_type)[0]
    except UnreadableEvent:
        return None


@dataclass(frozen=True)
class Parties:
    """Organisations with a part in a referral: who sent it and who owned it at some point
    (every owner keeps reading the timeline of a referral it handed on)."""

    referrers: frozenset[str]
    owners: frozenset[str]


def parties(entries: Iterable[ArchiveEntry]) -> Parties:
    referrers: set[str] = set()
    owners: set[str] = set()
    for entry in entries:
        name = _name(entry.event.type)
        if name != RECEIVED and name not in OWNING:
            continue  # other events neither refer nor assign ownership
        payload = current_payload(entry.event)
        # Only an organisation a token vouched for refers: the public form's free text (in
        # v1's flat ``signaler_organisation`` and in v2 until 2026-12) grants nothing.
        if isinstance(payload, ReferralReceived) and payload.referrer_organisation:
            referrers.add(payload.referrer_organisation)
        elif isinstance(payload, ReferralTriaged | LifecycleEvent):
            owners.add(payload.owner_organisation)
    return Parties(frozenset(referrers), frozenset(owners))


@dataclass(frozen=True)
class Reader:
    """Who asks to read the archive, as the HTTP layer authenticated them."""

    username: str
    organisation: str
    roles: tuple[str, ...]
    auditor: bool


def sees_person_handles(reader: Reader, entries: Sequence[ArchiveEntry]) -> bool:
    """A referrer follows the outcome; only owners and auditors get a handle on the person."""
    return reader.auditor or reader.organisation in parties(entries).owners


def may_see_timeline(reader: Reader, entries: Sequence[ArchiveEntry]) -> bool:
    """Auditors see every referral; anyone else only one their organisation sent or owns."""
    if reader.auditor:
        return True
    found = parties(entries)
    return reader.organisation in found.referrers | found.owners


ReadKind = Literal["timeline", "correlation"]
ReadOutcome = Literal["shown", "denied", "unknown"]


@dataclass(frozen=True)
class ArchiveRead:
    """Someone asked to read part of the archive; kept whether or not it was shown."""

    kind: ReadKind
    target: str  # the referral id or correlation id asked for
    username: str
    organisation: str
    roles: tuple[str, ...]
    outcome: ReadOutcome
    at: datetime


def archive_read(
    kind: ReadKind, target: str, reader: Reader, outcome: ReadOutcome, at: datetime
) -> ArchiveRead:
    return ArchiveRead(
        kind, target, reader.username, reader.organisation, reader.roles, outcome, at
    )
