"""A unit of work for many events in one transaction (replay's batches) that saves round
trips: a document read or written by its ``_id`` is kept here, later reads of it are answered
from here, and the writes go to MongoDB together, one ``bulk_write`` per collection, when the
work is done or before anything else reads that collection.

Only the plain shapes handlers use most are kept: ``find_one``/``update_one``/
``replace_one``/``delete_one`` by ``_id`` (``find_one`` and ``update_one`` also with simple
conditions on top-level fields; the update operators ``$set``, ``$inc``, ``$push`` of one
value or with ``$each`` and ``$setOnInsert``), and ``insert_one``. The ``_id``s the batch is
likely to touch (its referrals) are read from a collection in one query the first time one
of them is missed there. Every other call first writes what is
pending on that collection and then goes to MongoDB as it would, so every read sees every
write before it. A document kept here is kept as MongoDB would give it back (BSON-encoded
and decoded). An insert of an ``_id`` already stored fails when the writes go out, failing
the whole unit of work: the caller applies its events one by one then (replay does), where
the handler sees the error as live.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar, cast

import bson
from pymongo import DeleteOne, InsertOne, ReplaceOne
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.results import DeleteResult, InsertManyResult, InsertOneResult, UpdateResult

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.topics import REFERRAL_EVENTS
from schakel.platform.handling import Work
from schakel.platform.mongo import PROCESSED, Document, Filter, Transaction, TxCollection


class Stored(Enum):
    """What MongoDB holds of a kept ``_id`` as of the last write-out."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"  # inserted here without being read: stored only if the insert holds


@dataclass
class Kept:
    raw: bytes | None  # the document now, BSON-encoded; None: there is none
    stored: Stored
    dirty: bool = False


T = TypeVar("T")
_COMPARED: dict[str, Callable[[Any, Any], bool]] = {
    "$in": lambda value, arg: value in arg,
    "$ne": lambda value, arg: value != arg,
    "$gt": lambda value, arg: value > arg,
    "$gte": lambda value, arg: value >= arg,
    "$lt": lambda value, arg: value < arg,
    "$lte": lambda value, arg: value <= arg,
}
_NUMBER = (int, float)
_SCALAR = (str, int, float, bool)


class WriteBehindTransaction(Transaction):
    """The outer transaction's collections, with documents kept by ``_id`` (see the module);
    ``flush`` writes what is pending. Emitted events go to the outer transaction's outbox."""

    def __init__(self, outer: Transaction, likely_ids: Collection[Any] = ()) -> None:
        super().__init__(outer.session, outer.db)
        self._outer = outer
        self._kept: dict[str, dict[Any, Kept]] = {}
        self._likely = likely_ids
        self._prefetched: set[str] = set()  # collections the likely ids were read from

    def __getitem__(self, collection: str) -> TxCollection:
        likely = () if collection in self._prefetched else self._likely
        return KeptCollection(
            super().__getitem__(collection),
            self._kept.setdefault(collection, {}),
            likely,
            lambda: self._prefetched.add(collection),
        )

    def emit(self, event: EventEnvelope[Any], topic: str = REFERRAL_EVENTS) -> None:
        self._outer.emit(event, topic)

    async def flush(self) -> None:
        for name in self._kept:
            await cast(KeptCollection, self[name]).flush()


