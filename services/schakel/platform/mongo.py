"""MongoDB wiring and the unit of work: a state change, the marker that an incoming event was
applied, and the outgoing events (outbox rows) commit in one multi-document transaction."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pymongo
from bson import ObjectId
from pymongo import ASCENDING, AsyncMongoClient, monitoring
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure
from pymongo.results import DeleteResult, InsertManyResult, InsertOneResult, UpdateResult

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.kafka_binding import to_record
from schakel.contracts.topics import REFERRAL_EVENTS
from schakel.platform.metrics import MONGO_COMMANDS

Document = dict[str, Any]
T = TypeVar("T")
OUTBOX = "outbox"
PROCESSED = "processed_events"


class MongoStore:
    """One service's database. No service ever opens another service's database."""

    def __init__(self, uri: str, database: str) -> None:
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            uri,
            tz_aware=True,
            serverSelectionTimeoutMS=5000,
            appname=database,
            event_listeners=[CommandCounter()],
        )
        self.db: AsyncDatabase[Document] = self.client[database]
        self.outbox_written = asyncio.Event()

    async def ping(self) -> None:
        await self.db.command("ping")

    async def ensure_platform_indexes(self, processed_retention: timedelta) -> None:
        """The outbox's order, and the expiry of processed-event markers (see deploy/README.md,
        Retention: a marker must outlive every copy of its event that can still arrive)."""
        await self.db[OUTBOX].create_index([("seq", ASCENDING)])
        await ensure_ttl_index(self.db[PROCESSED], "applied_at", processed_retention)

    async def close(self) -> None:
        await self.client.close()

    async def transaction(
        self, work: Callable[[Transaction], Awaitable[T]], *, within: float | None = None
    ) -> T:
        """Run ``work`` in a transaction, retried on transient errors; relay the outbox after.

        Retries go on for up to 120 s (pymongo's limit): right for a consumer, which may wait
        out an outage. A caller with someone waiting (an HTTP request) gives ``within`` seconds;
        past it the error is raised (``PyMongoError.timeout`` is true), to be answered with 503.
        """
        with pymongo.timeout(within) if within is not None else contextlib.nullcontext():
            async with self.client.start_session() as session:

                async def attempt(s: AsyncClientSession) -> T:
                    tx = Transaction(s, self.db)
                    result = await work(tx)
                    await tx.write_outbox()
                    return result

                result: T = await session.with_transaction(attempt)
        self.outbox_written.set()
        return result

    async def apply_once(
        self, event_id: str, work: Callable[[Transaction], Awaitable[None]]
    ) -> bool:
        """Apply an incoming event's effects unless this database already did (idempotency)."""

        async def once(tx: Transaction) -> bool:
            if await tx[PROCESSED].find_one({"_id": event_id}):
                return False
            await tx[PROCESSED].insert_one({"_id": event_id, "applied_at": datetime.now(UTC)})
            await work(tx)
            return True

        return await self.transaction(once)

    async def apply_batch(
        self,
        items: Sequence[tuple[str, Callable[[Transaction], Awaitable[None]]]],
        likely_ids: Collection[Any] = (),
    ) -> list[bool]:
        """Apply several incoming events in one transaction, in order, each unless this
        database already did; says which were new (``writebehind.apply_each_once``: markers
        and the handlers' reads and writes by ``_id`` go to MongoDB once per batch)."""
        # Imported here: the write-behind unit of work is built on this module's Transaction.
        from schakel.platform.writebehind import apply_each_once

        return await self.transaction(lambda tx: apply_each_once(tx, items, likely_ids))


class CommandCounter(monitoring.CommandListener):
    """Counts the round trips to MongoDB by command and collection (`/metrics`): the figure
    that says which handler or background task costs the database most."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        # getMore names its collection apart; a transaction's commit names none.
        target = event.command.get("collection", event.command.get(event.command_name))
        collection = target if isinstance(target, str) else ""
        MONGO_COMMANDS.labels(event.command_name, collection).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def ensure_ttl_index(
    collection: AsyncCollection[Document], field: str, expire_after: timedelta
) -> None:
    """MongoDB deletes a document of ``collection`` once its date ``field`` is older than
    ``expire_after`` (a TTL index; its monitor runs every 60 s). An index with another period
    is dropped and built again, so a new setting takes effect at the next start (``collMod``
    would keep the index, but a service's ``readWrite`` role may not run it)."""
    seconds = int(expire_after.total_seconds())
    name = f"{field}_1"
    existing = (await collection.index_information()).get(name)
    if existing is not None and existing.get("expireAfterSeconds") != seconds:
        with contextlib.suppress(OperationFailure):  # another instance dropped it first
            await collection.drop_index(name)
    await collection.create_index([(field, ASCENDING)], expireAfterSeconds=seconds, name=name)


class Transaction:
    """The unit of work a handler gets: collections bound to one transaction (``tx[name]``),
    and ``emit`` for the events it causes, written to the outbox when the work commits."""

    def __init__(self, session: AsyncClientSession, db: AsyncDatabase[Document]) -> None:
        self._session = session
        self._db = db
        self.emitted: list[EventEnvelope[Any]] = []
        self._topics: dict[str, str] = {}  # event id -> topic, for events not on REFERRAL_EVENTS

    @property
    def session(self) -> AsyncClientSession:
        return self._session

    @property
    def db(self) -> AsyncDatabase[Document]:
        return self._db

    def __getitem__(self, collection: str) -> TxCollection:
        return TxCollection(self._db[collection], self._session)

    def emit(self, event: EventEnvelope[Any], topic: str = REFERRAL_EVENTS) -> None:
        self.emitted.append(event)
        if topic != REFERRAL_EVENTS:
            self._topics[event.id] = topic

    async def write_outbox(self) -> None:
        if not self.emitted:
            return
        rows = [outbox_row(e, self._topics.get(e.id, REFERRAL_EVENTS)) for e in self.emitted]
        await self[OUTBOX].insert_many(rows)


Filter = Mapping[str, Any]


class TxCollection:
    """A collection whose every call runs in the unit of work's transaction, so adapters
    never hand a session around (and cannot forget it)."""

    def __init__(self, collection: AsyncCollection[Document], session: AsyncClientSession):
        self._collection = collection
        self._session = session

    @property
    def collection(self) -> AsyncCollection[Document]:
        return self._collection

    @property
    def session(self) -> AsyncClientSession:
        return self._session

    async def find_one(self, filter: Filter, **options: Any) -> Document | None:
        return await self._collection.find_one(filter, session=self._session, **options)

    def find(self, filter: Filter, **options: Any) -> AsyncCursor[Document]:
        return self._collection.find(filter, session=self._session, **options)

    async def count_documents(self, filter: Filter) -> int:
        return await self._collection.count_documents(filter, session=self._session)

    async def insert_one(self, document: Document) -> InsertOneResult:
        return await self._collection.insert_one(document, session=self._session)

    async def insert_many(self, documents: Sequence[Document]) -> InsertManyResult:
        return await self._collection.insert_many(documents, session=self._session)

    async def update_one(
        self, filter: Filter, update: Mapping[str, Any], *, upsert: bool = False
    ) -> UpdateResult:
        return await self._collection.update_one(
            filter, update, upsert=upsert, session=self._session
        )

    async def update_many(self, filter: Filter, update: Mapping[str, Any]) -> UpdateResult:
        return await self._collection.update_many(filter, update, session=self._session)

    async def replace_one(
        self, filter: Filter, document: Document, *, upsert: bool = False
    ) -> UpdateResult:
        return await self._collection.replace_one(
            filter, document, upsert=upsert, session=self._session
        )

    async def delete_one(self, filter: Filter) -> DeleteResult:
        return await self._collection.delete_one(filter, session=self._session)

    async def delete_many(self, filter: Filter) -> DeleteResult:
        return await self._collection.delete_many(filter, session=self._session)


def outbox_row(event: EventEnvelope[Any], topic: str = REFERRAL_EVENTS) -> Document:
    key, value, headers = to_record(event)
    return {
        "_id": event.id,
        # ObjectIds grow within a process and across restarts: the relay keeps this order.
        "seq": ObjectId(),
        "topic": topic,
        "key": key,
        "value": value,
        "headers": [[name, raw] for name, raw in headers],
        "event_type": event.type,
        "created_at": datetime.now(UTC),
    }
