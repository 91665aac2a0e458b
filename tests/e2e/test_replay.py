"""Replay (issue 14): `make run`'s demo history, made by every service as its own process on
the real Kafka and MongoDB-protocol servers, rebuilt from the audit archive into fresh
databases by the services' own handlers, equals the live read models; a live read model
changed by hand is reported exactly."""

from __future__ import annotations

import asyncio
import io
import re
import time
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from schakel.audit import rebuild
from schakel.contracts.topics import HELPER_EVENTS, REFERRAL_EVENTS, consumer_group
from schakel_dev import demo
from schakel_dev.stack import Stack

pytestmark = pytest.mark.e2e
CONSUMERS = ("triage", "matching", "followup", "feedback", "audit")


# Who reads each topic the demo writes: the audit also archives the helper registries' events.
READERS = {REFERRAL_EVENTS: CONSUMERS, HELPER_EVENTS: ("audit",)}


async def _lag(bootstrap: str) -> tuple[int, int]:
    """Records of the referral and helper topics, and how many of them some consumer group
    that reads them has not committed yet."""
    consumer = AIOKafkaConsumer(*READERS, bootstrap_servers=bootstrap)
    await consumer.start()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        records = behind = 0
        for topic, readers in READERS.items():
            partitions = consumer.partitions_for_topic(topic) or set()
            ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
            records += sum(ends.values())
            for service in readers:
                committed = await admin.list_consumer_group_offsets(consumer_group(service))
                for tp, end in ends.items():
                    meta = committed.get(tp)
                    behind += end - (meta.offset if meta is not None and meta.offset > 0 else 0)
        return records, behind
    finally:
        await admin.close()
        await consumer.stop()


def settle(bootstrap: str, within: float = 90) -> int:
    """Wait until every consumer has committed every record and nothing new was written for
    a while (events caused by events are relayed meanwhile); the number of records."""
    deadline = time.monotonic() + within
    last = (-1, -1)
    while time.monotonic() < deadline:
        now = asyncio.run(_lag(bootstrap))
        if now[1] == 0 and now == last:
            return now[0]
        last = now
        time.sleep(1.5)
    raise AssertionError(f"the consumers did not catch up within {within} s: {last}")


@pytest.fixture(scope="module")
def demo_history(stack: Stack) -> int:
    """The demo's history on top of whatever earlier tests left; the archive's length once
    every consumer caught up (the topic may hold more: relays' copies after a crash, which
    the archive keeps once)."""
    assert demo.main(["--gateway", stack["gateway"].url]) == 0
    settle(stack.kafka_bootstrap_servers)
    return asyncio.run(_archived(stack.mongodb_uri))


async def _last_entry(uri: str) -> str:
    """The archive's last entry in its order (when archived, chain, seq), as replay names it."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
    try:
        order = [("archived_at", -1), ("chain", -1), ("seq", -1)]
        last = await client["schakel_audit"]["archive"].find_one({}, sort=order)
        assert last is not None
        return f"{last['chain']}#{last['seq']}"
    finally:
        await client.close()


async def _archived(uri: str) -> int:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
    try:
        return await client["schakel_audit"]["archive"].count_documents({})
    finally:
        await client.close()


@pytest.fixture(scope="module")
def prefix(stack: Stack) -> Iterator[str]:
    name = f"schakel_replay_{uuid.uuid4().hex[:6]}_"
    yield name
    asyncio.run(_drop(stack.mongodb_uri, name))


async def _drop(uri: str, prefix: str) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
    try:
        for name in await client.list_database_names():
            if name.startswith(prefix):
                await client.drop_database(name)
    finally:
        await client.close()


def replay(stack: Stack, prefix: str, **options: object) -> tuple[int, str]:
    out = io.StringIO()
    config = rebuild.Options(
        mongodb_uri=stack.mongodb_uri, archive_database="schakel_audit", prefix=prefix
    )
    code = asyncio.run(rebuild.run(rebuild.Options(**{**vars(config), **options}), out))
    return code, out.getvalue()


# In a whole run this replays every e2e test's history before it too (a few thousand events).
@pytest.mark.timeout(1200)
def test_replay_of_the_demo_history_equals_every_live_read_model(
    stack: Stack, demo_history: int, prefix: str
) -> None:
    code, report = replay(stack, prefix, restart=True)
    print(report)  # the figures (events/s) in the test report, with -rA

    assert f"replay: {demo_history} events" in report, report
    for service in CONSUMERS:
        assert re.search(rf"^compare: {service} \(.+\): 0 differences$", report, re.M), report
    assert "DIFF" not in report, report
    assert " 0 failed" in report and code == 0, report


def test_a_changed_live_read_model_is_reported_by_referral_and_field(
    stack: Stack, demo_history: int, prefix: str
) -> None:
    referral = asyncio.run(_change_a_status(stack.mongodb_uri, "heard back"))
    try:
        code, report = replay(stack, prefix)  # resumes: only the comparison has work
    finally:
        asyncio.run(_change_a_status(stack.mongodb_uri, None, referral))

    # Resumed after the first test's checkpoint, the archive's last entry: nothing applied again.
    last = asyncio.run(_last_entry(stack.mongodb_uri))
    assert f"replay: resuming after {last}" in report, report
    assert f"replay: 0 events (nothing after {last})" in report, report
    diffs = [line for line in report.splitlines() if line.startswith("DIFF")]
    assert diffs == [
        f"DIFF feedback.referrals referral={referral[0]} key={referral[0]} field=signaler_status "
        f'live="heard back" replayed="{referral[1]}"'
    ], report
    assert "feedback (referrals, receipts): 1 differences" in report and code == 1


async def _change_a_status(
    uri: str, stage: str | None, restore: tuple[str, str] | None = None
) -> tuple[str, str]:
    """Set one referral's ``signaler_status`` in feedback's live read model (or put it back)."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
    try:
        referrals = client["schakel_feedback"]["referrals"]
        if restore is not None:
            put_back = {"$set": {"signaler_status": restore[1]}}
            await referrals.update_one({"_id": restore[0]}, put_back)
            return restore
        doc = await referrals.find_one({}, sort=[("_id", 1)])
        assert doc is not None
        await referrals.update_one({"_id": doc["_id"]}, {"$set": {"signaler_status": stage}})
        return str(doc["_id"]), str(doc["signaler_status"])
    finally:
        await client.close()
