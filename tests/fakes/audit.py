"""The audit service's ports in memory. ``tests/integration/test_audit_adapters.py`` holds this
fake to what ``MongoChain`` and ``MongoArchive`` do."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from dataclasses import replace

from pymongo.errors import DuplicateKeyError

from schakel.audit.adapters import head_moved
from schakel.audit.domain.access import ArchiveRead
from schakel.audit.domain.chain import ArchiveEntry, ChainHead
from schakel.audit.handlers import archive
from schakel.platform.consumer import Delivery
from tests.fakes.times import bson_time


class FakeArchive:
    """Implements ChainStore and ArchiveReader in memory. Deduplicating deliveries is the
    platform's (``MongoStore.apply_once``, tested on the real servers), not the fake's."""

    def __init__(self) -> None:
        self.entries: list[ArchiveEntry] = []
        self.current: ChainHead | None = None
        self.reads: list[ArchiveRead] = []

    # ChainStore
    async def head(self) -> ChainHead | None:
        return self.current

    async def append(self, entry: ArchiveEntry, after: ChainHead | None) -> None:
        if after != self.current:
            raise head_moved()
        event_id = entry.event.event_id
        if any(e.event.event_id == event_id for e in self.entries):
            # The event id is the archive's ``_id``: MongoDB refuses it, not as transient.
            raise DuplicateKeyError(f"duplicate key: archive _id {event_id!r}", code=11000)
        self.current = entry.head
        # A copy, as a database keeps: changing the caller's payload afterwards changes nothing.
        self.entries.append(copy.deepcopy(entry))

    # ArchiveReader
    async def count(self) -> int:
        return len(self.entries)

    async def by_referral(self, referral_id: str) -> list[ArchiveEntry]:
        return [copy.deepcopy(e) for e in self.entries if e.event.subject == referral_id]

    async def by_correlation(self, correlation_id: str) -> list[ArchiveEntry]:
        return [copy.deepcopy(e) for e in self.entries if e.event.correlationid == correlation_id]

    async def by_receipt_hash(self, hashed: str) -> list[ArchiveEntry]:
        found = [e for e in self.entries if e.event.payload.get("receipt_hash") == hashed]
        return [copy.deepcopy(e) for e in sorted(found, key=lambda e: e.seq)]

    async def in_order(self, after: int = 0) -> AsyncIterator[ArchiveEntry]:
        for entry in sorted((e for e in self.entries if e.seq > after), key=lambda e: e.seq):
            yield copy.deepcopy(entry)

    async def record_read(self, read: ArchiveRead) -> None:
        self.reads.append(replace(read, at=bson_time(read.at)))

    async def timeline_reads(self, referral_id: str) -> list[ArchiveRead]:
        mine = [r for r in self.reads if r.kind == "timeline" and r.target == referral_id]
        return sorted(mine, key=lambda r: r.at)

    async def deliver(self, delivery: Delivery) -> ArchiveEntry:
        """The audit's handler applied to ``delivery``, as its consumer would."""
        return await archive(delivery, self)