class KeptCollection(TxCollection):
    def __init__(
        self,
        plain: TxCollection,
        kept: dict[Any, Kept],
        likely: Collection[Any] = (),
        prefetched: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(plain.collection, plain.session)
        self._kept = kept
        self._likely = likely
        self._prefetched = prefetched

    # -- kept shapes -------------------------------------------------------------------------

    async def find_one(self, filter: Filter, **options: Any) -> Document | None:
        key = _by_id(filter, conditions=True)
        projection = options.get("projection")
        if key is None or set(options) - {"projection"} or not _plain_projection(projection):
            return await self._passed(super().find_one(filter, **options))
        doc = _decoded(await self._load(key))
        if doc is None:
            return None
        matches = _matches(doc, filter)
        if matches is None:  # a condition not kept here: MongoDB decides
            return await self._passed(super().find_one(filter, **options))
        return _projected(doc, projection) if matches else None

    async def insert_one(self, document: Document) -> InsertOneResult:
        key = document.get("_id")
        kept = self._kept.get(key) if isinstance(key, _SCALAR) else None
        if not isinstance(key, _SCALAR) or (kept is not None and kept.raw is not None):
            # No _id given, or one that is there: MongoDB's own answer (a duplicate key error).
            return await self._passed(super().insert_one(document), True)
        stored = Stored.UNKNOWN if kept is None else kept.stored
        self._kept[key] = Kept(_encoded(document), stored, dirty=True)
        return InsertOneResult(key, acknowledged=True)

    async def insert_many(self, documents: Sequence[Document]) -> InsertManyResult:
        ids = [(await self.insert_one(document)).inserted_id for document in documents]
        return InsertManyResult(ids, acknowledged=True)

    async def replace_one(
        self, filter: Filter, document: Document, *, upsert: bool = False
    ) -> UpdateResult:
        key = _by_id(filter)
        if (
            key is None
            or document.get("_id", key) != key
            or any(k.startswith("$") for k in document)
        ):
            return await self._passed(super().replace_one(filter, document, upsert=upsert), True)
        raw = await self._load(key)
        if raw is None and not upsert:
            return _updated(0)
        self._write(key, {"_id": key, **{k: v for k, v in document.items() if k != "_id"}})
        return _updated(1) if raw is not None else _updated(0, upserted=key)

    async def update_one(
        self, filter: Filter, update: Mapping[str, Any], *, upsert: bool = False
    ) -> UpdateResult:
        key = _by_id(filter, conditions=True)
        if key is None or not _plain_update(update) or (upsert and len(filter) > 1):
            return await self._passed(super().update_one(filter, update, upsert=upsert), True)
        doc = _decoded(await self._load(key))
        if doc is None:
            if not upsert:
                return _updated(0)
            self._write(key, _updated_doc({"_id": key}, update, inserted=True))
            return _updated(0, upserted=key)
        matches = _matches(doc, filter)
        if matches is None:  # a condition not kept here: MongoDB decides
            return await self._passed(super().update_one(filter, update, upsert=upsert), True)
        if not matches:
            return _updated(0)
        new = _updated_doc(doc, update, inserted=False)
        if new != doc:
            self._write(key, new)
        return _updated(1, modified=int(new != doc))

    async def delete_one(self, filter: Filter) -> DeleteResult:
        key = _by_id(filter)
        if key is None:
            return await self._passed(super().delete_one(filter), True)
        raw = await self._load(key)
        if raw is None:
            return DeleteResult({"n": 0}, acknowledged=True)
        self._kept[key] = Kept(None, self._kept[key].stored, dirty=True)
        return DeleteResult({"n": 1}, acknowledged=True)

    # -- everything else: what is pending first, then MongoDB --------------------------------

    def find(self, filter: Filter, **options: Any) -> AsyncCursor[Document]:
        return cast(AsyncCursor[Document], _FlushFirst(self, super().find(filter, **options)))

    async def count_documents(self, filter: Filter) -> int:
        return await self._passed(super().count_documents(filter))

    async def update_many(self, filter: Filter, update: Mapping[str, Any]) -> UpdateResult:
        return await self._passed(super().update_many(filter, update), True)

    async def delete_many(self, filter: Filter) -> DeleteResult:
        return await self._passed(super().delete_many(filter), True)

    async def _passed(self, call: Awaitable[T], writes: bool = False) -> T:
        """Flush, then the call as is; after a write this does not follow, forget the kept."""
        await self.flush()
        try:
            return await call
        finally:
            if writes:
                self._kept.clear()

    async def flush(self) -> None:
        pending = [(key, kept) for key, kept in self._kept.items() if kept.dirty]
        if not pending:
            return
        ops: list[Any] = []
        for key, kept in pending:
            if kept.raw is None:
                if kept.stored is not Stored.ABSENT:
                    ops.append(DeleteOne({"_id": key}))
            elif kept.stored is Stored.PRESENT:
                ops.append(ReplaceOne({"_id": key}, _decoded(kept.raw)))
            else:
                ops.append(InsertOne(_decoded(kept.raw)))
        if ops:
            await self.collection.bulk_write(ops, ordered=True, session=self.session)
        for _, kept in pending:
            kept.stored = Stored.ABSENT if kept.raw is None else Stored.PRESENT
            kept.dirty = False

    async def _load(self, key: Any) -> bytes | None:
        kept = self._kept.get(key)
        if kept is None and key in self._likely:
            await self._prefetch()
            kept = self._kept.get(key)
        if kept is None:
            doc = await self.collection.find_one({"_id": key}, session=self.session)
            stored = Stored.ABSENT if doc is None else Stored.PRESENT
            kept = self._kept[key] = Kept(None if doc is None else _encoded(doc), stored)
        return kept.raw

    async def _prefetch(self) -> None:
        """Every likely ``_id`` not kept yet, in one query: present or known absent."""
        self._prefetched()
        wanted = [key for key in self._likely if key not in self._kept]
        self._likely = ()
        found = self.collection.find({"_id": {"$in": wanted}}, session=self.session)
        async for doc in found:
            self._kept[doc["_id"]] = Kept(_encoded(doc), Stored.PRESENT)
        for key in wanted:
            self._kept.setdefault(key, Kept(None, Stored.ABSENT))

    def _write(self, key: Any, doc: Document) -> None:
        stored = self._kept[key].stored if key in self._kept else Stored.UNKNOWN
        self._kept[key] = Kept(_encoded(doc), stored, dirty=True)


class _FlushFirst:
    """A cursor that writes what is pending on its collection before its first fetch."""

    def __init__(self, owner: KeptCollection, cursor: AsyncCursor[Document]) -> None:
        self._owner = owner
        self._cursor = cursor
        self._flushed = False

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._cursor, name)
        if not callable(attribute):
            return attribute

        def chained(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            return self if result is self._cursor else result

        return chained

    async def _ready(self) -> None:
        if not self._flushed:
            self._flushed = True
            await self._owner.flush()

    def __aiter__(self) -> _FlushFirst:
        return self

    async def __anext__(self) -> Document:
        await self._ready()
        return await self._cursor.__anext__()

    async def to_list(self, length: int | None = None) -> list[Document]:
        await self._ready()
        return await self._cursor.to_list(length)


def _by_id(filter: Filter, conditions: bool = False) -> Any:
    """The ``_id`` a filter names, when it is a plain scalar (and, with ``conditions``,
    the other fields are plain top-level conditions); None: not a kept shape."""
    key = filter.get("_id")
    if not isinstance(key, _SCALAR):
        return None
    others = [k for k in filter if k != "_id"]
    if others and not (conditions and all(_plain_condition(k, filter[k]) for k in others)):
        return None
    return key


def _plain_condition(field: str, condition: Any) -> bool:
    if field.startswith("$") or "." in field:
        return False
    if isinstance(condition, _SCALAR):
        return True
    return (
        isinstance(condition, Mapping)
        and len(condition) == 1
        and next(iter(condition)) in _COMPARED
        and _plain_argument(next(iter(condition.items()))[1])
    )


def _plain_argument(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, _SCALAR) for v in value)
    return isinstance(value, _SCALAR)


