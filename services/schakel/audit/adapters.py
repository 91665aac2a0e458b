"""Audit's MongoDB: the archive entries, the chains' heads, the head records across them and
the log of who read what.

``archive`` holds one document per event (``_id`` = event id, ``chain`` = its partition's
chain, ``seq`` within it); ``chains`` holds one document per chain (``_id`` = its name) naming
its last entry, so appends in different partitions touch different documents; ``roots`` holds
the head records across the chains (``_id`` = seq); ``reads`` records every request to read
the archive; ``checkpoints`` holds the signed checkpoints of the roots (``_id`` = root seq).
``chain`` with one document ``_id: "head"`` is the single chain of earlier releases.
"""

from __future__ import annotations

import heapq
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Protocol

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError, PyMongoError

from schakel.audit.domain.access import ArchiveRead
from schakel.audit.domain.chain import START, ArchiveEntry, ChainHead, Position, WrittenEvent
from schakel.audit.domain.checkpoints import Checkpoint
from schakel.audit.domain.roots import Root
from schakel.platform.mongo import Document, MongoStore, Transaction

ARCHIVE = "archive"
CHAINS = "chains"
ROOTS = "roots"
READS = "reads"
CHECKPOINTS = "checkpoints"
CHAIN = "chain"  # earlier releases' one chain head (_id: HEAD_ID): no longer written
HEAD_ID = "head"
SCAN_BATCH = 500
ORDER = [("archived_at", ASCENDING), ("chain", ASCENDING), ("seq", ASCENDING)]


class ChainStore(Protocol):
    """The write side, used inside the consumer's transaction."""

    async def head(self, chain: str) -> ChainHead | None: ...

    async def append(self, entry: ArchiveEntry, after: ChainHead | None) -> None:
        """Store ``entry`` and make it its chain's head, provided that is still ``after``."""
        ...


class ArchiveReader(Protocol):
    """The read side, used by the HTTP API and replay."""

    async def heads(self) -> dict[str, ChainHead]:
        """Every chain's head document."""
        ...

    async def chains(self) -> list[str]:
        """Every chain that has a head document or an entry, by name."""
        ...

    async def count(self, after: Position = START) -> int:
        """Entries past ``after`` in the archive's order."""
        ...

    def in_chain(self, chain: str) -> AsyncIterator[ArchiveEntry]:
        """Every entry of one chain, in seq order, streamed."""
        ...

    def roots(self) -> AsyncIterator[Root]:
        """Every head record, in seq order, streamed."""
        ...

    async def last_root(self) -> Root | None: ...

    async def by_referral(self, referral_id: str) -> list[ArchiveEntry]: ...

    async def by_correlation(self, correlation_id: str) -> list[ArchiveEntry]: ...

    async def by_receipt_hash(self, hashed: str) -> list[ArchiveEntry]:
        """Entries whose payload carries this receipt hash (the signal's received event)."""
        ...

    def in_order(self, after: Position = START) -> AsyncIterator[ArchiveEntry]:
        """Every entry past ``after``, in the archive's order (``Position``), streamed."""
        ...

    async def record_read(self, read: ArchiveRead) -> None: ...

    async def timeline_reads(self, referral_id: str) -> list[ArchiveRead]:
        """Every recorded request for the referral's timeline, oldest first."""
        ...


class RootStore(Protocol):
    async def heads(self) -> dict[str, ChainHead]: ...

    async def last_root(self) -> Root | None: ...

    async def add_root(self, root: Root, at: datetime) -> bool:
        """False when a root of this seq exists (another instance wrote it first)."""
        ...


def head_moved() -> PyMongoError:
    """Another instance appended to this chain first. Labelled transient so that
    ``with_transaction`` runs the whole transaction again, which then reads the new head."""
    return PyMongoError("audit chain head moved", error_labels=["TransientTransactionError"])


def entry_document(entry: ArchiveEntry, archived_at: datetime) -> Document:
    e = entry.event
    return {
        "_id": e.event_id,
        "chain": entry.chain,
        "seq": entry.seq,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "type": e.type,
        "subject": e.subject,
        "source": e.source,
        "time": e.time,
        "correlationid": e.correlationid,
        "causationid": e.causationid,
        "payload": e.payload,
        "topic": e.topic,
        "partition": e.partition,
        "offset": e.offset,
        "key": e.key,
        "headers": [[name, raw] for name, raw in e.headers],
        "archived_at": archived_at,
    }


def entry_of(doc: Document) -> ArchiveEntry:
    event = WrittenEvent(
        event_id=doc["_id"],
        type=doc["type"],
        subject=doc["subject"],
        source=doc["source"],
        time=doc["time"],
        correlationid=doc["correlationid"],
        causationid=doc.get("causationid"),
        payload=doc["payload"],
        topic=doc["topic"],
        partition=doc["partition"],
        offset=doc["offset"],
        key=doc.get("key"),
        headers=tuple((name, bytes(raw)) for name, raw in doc.get("headers", [])),
    )
    return ArchiveEntry(doc["seq"], doc["prev_hash"], doc["hash"], event, doc.get("archived_at"))


