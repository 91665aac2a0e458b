"""The outbox relay: publishes committed outbox rows to Kafka in order, then deletes them.

A crash between publishing and deleting publishes a row again on restart; consumers
deduplicate on the event id, so the effect is exactly once. The other order would lose an
event: a row deleted before the broker has it is gone when the publish fails.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from schakel.platform.logging import get_logger
from schakel.platform.metrics import OUTBOX_PENDING, OUTBOX_PUBLISHED
from schakel.platform.mongo import OUTBOX, Document, MongoStore

log = get_logger(__name__)
BATCH = 200


class OutboxRows(Protocol):
    """The committed outbox rows the relay reads and, once Kafka has them, removes."""

    async def oldest(self, limit: int) -> list[Document]:
        """Up to ``limit`` rows in the order they were written."""
        ...

    async def remove(self, ids: Sequence[Any]) -> None: ...

    async def count(self) -> int: ...


class MongoOutboxRows:
    def __init__(self, store: MongoStore) -> None:
        self._outbox = store.db[OUTBOX]

    async def oldest(self, limit: int) -> list[Document]:
        return await self._outbox.find().sort("seq", 1).limit(limit).to_list()

    async def remove(self, ids: Sequence[Any]) -> None:
        await self._outbox.delete_many({"_id": {"$in": list(ids)}})

    async def count(self) -> int:
        return await self._outbox.count_documents({})


class OutboxRelay:
    def __init__(
        self,
        store: MongoStore,
        producer: AIOKafkaProducer,
        poll_seconds: float = 0.5,
        rows: OutboxRows | None = None,
    ) -> None:
        self._store = store  # its outbox_written event wakes the relay up
        self._rows = rows or MongoOutboxRows(store)
        self._producer = producer
        self._poll = poll_seconds
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop after the current pass (rows left are relayed at the next start)."""
        self._stopping.set()
        self._store.outbox_written.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def pending(self) -> int:
        return await self._rows.count()

    async def _run(self) -> None:
        backoff = 0.2
        while not self._stopping.is_set():
            try:
                relayed = await self.relay_once()
                backoff = 0.2
            except (KafkaError, OSError) as exc:
                log.warning("outbox relay failed, retrying", error=str(exc), backoff=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            except Exception:
                log.exception("outbox relay pass failed")
                await asyncio.sleep(1.0)
                continue
            if relayed == 0:
                await self._wait_for_rows()

    async def _wait_for_rows(self) -> None:
        self._store.outbox_written.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._store.outbox_written.wait(), self._poll)

    async def relay_once(self) -> int:
        """Publish one batch in outbox order; returns how many rows were relayed. Rows are
        removed only once the broker has acknowledged every one of them."""
        rows = await self._rows.oldest(BATCH)
        OUTBOX_PENDING.set(len(rows))
        if not rows:
            return 0
        sent = [await self._send(row) for row in rows]
        await asyncio.gather(*sent)
        await self._rows.remove([r["_id"] for r in rows])
        OUTBOX_PUBLISHED.inc(len(rows))
        log.debug("outbox relayed", count=len(rows))
        return len(rows)

    async def _send(self, row: Document) -> asyncio.Future[object]:
        future: asyncio.Future[object] = await self._producer.send(
            row["topic"],
            value=bytes(row["value"]),
            key=bytes(row["key"]),
            headers=[(name, bytes(raw)) for name, raw in row["headers"]],
        )
        return future
