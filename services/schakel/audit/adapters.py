"""Audit's MongoDB: the archive entries, the chain head and the log of who read what.

``archive`` holds one document per event (``_id`` = event id); ``chain`` holds one document,
``_id: "head"``, naming the last entry; ``reads`` records every request to read the archive;
``checkpoints`` holds the signed checkpoints of the chain head (``_id`` = seq).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Protocol

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError, PyMongoError

from schakel.audit.domain.access import ArchiveRead
from schakel.audit.domain.chain import ArchiveEntry, ChainHead, WrittenEvent
from schakel.audit.domain.checkpoints import Checkpoint
from schakel.platform.mongo import Document, MongoStore, Transaction

ARCHIVE = "archive"
CHAIN = "chain"
READS = "reads"
CHECKPOINTS = "checkpoints"
HEAD_ID = "head"
SCAN_BATCH = 500


class ChainStore(Protocol):
    """The write side, used inside the consumer's transaction."""

    async def head(self) -> ChainHead | None: ...

    async def append(self, entry: ArchiveEntry, after: ChainHead | None) -> None:
        """Store ``entry`` and make it the head, provided the head is still ``after``."""
        ...


class ArchiveReader(Protocol):
    """The read side, used by the HTTP API."""

    async def head(self) -> ChainHead | None: ...

    async def count(self) -> int: ...

    async def by_referral(self, referral_id: str) -> list[ArchiveEntry]: ...

    async def by_correlation(self, correlation_id: str) -> list[ArchiveEntry]: ...

    async def by_receipt_hash(self, hashed: str) -> list[ArchiveEntry]:
        """Entries whose payload carries this receipt hash (the signal's received event)."""
        ...

    def in_order(self, after: int = 0) -> AsyncIterator[ArchiveEntry]:
        """Every entry past seq ``after``, in seq order, streamed."""
        ...

    async def record_read(self, read: ArchiveRead) -> None: ...

    async def timeline_reads(self, referral_id: str) -> list[ArchiveRead]:
        """Every recorded request for the referral's timeline, oldest first."""
        ...


def head_moved() -> PyMongoError:
    """Another instance appended first. Labelled transient so that ``with_transaction`` runs
    the whole transaction again, which then reads the new head."""
    return PyMongoError("audit chain head moved", error_labels=["TransientTransactionError"])


def entry_document(entry: ArchiveEntry, archived_at: datetime) -> Document:
    e = entry.event
    return {
        "_id": e.event_id,
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
    return ArchiveEntry(doc["seq"], doc["prev_hash"], doc["hash"], event)


def head_of(doc: Document | None) -> ChainHead | None:
    return ChainHead(doc["seq"], doc["hash"]) if doc else None


class MongoChain:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def head(self) -> ChainHead | None:
        doc = await self._tx[CHAIN].find_one({"_id": HEAD_ID})
        return head_of(doc)

    async def append(self, entry: ArchiveEntry, after: ChainHead | None) -> None:
        # The head first: a concurrent append is caught here, before anything else is written.
        await self._move_head(entry.head, after)
        await self._tx[ARCHIVE].insert_one(entry_document(entry, datetime.now(UTC)))

    async def _move_head(self, new: ChainHead, after: ChainHead | None) -> None:
        chain = self._tx[CHAIN]
        fields = {"seq": new.seq, "hash": new.hash}
        if after is None:
            try:
                await chain.insert_one({"_id": HEAD_ID, **fields})
            except DuplicateKeyError as exc:
                raise head_moved() from exc
            return
        result = await chain.update_one(
            {"_id": HEAD_ID, "seq": after.seq, "hash": after.hash}, {"$set": fields}
        )
        if result.matched_count != 1:
            raise head_moved()


class MongoArchive:
    def __init__(self, store: MongoStore) -> None:
        self._db = store.db

    async def head(self) -> ChainHead | None:
        return head_of(await self._db[CHAIN].find_one({"_id": HEAD_ID}))

    async def count(self) -> int:
        return await self._db[ARCHIVE].count_documents({})

    async def by_referral(self, referral_id: str) -> list[ArchiveEntry]:
        return await self._find({"subject": referral_id})

    async def by_correlation(self, correlation_id: str) -> list[ArchiveEntry]:
        return await self._find({"correlationid": correlation_id})

    async def by_receipt_hash(self, hashed: str) -> list[ArchiveEntry]:
        return await self._find({"payload.receipt_hash": hashed})

    async def _find(self, query: dict[str, Any]) -> list[ArchiveEntry]:
        cursor = self._db[ARCHIVE].find(query).sort("seq", ASCENDING)
        return [entry_of(doc) async for doc in cursor]

    async def in_order(self, after: int = 0) -> AsyncIterator[ArchiveEntry]:
        query = {"seq": {"$gt": after}} if after else {}
        cursor = self._db[ARCHIVE].find(query).sort("seq", ASCENDING).batch_size(SCAN_BATCH)
        async for doc in cursor:
            yield entry_of(doc)

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


def _checkpoint_of(doc: Document) -> Checkpoint:
    return Checkpoint(
        int(doc["_id"]), doc["hash"], doc["signed_at"], doc["key_id"], doc["signature"]
    )


async def ensure_indexes(store: MongoStore) -> None:
    archive = store.db[ARCHIVE]
    # Unique seq: even a store with weaker isolation than MongoDB can never fork the chain.
    await archive.create_index([("seq", ASCENDING)], unique=True)
    await archive.create_index([("subject", ASCENDING), ("seq", ASCENDING)])
    await archive.create_index([("correlationid", ASCENDING), ("seq", ASCENDING)])
    await archive.create_index([("payload.receipt_hash", ASCENDING)], sparse=True)
    await store.db[READS].create_index([("referral_id", ASCENDING), ("at", ASCENDING)])
