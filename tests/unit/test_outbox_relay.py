"""The outbox relay's order of work, without a broker: every row of a batch is acknowledged by
Kafka before any row is removed, so a failed publish leaves the rows to be relayed again.
(The crash window itself, on the real servers: tests/integration/test_outbox_crash_window.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError

from schakel.platform.mongo import Document, MongoStore
from schakel.platform.outbox import BATCH, OutboxRelay
from tests.support import eventually


class MemoryRows:
    """The relay's outbox port in memory, logging what was asked of it."""

    def __init__(self, count: int) -> None:
        self.rows: list[Document] = [
            {
                "_id": f"e-{n}",
                "seq": n,
                "topic": "schakel.referral-events",
                "key": f"ref-{n % 3}".encode(),
                "value": f'{{"n": {n}}}'.encode(),
                "headers": [["ce_id", f"e-{n}".encode()]],
            }
            for n in range(count)
        ]
        self.log: list[str] = []

    async def oldest(self, limit: int) -> list[Document]:
        return sorted(self.rows, key=lambda r: r["seq"])[:limit]

    async def remove(self, ids: Sequence[Any]) -> None:
        self.log.append(f"remove {len(ids)}")
        self.rows = [r for r in self.rows if r["_id"] not in ids]

    async def count(self) -> int:
        return len(self.rows)


class Broker:
    """A producer whose acknowledgements the test hands out (or refuses)."""

    def __init__(self, rows: MemoryRows, refuse: Exception | None = None) -> None:
        self.rows = rows
        self.refuse = refuse
        self.sent: list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]] = []
        self.acks: list[asyncio.Future[object]] = []

    async def send(
        self, topic: str, *, value: bytes, key: bytes, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[object]:
        self.rows.log.append(f"send {key.decode()}")
        self.sent.append((topic, key, value, headers))
        ack: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self.acks.append(ack)
        return ack

    def acknowledge(self) -> None:
        for ack in self.acks:
            if not ack.done():
                if self.refuse is not None:
                    ack.set_exception(self.refuse)
                else:
                    ack.set_result(None)


@pytest.fixture
async def store() -> AsyncIterator[MongoStore]:
    """Only for its wake-up event: the rows live in MemoryRows; nothing connects."""
    unused = MongoStore("mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=10", "unused")
    yield unused
    await unused.close()


async def sent(broker: Broker, rows: int) -> None:
    async def enough() -> bool:
        return len(broker.sent) >= rows

    await eventually(enough, within=5, interval=0.001)


async def relay_until_sent(relay: OutboxRelay, broker: Broker, rows: int) -> asyncio.Task[int]:
    task = asyncio.create_task(relay.relay_once())
    await sent(broker, rows)
    return task


async def test_rows_are_removed_only_after_kafka_acknowledged_every_one(
    store: MongoStore,
) -> None:
    rows = MemoryRows(5)
    broker = Broker(rows)
    relay = OutboxRelay(store, broker, rows=rows)
    task = await relay_until_sent(relay, broker, 5)
    for _ in range(10):
        await asyncio.sleep(0)
    assert await relay.pending() == 5  # sent, not yet acknowledged: nothing removed
    broker.acknowledge()
    assert await task == 5
    assert await relay.pending() == 0
    assert rows.log == [*(f"send ref-{n % 3}" for n in range(5)), "remove 5"]
    assert broker.sent[0] == (
        "schakel.referral-events",
        b"ref-0",
        b'{"n": 0}',
        [("ce_id", b"e-0")],
    )


async def test_a_publish_kafka_refuses_leaves_every_row_for_the_next_pass(
    store: MongoStore,
) -> None:
    """The reverse order (remove, then publish) would lose these events: refused here."""
    rows = MemoryRows(3)
    broker = Broker(rows, refuse=KafkaConnectionError("broker gone"))
    relay = OutboxRelay(store, broker, rows=rows)
    task = await relay_until_sent(relay, broker, 3)
    broker.acknowledge()
    with pytest.raises(KafkaConnectionError):
        await task
    assert await relay.pending() == 3
    assert not any(line.startswith("remove") for line in rows.log)
    broker.refuse = None
    again = await relay_until_sent(relay, broker, 6)
    broker.acknowledge()
    assert await again == 3  # the same rows, relayed again
    assert [key for _, key, _, _ in broker.sent] == [b"ref-0", b"ref-1", b"ref-2"] * 2


async def test_rows_go_in_the_order_they_were_written_a_batch_at_a_time(
    store: MongoStore,
) -> None:
    rows = MemoryRows(BATCH + 1)
    rows.rows.reverse()  # stored in any order: the sequence decides
    broker = Broker(rows)
    relay = OutboxRelay(store, broker, rows=rows)
    first = await relay_until_sent(relay, broker, BATCH)
    broker.acknowledge()
    assert await first == BATCH
    second = await relay_until_sent(relay, broker, BATCH + 1)
    broker.acknowledge()
    assert await second == 1
    assert await relay.relay_once() == 0
    assert [h[0][1] for _, _, _, h in broker.sent] == [f"e-{n}".encode() for n in range(BATCH + 1)]


async def test_the_running_relay_retries_after_a_refused_publish_and_stops_when_asked(
    store: MongoStore,
) -> None:
    rows = MemoryRows(2)
    broker = Broker(rows, refuse=KafkaConnectionError("broker gone"))
    relay = OutboxRelay(store, broker, poll_seconds=0.01, rows=rows)
    relay.start()
    try:
        await sent(broker, 2)
        broker.acknowledge()  # refused: the relay backs off and tries the same rows again
        broker.refuse = None
        await sent(broker, 4)
        broker.acknowledge()

        async def relayed() -> bool:
            return not rows.rows

        await eventually(relayed, within=5, interval=0.001)
    finally:
        await asyncio.wait_for(relay.stop(), 5)
    assert [key for _, key, _, _ in broker.sent] == [b"ref-0", b"ref-1"] * 2
    assert rows.log[-1] == "remove 2"
