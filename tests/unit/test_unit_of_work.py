"""The unit of work without a server: every call a handler makes through ``tx[name]`` runs in
the transaction's session (a write outside it would survive a rollback), the events it emits
become outbox rows in that same transaction, in order and on their topics, an event already
applied is not applied again, and the marker and outbox indexes are kept as configured. The
database is a recording stand-in; its transactions are tested on the real servers
(tests/integration/test_platform.py, test_redelivery.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.errors import OperationFailure

from schakel.contracts.kafka_binding import to_record
from schakel.contracts.topics import REFERRAL_EVENTS
from schakel.platform.mongo import (
    OUTBOX,
    PROCESSED,
    MongoStore,
    Transaction,
    ensure_ttl_index,
    outbox_row,
)
from tests.integration.rig import event_for

SESSION = object()


class Collection:
    """Records each call with the session it ran in; finds documents by ``_id``."""

    def __init__(self, name: str, calls: list[tuple[Any, ...]]) -> None:
        self.name, self.calls = name, calls
        self.documents: dict[Any, dict[str, Any]] = {}
        self.indexes: dict[str, dict[str, Any]] = {}
        self.drop_fails = False

    def _call(self, method: str, *args: Any, session: Any = None, **options: Any) -> None:
        self.calls.append((self.name, method, args, options, session))

    async def find_one(self, filter: Any, *, session: Any = None, **options: Any) -> Any:
        self._call("find_one", filter, session=session, **options)
        return self.documents.get(filter.get("_id"))

    def find(self, filter: Any, *, session: Any = None, **options: Any) -> str:
        self._call("find", filter, session=session, **options)
        return "cursor"

    async def insert_one(self, document: Any, *, session: Any = None) -> str:
        self._call("insert_one", document, session=session)
        self.documents[document["_id"]] = document
        return "inserted"

    async def insert_many(self, documents: Any, *, session: Any = None) -> str:
        self._call("insert_many", documents, session=session)
        return "inserted many"

    async def count_documents(self, filter: Any, *, session: Any = None) -> int:
        self._call("count_documents", filter, session=session)
        return 3

    async def update_one(self, *args: Any, session: Any = None, **options: Any) -> str:
        self._call("update_one", *args, session=session, **options)
        return "updated"

    async def update_many(self, *args: Any, session: Any = None) -> str:
        self._call("update_many", *args, session=session)
        return "updated many"

    async def replace_one(self, *args: Any, session: Any = None, **options: Any) -> str:
        self._call("replace_one", *args, session=session, **options)
        return "replaced"

    async def delete_one(self, filter: Any, *, session: Any = None) -> str:
        self._call("delete_one", filter, session=session)
        return "deleted"

    async def delete_many(self, filter: Any, *, session: Any = None) -> str:
        self._call("delete_many", filter, session=session)
        return "deleted many"

    async def index_information(self) -> dict[str, dict[str, Any]]:
        return dict(self.indexes)

    async def drop_index(self, name: str) -> None:
        self._call("drop_index", name)
        if self.drop_fails:
            raise OperationFailure("index not found")
        del self.indexes[name]

    async def create_index(self, keys: Any, **options: Any) -> None:
        self._call("create_index", keys, **options)


class Database(dict[str, Collection]):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[Any, ...]] = []

    def __missing__(self, name: str) -> Collection:
        self[name] = Collection(name, self.calls)
        return self[name]


def tx(db: Database) -> Transaction:
    return Transaction(SESSION, db)  # type: ignore[arg-type]


async def test_every_call_through_the_unit_of_work_runs_in_its_session() -> None:
    db = Database()
    referrals = tx(db)["referrals"]
    answers = [
        await referrals.find_one({"_id": "r"}, projection={"x": 1}),
        referrals.find({"owner": "o"}, sort=[("seq", 1)]),
        await referrals.count_documents({"owner": "o"}),
        await referrals.insert_one({"_id": "r"}),
        await referrals.insert_many([{"_id": "s"}]),
        await referrals.update_one({"_id": "r"}, {"$set": {"a": 1}}, upsert=True),
        await referrals.update_many({"owner": "o"}, {"$set": {"a": 2}}),
        await referrals.replace_one({"_id": "r"}, {"b": 1}, upsert=True),
        await referrals.delete_one({"_id": "r"}),
        await referrals.delete_many({"owner": "o"}),
    ]
    assert answers == [
        None,
        "cursor",
        3,
        "inserted",
        "inserted many",
        "updated",
        "updated many",
        "replaced",
        "deleted",
        "deleted many",
    ]
    assert [(c[0], c[1], c[2], c[3]) for c in db.calls] == [
        ("referrals", "find_one", ({"_id": "r"},), {"projection": {"x": 1}}),
        ("referrals", "find", ({"owner": "o"},), {"sort": [("seq", 1)]}),
        ("referrals", "count_documents", ({"owner": "o"},), {}),
        ("referrals", "insert_one", ({"_id": "r"},), {}),
        ("referrals", "insert_many", ([{"_id": "s"}],), {}),
        ("referrals", "update_one", ({"_id": "r"}, {"$set": {"a": 1}}), {"upsert": True}),
        ("referrals", "update_many", ({"owner": "o"}, {"$set": {"a": 2}}), {}),
        ("referrals", "replace_one", ({"_id": "r"}, {"b": 1}), {"upsert": True}),
        ("referrals", "delete_one", ({"_id": "r"},), {}),
        ("referrals", "delete_many", ({"owner": "o"},), {}),
    ]
    assert {c[4] for c in db.calls} == {SESSION}
    await referrals.update_one({"_id": "r"}, {"$set": {"a": 1}})
    await referrals.replace_one({"_id": "r"}, {"b": 1})
    assert [c[3] for c in db.calls[-2:]] == [{"upsert": False}, {"upsert": False}]


def test_an_outbox_row_is_the_record_as_kafka_will_get_it() -> None:
    event = event_for("ref-row")
    before = datetime.now(UTC)
    row = outbox_row(event, "schakel.gp-feedback")
    later = outbox_row(event)
    key, value, headers = to_record(event)
    assert isinstance(row.pop("seq"), ObjectId) and later["seq"] > ObjectId("0" * 24)
    assert before <= row.pop("created_at") <= datetime.now(UTC)
    assert row == {
        "_id": event.id,
        "topic": "schakel.gp-feedback",
        "key": key,
        "value": value,
        "headers": [[name, raw] for name, raw in headers],
        "event_type": event.type,
    }
    assert later["topic"] == REFERRAL_EVENTS


async def test_emitted_events_become_outbox_rows_in_order_on_their_topics() -> None:
    db = Database()
    work = tx(db)
    await work.write_outbox()
    assert db.calls == []  # nothing emitted, nothing written
    first, second, third = event_for("a"), event_for("b"), event_for("c")
    work.emit(first)
    work.emit(second, "schakel.gp-feedback")
    work.emit(third, REFERRAL_EVENTS)
    assert work.emitted == [first, second, third]
    await work.write_outbox()
    [(name, method, (rows,), _, session)] = db.calls
    assert (name, method, session) == (OUTBOX, "insert_many", SESSION)
    assert [(r["_id"], r["topic"]) for r in rows] == [
        (first.id, REFERRAL_EVENTS),
        (second.id, "schakel.gp-feedback"),
        (third.id, REFERRAL_EVENTS),
    ]
    assert rows[0]["seq"] < rows[1]["seq"] < rows[2]["seq"]


class Session:
    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def with_transaction(self, attempt: Callable[[Any], Awaitable[Any]]) -> Any:
        return await attempt(SESSION)


class Client:
    def start_session(self) -> Session:
        return Session()

    async def close(self) -> None:
        return None


def store() -> tuple[MongoStore, Database]:
    made = MongoStore("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1", "schakel_t")
    db = Database()
    made.client, made.db = Client(), db  # type: ignore[assignment]
    return made, db


async def test_an_event_is_applied_once_with_its_marker_and_outbox_in_the_same_transaction() -> (
    None
):
    made, db = store()
    event = event_for("ref-once")
    runs: list[str] = []

    async def work(t: Transaction) -> None:
        runs.append(event.id)
        t.emit(event_for("caused"))

    before = datetime.now(UTC)
    assert await made.apply_once(event.id, work) is True
    assert made.outbox_written.is_set()  # the relay is woken
    marker = db[PROCESSED].documents[event.id]
    assert before <= marker.pop("applied_at") <= datetime.now(UTC)
    assert marker == {"_id": event.id}
    made.outbox_written.clear()
    assert await made.apply_once(event.id, work) is False
    assert runs == [event.id]
    assert [(c[0], c[1]) for c in db.calls] == [
        (PROCESSED, "find_one"),
        (PROCESSED, "insert_one"),
        (OUTBOX, "insert_many"),
        (PROCESSED, "find_one"),
    ]
    assert {c[4] for c in db.calls} == {SESSION}


async def test_a_transaction_returns_what_the_work_returned() -> None:
    made, _ = store()

    async def work(t: Transaction) -> str:
        return "done"

    assert await made.transaction(work, within=2.0) == "done"
    assert await made.transaction(work) == "done"
    await made.close()


async def test_the_marker_index_expires_as_configured_and_is_rebuilt_when_that_changes() -> None:
    made, db = store()
    await made.ensure_platform_indexes(timedelta(days=40))
    assert [(c[0], c[1], c[2], c[3]) for c in db.calls] == [
        (OUTBOX, "create_index", ([("seq", ASCENDING)],), {}),
        (
            PROCESSED,
            "create_index",
            ([("applied_at", ASCENDING)],),
            {"expireAfterSeconds": 40 * 86400, "name": "applied_at_1"},
        ),
    ]
    markers = db[PROCESSED]
    markers.indexes = {"applied_at_1": {"expireAfterSeconds": 90 * 86400}}
    db.calls.clear()
    await ensure_ttl_index(markers, "applied_at", timedelta(days=40))  # type: ignore[arg-type]
    assert [c[1] for c in db.calls] == ["drop_index", "create_index"]
    assert db.calls[0][2] == ("applied_at_1",)
    db.calls.clear()
    markers.indexes = {"applied_at_1": {"expireAfterSeconds": 40 * 86400}}
    await ensure_ttl_index(markers, "applied_at", timedelta(days=40, seconds=0.5))  # type: ignore[arg-type]
    assert [c[1] for c in db.calls] == ["create_index"]  # the same period: kept
    db.calls.clear()
    markers.indexes = {"applied_at_1": {"expireAfterSeconds": 1}}
    markers.drop_fails = True  # another instance dropped it first
    await ensure_ttl_index(markers, "applied_at", timedelta(seconds=60))  # type: ignore[arg-type]
    assert [c[1] for c in db.calls] == ["drop_index", "create_index"]
    assert db.calls[1][3] == {"expireAfterSeconds": 60, "name": "applied_at_1"}


async def test_readiness_pings_the_database() -> None:
    made, _ = store()
    asked: list[Any] = []

    async def command(name: str) -> None:
        asked.append(name)

    made.db = type("Db", (), {"command": staticmethod(command)})()
    await made.ping()
    assert asked == ["ping"]
