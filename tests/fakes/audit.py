"""The audit service's ports in memory. ``tests/integration/test_audit_adapters.py`` holds this
fake to what ``MongoChain`` and ``MongoArchive`` do."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from schakel.audit.adapters import head_moved
from schakel.audit.domain.access import ArchiveRead
from schakel.audit.domain.chain import START, ArchiveEntry, ChainHead, Position
from schakel.audit.domain.roots import Root
from schakel.audit.handlers import archive
from schakel.platform.consumer import Delivery
from tests.fakes.times import bson_time


class FakeArchive:
    """Implements ChainStore, ArchiveReader and RootStore in memory. Deduplicating deliveries is
    the platform's (``MongoStore.apply_once``, tested on the real servers), not the fake's."""

    def __init__(self) -> None:
        self.entries: list[ArchiveEntry] = []
        self.current: dict[str, ChainHead] = {}
        self.stored_roots: list[Root] = []
        self.reads: list[ArchiveRead] = []

    # ChainStore
    async def head(self, chain: str) -> ChainHead | None:
        return self.current.get(chain)

    async def append(self, entry: ArchiveEntry, after: ChainHead | None) -> None:
        if after != self.current.get(entry.chain):
            raise head_moved()
        event_id = entry.event.event_id
        if any(e.event.event_id == event_id for e in self.entries):
            # The event id is the archive's ``_id``: MongoDB refuses it, not as transient.
            raise DuplicateKeyError(f"duplicate key: archive _id {event_id!r}", code=11000)
        self.current[entry.chain] = entry.head
        mine = [e.position.at for e in self.entries if e.chain == entry.chain]
        at = max([bson_time(datetime.now(UTC)), *mine])  # never back within a chain
        # A copy, as a database keeps: changing the caller's payload afterwards changes nothing.
        self.entries.append(replace(copy.deepcopy(entry), archived_at=at))

    # ArchiveReader
    async def heads(self) -> dict[str, ChainHead]:
        return dict(self.current)

    async def chains(self) -> list[str]:
        return sorted({e.chain for e in self.entries} | set(self.current))

    async def count(self, after: Position = START) -> int:
        return sum(e.position > after for e in self.entries)

    async def in_chain(self, chain: str) -> AsyncIterator[ArchiveEntry]:
        for entry in sorted((e for e in self.entries if e.chain == chain), key=lambda e: e.seq):
            yield copy.deepcopy(entry)

    async def roots(self) -> AsyncIterator[Root]:
        for root in sorted(self.stored_roots, key=lambda r: r.seq):
            yield root

    async def last_root(self) -> Root | None:
        return max(self.stored_roots, key=lambda r: r.seq, default=None)

    async def add_root(self, root: Root, at: datetime) -> bool:
        if any(r.seq == root.seq for r in self.stored_roots):
            return False
        self.stored_roots.append(root)
        return True

    async def by_referral(self, referral_id: str) -> list[ArchiveEntry]:
        return self._found(e for e in self.entries if e.event.subject == referral_id)

    async def by_correlation(self, correlation_id: str) -> list[ArchiveEntry]:
        return self._found(e for e in self.entries if e.event.correlationid == correlation_id)

    async def by_receipt_hash(self, hashed: str) -> list[ArchiveEntry]:
        return self._found(e for e in self.entries if e.event.payload.get("receipt_hash") == hashed)

    @staticmethod
    def _found(entries: Iterable[ArchiveEntry]) -> list[ArchiveEntry]:
        return [copy.deepcopy(e) for e in sorted(entries, key=lambda e: e.position)]

    async def in_order(self, after: Position = START) -> AsyncIterator[ArchiveEntry]:
        for entry in self._found(e for e in self.entries if e.position > after):
            yield entry

    async def record_read(self, read: ArchiveRead) -> None:
        self.reads.append(replace(read, at=bson_time(read.at)))

    async def timeline_reads(self, referral_id: str) -> list[ArchiveRead]:
        mine = [r for r in self.reads if r.kind == "timeline" and r.target == referral_id]
        return sorted(mine, key=lambda r: r.at)

    async def deliver(self, delivery: Delivery) -> ArchiveEntry:
        """The audit's handler applied to ``delivery``, as its consumer would."""
        return await archive(delivery, self)