def _matches(doc: Document, filter: Filter) -> bool | None:
    """Whether the kept document meets the filter's other conditions; None: cannot say."""
    for field, condition in filter.items():
        if field == "_id":
            continue
        value = doc.get(field)
        if isinstance(condition, Mapping):
            op, arg = next(iter(condition.items()))
            ordered = op in ("$gt", "$gte", "$lt", "$lte")
            if ordered and not (isinstance(value, _NUMBER) and isinstance(arg, _NUMBER)):
                return None  # BSON's order across types: MongoDB's to apply
            if op in ("$in", "$ne") and not (value is None or isinstance(value, _SCALAR)):
                return None  # arrays match by element: MongoDB's to apply
            if not _COMPARED[op](value, arg):
                return False
        elif isinstance(value, (list, dict)) or isinstance(value, bool) != isinstance(
            condition, bool
        ):
            return None  # arrays match by element, booleans are not numbers: MongoDB's to apply
        elif value != condition:
            return False
    return True


def _plain_update(update: Mapping[str, Any]) -> bool:
    if not update or set(update) - {"$set", "$inc", "$push", "$setOnInsert"}:
        return False
    fields = [field for spec in update.values() for field in spec]
    if any(field == "_id" or "." in field or field.startswith("$") for field in fields):
        return False
    if len(fields) != len(set(fields)):
        return False
    if any(not isinstance(v, _NUMBER) for v in update.get("$inc", {}).values()):
        return False
    return all(_pushed(v) is not None for v in update.get("$push", {}).values())


