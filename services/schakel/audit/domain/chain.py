"""The audit archive's hash chains, pure Python.

Every event is kept exactly as it was written (type, attributes and JSON payload before any
upcasting, with its topic, partition and offset) in an append-only chain, one chain per Kafka
partition (``"schakel.referral-events/3"``): each entry's hash covers the entry and the hash of
the one before it in its chain, so a changed, inserted or removed entry breaks that chain from
that point on and ``verify`` names where. Chains of different partitions share nothing, so
they are appended to in parallel; ``domain.roots`` ties them together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from schakel.contracts.kafka_binding import RawEvent

JsonObject = dict[str, Any]
GENESIS_HASH = "0" * 64  # prev_hash of seq 1


def chain_of(topic: str, partition: int) -> str:
    """The name of a partition's chain."""
    return f"{topic}/{partition}"


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

    @property
    def chain(self) -> str:
        return chain_of(self.topic, self.partition)


def written_event(
    event: RawEvent,
    *,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None = None,
    headers: tuple[tuple[str, bytes], ...] = (),
) -> WrittenEvent:
    """The archive's record of an event read by the CloudEvents reader, and where it was."""
    attrs = event.attributes
    return WrittenEvent(
        event_id=attrs.id,
        type=attrs.type,
        subject=attrs.subject,
        source=attrs.source,
        time=attrs.time,
        correlationid=attrs.correlationid,
        causationid=attrs.causationid,
        payload=event.data,
        topic=topic,
        partition=partition,
        offset=offset,
        key=key,
        headers=headers,
    )


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str


class Position(NamedTuple):
    """Where an entry stands in the archive's one order across chains: when it was archived
    (never earlier than the entry before it in its chain), then its chain, then its seq."""

    at: datetime
    chain: str
    seq: int

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}" if self.seq else "the start"


START = Position(datetime.min.replace(tzinfo=UTC), "", 0)  # before every entry


@dataclass(frozen=True)
class ArchiveEntry:
    seq: int  # within its chain
    prev_hash: str
    hash: str
    event: WrittenEvent
    # When it was stored: not hashed (replay re-archives at other times), only its position.
    archived_at: datetime | None = field(default=None, compare=False)

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.seq, self.hash)

    @property
    def chain(self) -> str:
        return self.event.chain

    @property
    def position(self) -> Position:
        return Position(self.archived_at or START.at, self.chain, self.seq)


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


def chained(events: Iterable[WrittenEvent], head: ChainHead | None = None) -> list[ArchiveEntry]:
    """The entries of ``events`` appended one after the other to one chain after ``head``."""
    entries: list[ArchiveEntry] = []
    for event in events:
        entries.append(append(entries[-1].head if entries else head, event))
    return entries


@dataclass(frozen=True)
class VerifyReport:
    intact: bool
    checked: int  # entries examined, the broken one included
    last_seq: int  # last seq found intact (0: none)
    first_broken_seq: int | None = None
    reason: str | None = None
    chain: str | None = None  # which chain (``roots``: the head records), when known


@dataclass(frozen=True)
class Named:
    """A hash a head record (root) names for one seq of a chain."""

    hash: str
    root: int


class ChainVerifier:
    """Checks one chain's entries fed in seq order, so a chain of any length is verified while
    streamed.

    ``head`` is the stored chain head read before the scan: entries appended during the scan
    lie beyond it, and entries missing at the end of the chain show up against it. ``named``
    holds what the head records say of this chain (seq: hash): they catch a chain whose tail
    was cut off together with its head document.
    """

    def __init__(
        self,
        head: ChainHead | None = None,
        *,
        chain: str | None = None,
        named: Mapping[int, Named] | None = None,
    ) -> None:
        self._head = head
        self._chain = chain
        self._named = named or {}
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
        if self._chain is not None and entry.chain != self._chain:
            return entry.seq, f"the entry was written to {entry.chain}, not this chain"
        head = self._head
        if head is not None and head.seq == entry.seq and head.hash != entry.hash:
            return entry.seq, "the chain head names another hash for this entry"
        named = self._named.get(entry.seq)
        if named is not None and named.hash != entry.hash:
            return entry.seq, f"head record {named.root} names another hash for this entry"
        return None

    def report(self) -> VerifyReport:
        broken = self._broken or self._missing_tail()
        if broken is None:
            return VerifyReport(True, self._checked, self._last.seq, chain=self._chain)
        seq, reason = broken
        return VerifyReport(False, self._checked, self._last.seq, seq, reason, self._chain)

    def _missing_tail(self) -> tuple[int, str] | None:
        """Entries past the last one found that the head or a head record names."""
        first = self._last.seq + 1
        head = self._head
        if head is not None and head.seq >= first:
            return first, f"entries {first}..{head.seq} named by the chain head are missing"
        beyond = [(seq, n.root) for seq, n in self._named.items() if seq >= first]
        if beyond:
            seq, root = max(beyond)
            return first, f"entries {first}..{seq} named by head record {root} are missing"
        return None


def verify(
    entries: Iterable[ArchiveEntry],
    head: ChainHead | None = None,
    *,
    chain: str | None = None,
    named: Mapping[int, Named] | None = None,
) -> VerifyReport:
    """One chain's entries, in seq order; ``head`` and ``named``, when given, are checked
    against them, and ``chain`` against the chain each entry names."""
    verifier = ChainVerifier(head, chain=chain, named=named)
    for entry in entries:
        if not verifier.feed(entry):
            break
    return verifier.report()
