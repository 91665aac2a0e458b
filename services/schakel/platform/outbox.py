"""The outbox relay: publishes committed outbox rows to Kafka in order, then deletes them.

A crash between publishing and deleting publishes a row again on restart; consumers
deduplicate on the event id, so the effect is exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from schakel.platform.logging import get_logger
from schakel.platform.metrics import OUTBOX_PENDING, OUTBOX_PUBLISHED
from schakel.platform.mongo import OUTBOX, Document, MongoStore

log = get_logger(__name__)
BATCH = 200


class OutboxRelay:
    def __init__(
        self, store: MongoStore, producer: AIOKafkaProducer, poll_seconds: float = 0.5
    ) -> None:
        self._store = store
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
        return await self._store.db[OUTBOX].count_documents({})

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
        """Publish one batch in outbox order; returns how many rows were relayed."""
        rows: list[Document] = (
            await self._store.db[OUTBOX].find().sort("seq", 1).limit(BATCH).to_list()
        )
        OUTBOX_PENDING.set(len(rows))
        if not rows:
            return 0
        sent = [await self._send(row) for row in rows]
        await asyncio.gather(*sent)
        await self._store.db[OUTBOX].delete_many({"_id": {"$in": [r["_id"] for r in rows]}})
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