def _pushed(value: Any) -> list[Any] | None:
    """The values a ``$push`` appends: one value, or a plain ``$each``; None: another form."""
    if not isinstance(value, Mapping) or not any(str(k).startswith("$") for k in value):
        return [value]
    if set(value) == {"$each"} and isinstance(value["$each"], list):
        return list(value["$each"])
    return None


def _updated_doc(doc: Document, update: Mapping[str, Any], *, inserted: bool) -> Document:
    """The document after a plain update, operators in the order given, kept fields in
    place and new ones at the end. Raises what MongoDB would refuse (a $inc or $push on a
    field of another type), failing the unit of work."""
    new = dict(doc)
    for op, spec in update.items():
        for field, value in spec.items():
            if op == "$set" or (op == "$setOnInsert" and inserted):
                new[field] = value
            elif op == "$inc":
                current = new.get(field, 0)
                if not isinstance(current, _NUMBER):
                    raise TypeError(f"$inc of a non-number field {field}")
                new[field] = current + value
            elif op == "$push":
                current = new.get(field, [])
                if not isinstance(current, list):
                    raise TypeError(f"$push to a non-array field {field}")
                new[field] = [*current, *(_pushed(value) or [])]
    return cast(Document, _decoded(_encoded(new)))  # its types as MongoDB gives them back


def _plain_projection(projection: Any) -> bool:
    if projection is None:
        return True
    if not isinstance(projection, Mapping) or not projection:
        return False
    if any("." in field or field.startswith("$") for field in projection):
        return False
    shown = {bool(v) for k, v in projection.items() if k != "_id"}
    return len(shown) <= 1 and all(isinstance(v, (bool, int)) for v in projection.values())


def _projected(doc: Document, projection: Mapping[str, Any] | None) -> Document:
    if projection is None:
        return doc
    with_id = bool(projection.get("_id", True))
    listed = {k for k in projection if k != "_id"}
    including = any(bool(projection[k]) for k in listed)
    if including:
        return {k: v for k, v in doc.items() if k in listed or (k == "_id" and with_id)}
    return {k: v for k, v in doc.items() if k not in listed and (k != "_id" or with_id)}


def _updated(matched: int, *, modified: int | None = None, upserted: Any = None) -> UpdateResult:
    raw: dict[str, Any] = {"n": matched, "nModified": matched if modified is None else modified}
    if upserted is not None:
        raw.update(n=1, upserted=upserted)
    return UpdateResult(raw, acknowledged=True)


_CODEC: bson.CodecOptions[Document] = bson.CodecOptions(tz_aware=True)


def _encoded(doc: Mapping[str, Any]) -> bytes:
    return bson.encode(doc, codec_options=_CODEC)


def _decoded(raw: bytes | None) -> Document | None:
    return None if raw is None else bson.decode(raw, codec_options=_CODEC)


async def apply_each_once(
    tx: Transaction, items: Sequence[tuple[str, Work]], likely_ids: Collection[Any] = ()
) -> list[bool]:
    """Several incoming events in one transaction, in order, each unless this database
    already applied it; says which were new. The markers are read and written once for the
    batch (an event twice in it counts once), and the handlers' reads and writes by ``_id``
    are kept across the batch and written out together: round trips per batch, not per event.
    ``likely_ids``: the ``_id``s the events are about (their referrals), read in one query per
    collection."""
    ids = {"$in": [event_id for event_id, _ in items]}
    done = {m["_id"] async for m in tx[PROCESSED].find({"_id": ids}, projection={"_id": 1})}
    kept = WriteBehindTransaction(tx, likely_ids)
    applied_at, applied, markers = datetime.now(UTC), [], []
    for event_id, work in items:
        new = event_id not in done
        if new:
            done.add(event_id)
            markers.append({"_id": event_id, "applied_at": applied_at})
            await work(kept)
        applied.append(new)
    await kept.flush()
    if markers:
        await tx[PROCESSED].insert_many(markers)
    return applied
