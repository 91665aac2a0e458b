"""Replay's batched unit of work keeps documents by ``_id`` and writes them out together: on a
real MongoDB-protocol server, the same calls answer the same and leave the same documents
(fields in the same order, times as stored) as in a plain transaction, later reads see
earlier writes whatever their shape, and an insert of a stored ``_id`` fails the whole unit
of work, as in a plain one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.errors import BulkWriteError, DuplicateKeyError
from pymongo.results import DeleteResult, InsertOneResult, UpdateResult

from schakel.contracts.envelope import new_event
from schakel.platform.metrics import MONGO_COMMANDS
from schakel.platform.mongo import Document, MongoStore, Transaction, TxCollection
from schakel.platform.writebehind import WriteBehindTransaction
from tests import payloads

pytestmark = pytest.mark.integration

STORED: list[Document] = [
    {"_id": "a", "places": 2, "status": "p"},
    {"_id": "b", "places": 0, "status": "m"},
    {"_id": "c", "places": 1, "status": "p", "log": [1]},
]
MICROS = datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC)


def _said(result: Any) -> Any:
    if isinstance(result, UpdateResult):
        return ("updated", result.matched_count, result.modified_count, result.upserted_id)
    if isinstance(result, DeleteResult):
        return ("deleted", result.deleted_count)
    if isinstance(result, InsertOneResult):
        return ("inserted", result.inserted_id)
    return result


async def _calls(c: TxCollection) -> list[Any]:
    """What the services' handlers do, in the shapes kept and in others."""
    said = [
        await c.find_one({"_id": "a"}),
        await c.find_one({"_id": "zz"}),
        await c.insert_one({"_id": "zz", "v": 0}),  # read as missing, then inserted
        await c.find_one({"_id": "zz"}),
        await c.insert_one({"_id": "n1", "v": 1, "tags": [], "at": MICROS}),
        await c.find_one({"_id": "n1"}, projection={"tags": 0}),
        await c.update_one(
            {"_id": "n1", "v": 1},
            {"$set": {"w": "x"}, "$inc": {"v": 2}, "$push": {"tags": {"$each": ["t", "u"]}}},
        ),
        await c.update_one({"_id": "n1", "v": 1}, {"$set": {"w": "y"}}),  # v is 3 now
        await c.update_one({"_id": "a", "places": {"$gt": 0}}, {"$inc": {"places": -1}}),
        await c.update_one({"_id": "b", "places": {"$gt": 0}}, {"$inc": {"places": -1}}),
        await c.update_one({"_id": "c", "status": {"$in": ["p", "m"]}}, {"$set": {"status": "m"}}),
        await c.find_one({"_id": "c", "status": "m"}),
        await c.find_one({"_id": "c", "status": "p"}),
        await c.find_one({"_id": "c", "places": {"$lte": 1}}, projection={"log": 0}),
        await c.update_one({"_id": "c"}, {"$push": {"log": {"k": 2, "at": MICROS}}}),
        await c.update_one({"_id": "p1"}, {"$push": {"log": 5}, "$set": {"o": "x"}}, upsert=True),
        await c.update_one({"_id": "u1"}, {"$setOnInsert": {"s": 1}}, upsert=True),
        await c.update_one({"_id": "u1"}, {"$setOnInsert": {"s": 2}}, upsert=True),
        await c.update_one({"_id": "zz"}, {"$set": {"s": 2}}),
        await c.update_one({"_id": "zy"}, {"$set": {"s": 2}}),
        await c.replace_one({"_id": "a"}, {"x": 1, "when": MICROS}),
        await c.find_one({"_id": "a"}, projection={"when": 1}),
        await c.replace_one({"_id": "r9"}, {"y": 1}, upsert=True),
        await c.replace_one({"_id": "r8"}, {"y": 1}),
        await c.delete_one({"_id": "b"}),
        await c.delete_one({"_id": "b"}),
        await c.find({"v": {"$gt": 0}}).sort("_id").to_list(),
        [doc async for doc in c.find({"status": "m"})],
        await c.count_documents({}),
        await c.find_one({"y": 1}),
        await c.update_many({}, {"$set": {"all": True}}),
        await c.find_one({"_id": "n1"}),
        await c.update_one({"_id": "n1"}, {"$set": {"v": 4}}),
        await c.insert_one({"_id": "n2"}),
        await c.delete_one({"_id": "n2"}),
    ]
    return [_said(result) for result in said]


