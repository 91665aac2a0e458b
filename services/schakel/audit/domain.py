"""The audit archive, pure Python.

Every event is kept exactly as it was written (type, attributes and JSON payload before any
upcasting, with its topic, partition and offset) in an append-only chain: each entry's hash
covers the entry and the hash of the one before it, so a changed, inserted or removed entry
breaks the chain from that point on and ``verify`` names where.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from schakel.contracts.envelope import EventPayload, UnreadableEvent, split_type
from schakel.contracts.events import ReferralReceived, ReferralTriaged
from schakel.contracts.registry import REGISTRY
from schakel.platform.auth import Principal, Role

JsonObject = dict[str, Any]
GENESIS_HASH = "0" * 64  # prev_hash of seq 1
RECEIVED = ReferralReceived.event_name
TRIAGED = ReferralTriaged.event_name


class NotAnEvent(ValueError):
    """A record without the CloudEvents attributes or JSON object an archive entry needs."""


@dataclass(frozen=True)
class WrittenEvent:
    """One record as its producer wrote it. ``key`` and ``headers`` are kept for the record;
    the hash covers the attributes the ``ce_*`` headers carry, not the raw headers."""

    event_id: str
    type: str
    subject: str
    source: str
    time: str
    correlationid: str
    causationid: str | None
    payload: JsonObject
    topic: str
    partition: int
    offset: int
    key: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()


def written_event(
    headers: Sequence[tuple[str, bytes]],
    value: bytes,
    *,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None = None,
) -> WrittenEvent:
    """Read the attributes from the ``ce_*`` headers and the payload from the value, as is."""
    attrs = {name: raw.decode("utf-8", errors="replace") for name, raw in headers}
    missing = [
        a
        for a in ("id", "type", "subject", "source", "time", "correlationid")
        if not attrs.get(f"ce_{a}")
    ]
    if missing:
        raise NotAnEvent(f"missing header(s): {', '.join('ce_' + m for m in missing)}")
    try:
        payload = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAnEvent(f"value is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise NotAnEvent("value is not a JSON object")
    return WrittenEvent(
        event_id=attrs["ce_id"],
        type=attrs["ce_type"],
        subject=attrs["ce_subject"],
        source=attrs["ce_source"],
        time=attrs["ce_time"],
        correlationid=attrs["ce_correlationid"],
        causationid=attrs.get("ce_causationid") or None,
        payload=payload,
        topic=topic,
        partition=partition,
        offset=offset,
        key=key,
        headers=tuple(headers),
    )


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str


@dataclass(frozen=True)
class ArchiveEntry:
    seq: int
    prev_hash: str
    hash: str
    event: WrittenEvent

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.seq, self.hash)


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same JSON always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(seq: int, prev_hash: str, event: WrittenEvent) -> str:
    hashed = {
        "seq": seq,
        "prev_hash": prev_hash,
        "event_id": event.event_id,
        "type": event.type,
        "subject": event.subject,
        "source": event.source,
        "time": event.time,
        "correlationid": event.correlationid,
        "causationid": event.causationid,
        "payload": event.payload,
        "topic": event.topic,
        "partition": event.partition,
        "offset": event.offset,
    }
    return hashlib.sha256(canonical_json(hashed)).hexdigest()


def append(head: ChainHead | None, event: WrittenEvent) -> ArchiveEntry:
    """The entry that follows ``head`` (None: the chain is empty)."""
    seq = head.seq + 1 if head else 1
    prev_hash = head.hash if head else GENESIS_HASH
    return ArchiveEntry(seq, prev_hash, chain_hash(seq, prev_hash, event), event)


@dataclass(frozen=True)
class VerifyReport:
    intact: bool
    checked: int  # entries examined, the broken one included
    last_seq: int  # last seq found intact (0: none)
    first_broken_seq: int | None = None
    reason: str | None = None


class ChainVerifier:
    """Checks entries fed in seq order, so an archive of any size is verified while streamed.

    ``head`` is the stored chain head read before the scan: entries appended during the scan
    lie beyond it, and entries missing at the end of the chain show up against it.
    """

    def __init__(self, head: ChainHead | None = None) -> None:
        self._head = head
        self._last = ChainHead(0, GENESIS_HASH)
        self._checked = 0
        self._broken: tuple[int, str] | None = None

    def feed(self, entry: ArchiveEntry) -> bool:
        """False once the chain is broken (later entries prove nothing then)."""
        if self._broken is not None:
            return False
        self._checked += 1
        problem = self._problem(entry)
        if problem is not None:
            self._broken = problem
            return False
        self._last = entry.head
        return True

    def _problem(self, entry: ArchiveEntry) -> tuple[int, str] | None:
        expected = self._last.seq + 1
        if entry.seq != expected:
            return expected, f"entry {expected} is missing (found {entry.seq} next)"
        if entry.prev_hash != self._last.hash:
            return entry.seq, "prev_hash does not match the previous entry's hash"
        if chain_hash(entry.seq, entry.prev_hash, entry.event) != entry.hash:
            return entry.seq, "content does not match its hash"
        head = self._head
        if head is not None and head.seq == entry.seq and head.hash != entry.hash:
            return entry.seq, "the chain head names another hash for this entry"
        return None

    def report(self) -> VerifyReport:
        broken = self._broken
        head = self._head
        if broken is None and head is not None and self._last.seq < head.seq:
            first = self._last.seq + 1
            broken = first, f"entries {first}..{head.seq} named by the chain head are missing"
        if broken is None:
            return VerifyReport(True, self._checked, self._last.seq)
        seq, reason = broken
        return VerifyReport(False, self._checked, self._last.seq, seq, reason)


def verify(entries: Iterable[ArchiveEntry], head: ChainHead | None = None) -> VerifyReport:
    """Entries must come in seq order; ``head``, when given, is checked against them."""
    verifier = ChainVerifier(head)
    for entry in entries:
        if not verifier.feed(entry):
            break
    return verifier.report()


@dataclass(frozen=True)
class TimelineEvent:
    seq: int
    event_id: str
    type: str  # as written, e.g. a v1 that consumers read as v2
    source: str
    time: str
    correlation_id: str
    causation_id: str | None
    data: JsonObject  # the payload as written


@dataclass(frozen=True)
class Timeline:
    referral_id: str
    events: list[TimelineEvent]


@dataclass(frozen=True)
class CorrelatedEvent(TimelineEvent):
    referral_id: str


@dataclass(frozen=True)
class Correlation:
    correlation_id: str
    events: list[CorrelatedEvent]


def _event_view(entry: ArchiveEntry) -> TimelineEvent:
    e = entry.event
    return TimelineEvent(
        entry.seq, e.event_id, e.type, e.source, e.time, e.correlationid, e.causationid, e.payload
    )


# Handles on the person (the vault pseudonym, the receipt's hash): only for owners and auditors.
PERSON_HANDLES = frozenset({"person_pseudonym", "receipt_hash"})


def _without_person_handles(entry: ArchiveEntry) -> TimelineEvent:
    """A payload this build cannot read (a newer type or version) is withheld whole: nobody
    here can tell which of its fields are personal."""
    view = _event_view(entry)
    if _current(entry.event) is None:
        return replace(view, data={})
    return replace(view, data={k: v for k, v in view.data.items() if k not in PERSON_HANDLES})


def timeline(
    referral_id: str, entries: Iterable[ArchiveEntry], *, with_person_handles: bool = True
) -> Timeline:
    mine = sorted((e for e in entries if e.event.subject == referral_id), key=lambda e: e.seq)
    view = _event_view if with_person_handles else _without_person_handles
    return Timeline(referral_id, [view(e) for e in mine])


def correlation(correlation_id: str, entries: Iterable[ArchiveEntry]) -> Correlation:
    shared = sorted(
        (e for e in entries if e.event.correlationid == correlation_id), key=lambda e: e.seq
    )
    return Correlation(
        correlation_id,
        [CorrelatedEvent(**vars(_event_view(e)), referral_id=e.event.subject) for e in shared],
    )


def _current(event: WrittenEvent) -> EventPayload | None:
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
    """Organisations with a part in a referral: who sent it and who owned it at some point."""

    referrers: frozenset[str]
    owners: frozenset[str]


def parties(entries: Iterable[ArchiveEntry]) -> Parties:
    referrers: set[str] = set()
    owners: set[str] = set()
    for entry in entries:
        if _name(entry.event.type) not in (RECEIVED, TRIAGED):
            continue  # other events neither refer nor assign ownership
        payload = _current(entry.event)
        # The upcaster maps v1's flat ``signaler_organisation`` onto ``signaler.organisation``.
        if isinstance(payload, ReferralReceived) and payload.signaler.organisation:
            referrers.add(payload.signaler.organisation)
        elif isinstance(payload, ReferralTriaged):
            owners.add(payload.owner_organisation)
    return Parties(frozenset(referrers), frozenset(owners))


def sees_person_handles(principal: Principal, entries: Sequence[ArchiveEntry]) -> bool:
    """A referrer follows the outcome; only owners and auditors get a handle on the person."""
    return principal.has(Role.AUDITOR) or principal.organisation in parties(entries).owners


def may_see_timeline(principal: Principal, entries: Sequence[ArchiveEntry]) -> bool:
    """Auditors see every referral; anyone else only one their organisation sent or owns."""
    if principal.has(Role.AUDITOR):
        return True
    found = parties(entries)
    return principal.organisation in found.referrers | found.owners


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
    kind: ReadKind, target: str, principal: Principal, outcome: ReadOutcome, at: datetime
) -> ArchiveRead:
    return ArchiveRead(
        kind,
        target,
        principal.username,
        principal.organisation,
        tuple(sorted(principal.roles)),
        outcome,
        at,
    )
