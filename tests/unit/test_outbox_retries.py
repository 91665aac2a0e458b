"""The running outbox relay through failures, without a broker: while Kafka or the network
fails it retries with a pause that doubles up to 5 s and starts small again once a pass
succeeds; any other failure is logged with its traceback and retried after a second; with
nothing to relay it waits until a transaction writes the outbox (or the poll interval ends)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError
from structlog.testing import capture_logs

from schakel.platform.mongo import Document, MongoStore
from schakel.platform.outbox import OutboxRelay
from tests.support import eventually


class FailingRows:
    """An outbox whose reads fail as listed (None: empty), then stay empty."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.reads = 0

    async def oldest(self, limit: int) -> list[Document]:
        self.reads += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return []

    async def remove(self, ids: Sequence[Any]) -> None:
        raise AssertionError("nothing to remove")

    async def count(self) -> int:
        return 0


@pytest.fixture
async def store() -> AsyncIterator[MongoStore]:
    unused = MongoStore("mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=10", "unused")
    yield unused
    await unused.close()


async def run_until_read(relay: OutboxRelay, rows: FailingRows, reads: int) -> None:
    async def done() -> bool:
        return rows.reads >= reads

    relay.start()
    try:
        await eventually(done, within=5, interval=0)
    finally:
        await asyncio.wait_for(relay.stop(), 5)


async def test_kafka_failures_are_retried_with_a_doubling_pause_up_to_five_seconds(
    store: MongoStore, pauses: list[float]
) -> None:
    gone = KafkaConnectionError("broker gone")
    rows = FailingRows(*[gone] * 7, OSError("network down"), None, gone)
    relay = OutboxRelay(store, None, poll_seconds=0.001, rows=rows)
    with capture_logs() as logs:
        await run_until_read(relay, rows, 11)
    assert pauses[:9] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0, 0.2]
    warnings = [(e["event"], e["backoff"], e["log_level"]) for e in logs]
    assert warnings[:2] == [
        ("outbox relay failed, retrying", 0.2, "warning"),
        ("outbox relay failed, retrying", 0.4, "warning"),
    ]
    assert {e["error"] for e in logs} == {"KafkaConnectionError: broker gone", "network down"}


async def test_any_other_failure_is_logged_with_its_traceback_and_retried_after_a_second(
    store: MongoStore, pauses: list[float]
) -> None:
    rows = FailingRows(ValueError("a bug"), KafkaConnectionError("x"), KafkaConnectionError("y"))
    relay = OutboxRelay(store, None, poll_seconds=3600, rows=rows)
    with capture_logs() as logs:
        await run_until_read(relay, rows, 4)
    assert pauses[:3] == [1.0, 0.2, 0.4]  # the bug did not touch the Kafka back-off
    [failed] = [e for e in logs if e["event"] == "outbox relay pass failed"]
    assert failed["log_level"] == "error" and failed["exc_info"] is True


async def test_with_nothing_to_relay_it_waits_for_the_next_outbox_write(store: MongoStore) -> None:
    rows = FailingRows()
    relay = OutboxRelay(store, None, poll_seconds=3600, rows=rows)
    relay.start()
    try:

        async def read(times: int) -> bool:
            return rows.reads >= times

        await eventually(lambda: read(1), within=5, interval=0)
        await asyncio.sleep(0.05)
        assert rows.reads == 1  # waiting, not polling every moment
        store.outbox_written.set()  # a transaction committed outbox rows
        await eventually(lambda: read(2), within=5, interval=0)
    finally:
        await asyncio.wait_for(relay.stop(), 5)
    assert await relay.pending() == 0


async def test_without_a_write_it_looks_again_after_the_poll_interval(store: MongoStore) -> None:
    rows = FailingRows()
    relay = OutboxRelay(store, None, poll_seconds=0.01, rows=rows)
    await run_until_read(relay, rows, 3)
