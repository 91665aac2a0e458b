"""MongoDB wiring and the unit of work: a state change, the marker that an incoming event was
applied, and the outgoing events (outbox rows) commit in one multi-document transaction."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pymongo
from bson import ObjectId
from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.kafka_binding import to_record
from schakel.contracts.topics import REFERRAL_EVENTS

Document = dict[str, Any]
T = TypeVar("T")
OUTBOX = "outbox"
PROCESSED = "processed_events"


class MongoStore:
    """One service's database. No service ever opens another service's database."""

    def __init__(self, uri: str, database: str) -> None:
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            uri, tz_aware=True, serverSelectionTimeoutMS=5000, appname=database
        )
        self.db: AsyncDatabase[Document] = self.client[database]
        self.outbox_written = asyncio.Event()

    async def ping(self) -> None:
        await self.db.command("ping")

    async def ensure_platform_indexes(self) -> None:
        await self.db[OUTBOX].create_index([("seq", ASCENDING)])

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
            if await tx.db[PROCESSED].find_one({"_id": event_id}, session=tx.session):
                return False
            await tx.db[PROCESSED].insert_one(
                {"_id": event_id, "applied_at": datetime.now(UTC)}, session=tx.session
            )
            await work(tx)
            return True

        return await self.transaction(once)


class Transaction:
    """What a handler gets: the session to write with, and ``emit`` for the events it causes."""

    def __init__(self, session: AsyncClientSession, db: AsyncDatabase[Document]) -> None:
        self.session = session
        self.db = db
        self.emitted: list[EventEnvelope[Any]] = []

    def emit(self, event: EventEnvelope[Any]) -> None:
        self.emitted.append(event)

    async def write_outbox(self) -> None:
        if not self.emitted:
            return
        await self.db[OUTBOX].insert_many(
            [outbox_row(e) for e in self.emitted], session=self.session
        )


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
