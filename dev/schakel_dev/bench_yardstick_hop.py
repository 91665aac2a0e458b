"""One hop of the infrastructure yardstick (`schakel_dev.bench_yardstick`), run as
`python -m schakel_dev.bench_yardstick_hop ...`: aiokafka and pymongo only, in the shape of
a schakel consumer (`schakel.platform.consumer`, `MongoStore.apply_batch`) and its outbox
relay (`schakel.platform.outbox`), without their code.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from bson import ObjectId
from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from schakel_dev.bench_kafka import batching_producer

PARTITIONS = 6  # as schakel's topics
BATCH = 100  # records per poll and transaction, as schakel's consumers (BATCH_RECORDS)
RELAY_BATCH = 200  # outbox rows per relay pass, as schakel's relay
RELAY_POLL = 0.5  # seconds, the relay's fallback when no commit wakes it

Document = dict[str, Any]


async def run_hop(args: argparse.Namespace) -> None:
    client: AsyncMongoClient[Document] = AsyncMongoClient(args.mongodb_uri)
    db = client[f"yardstick_hop{args.hop}"]
    await db["outbox"].create_index([("seq", ASCENDING)])
    consumer = AIOKafkaConsumer(
        bootstrap_servers=args.bootstrap_servers,
        group_id=f"yardstick-{args.run}-hop{args.hop}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=BATCH,
    )
    producer = batching_producer(args.bootstrap_servers)
    await consumer.start()
    await producer.start()
    consumer.assign([TopicPartition(args.topic_in, p) for p in range(PARTITIONS)])
    await _find_coordinator(consumer, TopicPartition(args.topic_in, 0))
    written = asyncio.Event()
    relay = asyncio.create_task(_relay(db, producer, written))
    print("ready", flush=True)  # in the log
    Path(args.ready).touch()  # noqa: ASYNC240 (once, before any work)
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=BATCH)
            records = [r for part in batches.values() for r in part]
            if not records:
                continue
            async with client.start_session() as session:
                await session.with_transaction(
                    functools.partial(
                        _apply, db, records=records, topic_out=args.topic_out, hop=args.hop
                    )
                )
            written.set()
            await consumer.commit({tp: part[-1].offset + 1 for tp, part in batches.items()})
    finally:
        relay.cancel()
        await consumer.stop()
        await producer.stop()


async def _find_coordinator(consumer: AIOKafkaConsumer, partition: TopicPartition) -> None:
    """Ready only once offsets can be committed: on a fresh broker the group coordinator
    (the offsets topic) takes a while, which is start-up, not the yardstick's throughput."""
    while True:
        try:
            await consumer.committed(partition)
            return
        except KafkaError:
            await asyncio.sleep(0.2)


async def _apply(
    db: AsyncDatabase[Document],
    session: AsyncClientSession,
    *,
    records: Sequence[Any],
    topic_out: str,
    hop: int,
) -> None:
    """Markers, state and outbox of a batch, as `MongoStore.apply_batch` writes them."""
    ids = [_event_id(r) for r in records]
    done = {
        m["_id"]
        async for m in db["processed_events"].find(
            {"_id": {"$in": ids}}, projection={"_id": 1}, session=session
        )
    }
    now, markers, rows = datetime.now(UTC), [], []
    for record, event_id in zip(records, ids, strict=True):
        if event_id in done:
            continue
        done.add(event_id)
        markers.append({"_id": event_id, "applied_at": now})
        await db["state"].update_one(
            {"_id": record.key},
            {"$inc": {"events": 1}, "$set": {"last_event": event_id, "at": now}},
            upsert=True,
            session=session,
        )
        rows.append(_outbox_row(record, f"{event_id}>{hop}", topic_out, now))
    if rows:
        await db["outbox"].insert_many(rows, session=session)
    if markers:
        await db["processed_events"].insert_many(markers, session=session)


def _event_id(record: Any) -> str:
    return str(dict(record.headers)["id"].decode())


def _outbox_row(record: Any, event_id: str, topic_out: str, now: datetime) -> Document:
    return {
        "_id": event_id,
        "seq": ObjectId(),
        "topic": topic_out,
        "key": record.key,
        "value": record.value,
        "headers": [["id", event_id.encode()]],
        "created_at": now,
    }


async def _relay(db: AsyncDatabase[Document], producer: Any, written: asyncio.Event) -> None:
    """schakel's `OutboxRelay.relay_once` in a loop: oldest rows first, delete once acked."""
    outbox = db["outbox"]
    while True:
        rows = await outbox.find().sort("seq", 1).limit(RELAY_BATCH).to_list()
        if not rows:
            written.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(written.wait(), RELAY_POLL)
            continue
        sent = [
            await producer.send(
                row["topic"],
                value=bytes(row["value"]),
                key=bytes(row["key"]),
                headers=[(name, bytes(raw)) for name, raw in row["headers"]],
            )
            for row in rows
        ]
        await asyncio.gather(*sent)
        await outbox.delete_many({"_id": {"$in": [row["_id"] for row in rows]}})


def _parse_hop_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m schakel_dev.bench_yardstick_hop")
    parser.add_argument("--hop", type=int, required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--mongodb-uri", required=True)
    parser.add_argument("--topic-in", required=True)
    parser.add_argument("--topic-out", required=True)
    parser.add_argument("--ready", required=True, help="file created once the hop consumes")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(run_hop(_parse_hop_args(None)))