def head_of(doc: Document | None) -> ChainHead | None:
    return ChainHead(doc["seq"], doc["hash"]) if doc else None


async def merged(streams: list[AsyncIterator[ArchiveEntry]]) -> AsyncIterator[ArchiveEntry]:
    """Entries of several chains, each in its own order, in the order of their positions."""
    waiting: list[tuple[Position, int, ArchiveEntry]] = []

    async def take(number: int) -> None:
        entry = await anext(streams[number], None)
        if entry is not None:
            heapq.heappush(waiting, (entry.position, number, entry))

    for number in range(len(streams)):
        await take(number)
    while waiting:
        _, number, entry = heapq.heappop(waiting)
        yield entry
        await take(number)


class MongoChain:
    """One transaction's appends. ``archived_at`` never goes back within a chain (a clock
    set back, another instance taking the partition over): the archive's order across chains
    (``Position``) then keeps every chain's own order."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._archived: dict[str, datetime] = {}  # each chain's head's, as read

    async def head(self, chain: str) -> ChainHead | None:
        doc = await self._tx[CHAINS].find_one({"_id": chain})
        if doc is not None and "archived_at" in doc:
            self._archived[chain] = doc["archived_at"]
        return head_of(doc)

    async def append(self, entry: ArchiveEntry, after: ChainHead | None) -> None:
        now = datetime.now(UTC)
        at = max(now, self._archived.get(entry.chain, now))
        # The head first: a concurrent append is caught here, before anything else is written.
        await self._move_head(entry.chain, entry.head, after, at)
        await self._tx[ARCHIVE].insert_one(entry_document(entry, at))

    async def _move_head(
        self, chain: str, new: ChainHead, after: ChainHead | None, at: datetime
    ) -> None:
        heads = self._tx[CHAINS]
        fields = {"seq": new.seq, "hash": new.hash, "archived_at": at}
        if after is None:
            try:
                await heads.insert_one({"_id": chain, **fields})
            except DuplicateKeyError as exc:
                raise head_moved() from exc
            return
        result = await heads.update_one(
            {"_id": chain, "seq": after.seq, "hash": after.hash}, {"$set": fields}
        )
        if result.matched_count != 1:
            raise head_moved()


class MongoArchive:
    def __init__(self, store: MongoStore) -> None:
        self._db = store.db

    async def heads(self) -> dict[str, ChainHead]:
        return {
            doc["_id"]: ChainHead(doc["seq"], doc["hash"])
            async for doc in self._db[CHAINS].find({})
        }

    async def chains(self) -> list[str]:
        archived = await self._db[ARCHIVE].distinct("chain")
        return sorted(set(archived) | set(await self.heads()))

    async def count(self, after: Position = START) -> int:
        """The entries past ``after``, from the heads and a few lookups per chain (never a
        scan: on a large archive a count over the whole collection took minutes)."""
        total = 0
        for chain, head in (await self.heads()).items():
            total += max(0, head.seq - await self._first_past(chain, head.seq, after) + 1)
        return total

    async def in_chain(self, chain: str, first_seq: int = 1) -> AsyncIterator[ArchiveEntry]:
        """The chain's entries in seq order from ``first_seq``, a page of seqs at a time
        through the (chain, seq) index: the server never holds more than a page, whatever
        the chain's length."""
        low = first_seq - 1
        while True:
            page = {"chain": chain, "seq": {"$gt": low, "$lte": low + SCAN_BATCH}}
            docs = await self._db[ARCHIVE].find(page).sort("seq", ASCENDING).to_list()
            for doc in docs:
                yield entry_of(doc)
            low += SCAN_BATCH
            if not docs:  # past the head (a gap, from tampering, has a head beyond it)
                head = await self._db[CHAINS].find_one({"_id": chain}, projection={"seq": 1})
                if head is None or head["seq"] <= low:
                    return

    async def roots(self) -> AsyncIterator[Root]:
        cursor = self._db[ROOTS].find({}).sort("_id", ASCENDING).batch_size(SCAN_BATCH)
        async for doc in cursor:
            yield root_of(doc)

    async def last_root(self) -> Root | None:
        doc = await self._db[ROOTS].find_one({}, sort=[("_id", -1)])
        return None if doc is None else root_of(doc)

    async def add_root(self, root: Root, at: datetime) -> bool:
        heads = [{"chain": c, "seq": h.seq, "hash": h.hash} for c, h in sorted(root.heads.items())]
        document = {"_id": root.seq, "prev_hash": root.prev_hash, "hash": root.hash}
        try:
            await self._db[ROOTS].insert_one({**document, "heads": heads, "written_at": at})
        except DuplicateKeyError:
            return False
        return True

    async def by_referral(self, referral_id: str) -> list[ArchiveEntry]:
        return await self._find({"subject": referral_id})

    async def by_correlation(self, correlation_id: str) -> list[ArchiveEntry]:
        return await self._find({"correlationid": correlation_id})

    async def by_receipt_hash(self, hashed: str) -> list[ArchiveEntry]:
        return await self._find({"payload.receipt_hash": hashed})

    async def _find(self, query: dict[str, Any]) -> list[ArchiveEntry]:
        cursor = self._db[ARCHIVE].find(query).sort(ORDER)
        return [entry_of(doc) async for doc in cursor]

    async def in_order(self, after: Position = START) -> AsyncIterator[ArchiveEntry]:
        """The entries past ``after`` in the archive's order (archived_at, chain, seq): the
        chains named by the head documents, each read a page at a time, merged. A chain's
        ``archived_at`` never goes back, so the merge gives the order a sort would, without
        the server sorting (or, SecantusDB, loading) the whole archive."""
        streams = [
            self.in_chain(chain, await self._first_past(chain, head.seq, after))
            for chain, head in sorted((await self.heads()).items())
        ]
        async for entry in merged(streams):
            yield entry

    async def _first_past(self, chain: str, head_seq: int, after: Position) -> int:
        """The lowest seq of ``chain`` whose entry is past ``after``: a binary search, since
        positions grow with seq within a chain. A missing entry counts as past (replayed
        again rather than skipped; the markers absorb it)."""
        if after == START:
            return 1
        low, high = 1, head_seq + 1
        while low < high:
            middle = (low + high) // 2
            doc = await self._db[ARCHIVE].find_one(
                {"chain": chain, "seq": middle}, projection={"archived_at": 1}
            )
            past = doc is None or Position(doc["archived_at"], chain, middle) > after
            low, high = (low, middle) if past else (middle + 1, high)
        return low

    async def record_read(self, read: ArchiveRead) -> None:
        target = "referral_id" if read.kind == "timeline" else "correlation_id"
        await self._db[READS].insert_one(
            {
                "kind": read.kind,
                target: read.target,
                "username": read.username,
                "organisation": read.organisation,
                "roles": list(read.roles),
                "outcome": read.outcome,
                "at": read.at,
            }
        )

    async def timeline_reads(self, referral_id: str) -> list[ArchiveRead]:
        query = {"kind": "timeline", "referral_id": referral_id}
        docs = await self._db[READS].find(query).sort("at", ASCENDING).to_list()
        return [
            ArchiveRead(
                "timeline",
                referral_id,
                doc["username"],
                doc["organisation"],
                tuple(doc["roles"]),
                doc["outcome"],
                doc["at"],
            )
            for doc in docs
        ]