async def _stored(store: MongoStore, name: str) -> list[list[tuple[str, Any]]]:
    return [list(doc.items()) async for doc in store.db[name].find({}).sort("_id")]


# The referrals a live batch is about: some stored, some not, some never touched.
LIKELY = frozenset({"a", "c", "zz", "n1", "p1", "untouched"})


@pytest.mark.parametrize("likely", [frozenset(), LIKELY], ids=["by-id", "read-ahead"])
async def test_the_same_calls_answer_the_same_and_leave_the_same_documents(
    store: MongoStore, likely: frozenset[str]
) -> None:
    for name in ("plain", "kept"):
        await store.db[name].insert_many([dict(doc) for doc in STORED])

    async def plain(tx: Transaction) -> list[Any]:
        return await _calls(tx["plain"])

    async def kept(tx: Transaction) -> list[Any]:
        batch = WriteBehindTransaction(tx, likely)
        said = await _calls(batch["kept"])
        await batch.flush()
        return said

    assert await store.transaction(kept) == await store.transaction(plain)
    assert await _stored(store, "kept") == await _stored(store, "plain")


def _finds(collection: str) -> float:
    value: float = MONGO_COMMANDS.labels("find", collection)._value.get()
    return value


async def test_the_likely_ids_are_read_in_one_query_and_written_in_one(store: MongoStore) -> None:
    """What makes a live batch cheaper: its referrals' documents come in one round trip."""
    await store.db["kept"].insert_many([dict(doc) for doc in STORED])
    before = _finds("kept")

    async def kept(tx: Transaction) -> list[Document | None]:
        batch = WriteBehindTransaction(tx, frozenset({"a", "b", "c", "new"}))
        found = [await batch["kept"].find_one({"_id": key}) for key in ("a", "b", "c", "new")]
        for key in ("a", "b", "new"):
            await batch["kept"].update_one({"_id": key}, {"$inc": {"places": 1}}, upsert=True)
        await batch.flush()
        return found

    found = await store.transaction(kept)
    assert [doc and doc["_id"] for doc in found] == ["a", "b", "c", None]
    assert _finds("kept") - before == 1
    places = {doc["_id"]: doc["places"] async for doc in store.db["kept"].find({})}
    assert places == {"a": 3, "b": 1, "c": 1, "new": 1}


async def test_an_insert_of_a_stored_id_fails_the_whole_unit_of_work(store: MongoStore) -> None:
    await store.db["kept"].insert_one({"_id": "a", "v": 1})

    async def kept(tx: Transaction) -> None:
        batch = WriteBehindTransaction(tx)
        await batch["kept"].update_one({"_id": "b"}, {"$set": {"v": 2}}, upsert=True)
        await batch["kept"].insert_one({"_id": "a", "v": 3})
        await batch.flush()

    with pytest.raises((BulkWriteError, DuplicateKeyError)):
        await store.transaction(kept)
    assert [doc async for doc in store.db["kept"].find({})] == [{"_id": "a", "v": 1}]


async def test_emitted_events_go_to_the_outbox_of_the_transaction(store: MongoStore) -> None:
    event = new_event(payloads.triaged("r1"), source="/test", subject="r1")

    async def kept(tx: Transaction) -> None:
        WriteBehindTransaction(tx).emit(event)

    await store.transaction(kept)
    assert [row["_id"] async for row in store.db["outbox"].find({})] == [event.id]
