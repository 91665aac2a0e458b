"""Committing consumer offsets in batches, and only for records whose handling finished.

Committing after every record costs a broker round trip each time (measured: ~8 ms on Kafka
4.1, most of a service's time when it skips records of other types). Committing later never
loses a record: after a crash the uncommitted tail is delivered again and the processed-events
marker absorbs it. So offsets are committed explicitly (never "whatever was fetched") after
``every`` records or ``interval`` seconds, when the consumer is idle, and at shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from schakel.platform.logging import get_logger

log = get_logger(__name__)


class OffsetCommitter:
    def __init__(self, every: int = 100, interval: float = 0.5) -> None:
        self._every = every
        self._interval = interval
        self._consumer: AIOKafkaConsumer | None = None
        self._pending: dict[TopicPartition, int] = {}
        self._count = 0
        self._last = time.monotonic()
        self._lock = asyncio.Lock()
        self._idle_task: asyncio.Task[None] | None = None

    def handled(self, consumer: AIOKafkaConsumer, record: Any) -> None:
        """``record`` is done with: the next record of its partition is where to resume."""
        self._consumer = consumer
        self._pending[TopicPartition(record.topic, record.partition)] = record.offset + 1
        self._count += 1

    async def maybe_commit(self) -> None:
        if self._count >= self._every or time.monotonic() - self._last >= self._interval:
            await self.commit()

    async def commit(self) -> None:
        async with self._lock:
            consumer, pending = self._consumer, self._pending
            self._pending, self._count, self._last = {}, 0, time.monotonic()
            if consumer is None or not pending:
                return
            # After a rebalance a partition may belong to another instance: its new owner
            # resumes from the last commit and the marker absorbs what is delivered twice.
            owned = {tp: offset for tp, offset in pending.items() if tp in consumer.assignment()}
            if not owned:
                return
            try:
                await consumer.commit(owned)
            except KafkaError as exc:
                log.warning("offset commit failed; records will be delivered again", error=str(exc))

    def start_idle_flush(self) -> None:
        self._idle_task = asyncio.create_task(self._flush_when_idle(), name="offset-flush")

    async def _flush_when_idle(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.commit()

    async def close(self) -> None:
        if self._idle_task is not None:
            self._idle_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._idle_task
        await self.commit()