class MongoCheckpoints:
    def __init__(self, store: MongoStore) -> None:
        self._db = store.db

    async def last(self) -> Checkpoint | None:
        doc = await self._db[CHECKPOINTS].find_one({}, sort=[("_id", -1)])
        return None if doc is None else _checkpoint_of(doc)

    async def add(self, checkpoint: Checkpoint) -> bool:
        """False when a checkpoint of this seq exists (another instance signed it first)."""
        try:
            await self._db[CHECKPOINTS].insert_one(
                {
                    "_id": checkpoint.seq,
                    "hash": checkpoint.hash,
                    "signed_at": checkpoint.signed_at,
                    "key_id": checkpoint.key_id,
                    "signature": checkpoint.signature,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def in_order(self) -> AsyncIterator[Checkpoint]:
        cursor = self._db[CHECKPOINTS].find({}).sort("_id", ASCENDING).batch_size(SCAN_BATCH)
        async for doc in cursor:
            yield _checkpoint_of(doc)


def root_of(doc: Document) -> Root:
    heads = {h["chain"]: ChainHead(h["seq"], h["hash"]) for h in doc["heads"]}
    return Root(int(doc["_id"]), doc["prev_hash"], heads, doc["hash"])


def _checkpoint_of(doc: Document) -> Checkpoint:
    return Checkpoint(
        int(doc["_id"]), doc["hash"], doc["signed_at"], doc["key_id"], doc["signature"]
    )


async def ensure_indexes(store: MongoStore) -> None:
    archive = store.db[ARCHIVE]
    if "seq_1" in await archive.index_information():  # earlier releases': one chain's seq
        await archive.drop_index("seq_1")
    # Unique seq per chain: even a store with weaker isolation than MongoDB never forks one.
    # It also serves replay and verify, which read each chain a page of seqs at a time.
    await archive.create_index([("chain", ASCENDING), ("seq", ASCENDING)], unique=True)
    await archive.create_index([("subject", ASCENDING), *ORDER])
    await archive.create_index([("correlationid", ASCENDING), *ORDER])
    await archive.create_index([("payload.receipt_hash", ASCENDING)], sparse=True)
    await store.db[READS].create_index([("referral_id", ASCENDING), ("at", ASCENDING)])
