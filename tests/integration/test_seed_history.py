"""The seeding tool against a real broker and a real MongoDB-protocol server: the archive it
writes is one the audit's own verify finds intact, a chain per partition with its head and a
head record across them, as a live audit leaves it; the topic holds every record."""

from __future__ import annotations

import io
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from schakel.audit.adapters import MongoArchive
from schakel.audit.handlers import verify_archive
from schakel.platform.mongo import MongoStore
from schakel_dev.seed_history import PARTITIONS, seed

pytestmark = pytest.mark.integration
EVENTS = 600


async def test_a_seeded_archive_verifies_as_a_live_one(
    kafka_bootstrap_servers: str, mongodb_uri: str
) -> None:
    name = uuid.uuid4().hex[:10]
    topic, database = f"test.seed.{name}", f"seed_{name}"
    out = io.StringIO()
    seeded = await seed(
        EVENTS, kafka_bootstrap_servers, mongodb_uri, database, topic=topic, out=out
    )
    assert seeded.events == EVENTS and f"seed: {EVENTS}/{EVENTS} events" in out.getvalue()
    store = MongoStore(mongodb_uri, database)
    try:
        check = await verify_archive(MongoArchive(store))
    finally:
        await store.close()
    assert check.report.intact, check.report
    assert check.archived == EVENTS
    assert len(check.chains) == PARTITIONS and check.roots.checked == 1
    assert sum(chain.last_seq for chain in check.chains) == EVENTS
    assert await _records(kafka_bootstrap_servers, topic) == EVENTS


async def _records(bootstrap_servers: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in range(PARTITIONS)])
        return sum(ends.values())
    finally:
        await consumer.stop()
