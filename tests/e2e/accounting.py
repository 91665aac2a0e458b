"""Books kept around a fault test, so that it cannot pass by luck or by looking away:

- totals before and after, each taken once the system has settled (every outbox empty, every
  consumer group's lag zero): referrals, received events, archive entries, dead letters;
- the referrals a test created are exactly the client's receipts, one per request, so a
  referral doubled after a lost reply shows up even though the client never saw its receipt;
- every event published meanwhile is archived, once;
- what the faults cost: redeliveries the processed-events markers absorbed, handler attempts
  that met an outage, relay passes that failed. A fault test asserts the count that shows its
  fault hit a crash window; one whose faults never did would fail.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import MongoClient

from schakel.contracts.receipts import receipt_hash
from schakel.contracts.topics import REFERRAL_EVENTS, consumer_group, dead_letter_topic
from schakel_dev.stack import Stack
from tests.e2e.conftest import eventually, topic_partitions

# Every service with a database (and so an outbox), and those that consume the referral topic.
SERVICES = ("intake", "triage", "matching", "followup", "feedback", "audit")
CONSUMERS = ("triage", "matching", "followup", "feedback", "audit")
SETTLE_SECONDS = 150.0
# Log events that show a fault hit a crash window (platform/consumer.py, platform/outbox.py,
# and aiokafka's producer retrying a send the broker did not acknowledge).
ABSORBED = ("event handled", "duplicate")
OUTAGE = "event handling hit an outage; will be redelivered"
RELAY_FAILED = ("outbox relay failed, retrying", "outbox relay pass failed")
PRODUCE_RETRIED = ("aiokafka.producer", "Got error produce response")


@dataclass(frozen=True)
class Totals:
    referrals: frozenset[str]  # intake's referral ids
    received: int  # archived received events (any version)
    archived: int  # archive entries
    dead_letters: int  # records on every consumer's dead-letter topic
    topic_ends: dict[int, int]  # end offset of each partition of the referral topic
    absorbed: int  # redeliveries the processed-events markers absorbed, every log
    outage_retries: int
    relay_failures: int
    produce_retries: int


@dataclass(frozen=True)
class Ledger:
    """What a fault test needs to count: the stack's servers, databases and logs."""

    bootstrap_servers: str
    mongodb_uri: str
    run_dir: Path

    @classmethod
    def of(cls, stack: Stack) -> Ledger:
        return cls(stack.kafka_bootstrap_servers, stack.mongodb_uri, stack.run_dir)

    def settled_totals(self) -> Totals:
        """The totals, once nothing is left to relay or to consume (and nothing was published
        while they were taken)."""

        def steady() -> Totals | None:
            if not self._settled():
                return None
            totals = self.totals()
            ends = asyncio.run(_end_offsets(self.bootstrap_servers, REFERRAL_EVENTS))
            return totals if ends == totals.topic_ends and self._settled() else None

        what = "every outbox empty and every consumer group's lag zero"
        return eventually(steady, within=SETTLE_SECONDS, what=what)

    def totals(self) -> Totals:
        mongo: MongoClient[dict[str, Any]] = MongoClient(self.mongodb_uri)
        try:
            referrals = mongo["schakel_intake"]["referrals"].distinct("_id")
            archive = mongo["schakel_audit"]["archive"]
            received = archive.count_documents({"type": {"$regex": r"\.referral\.received\."}})
            archived = archive.count_documents({})
        finally:
            mongo.close()
        logs = _log_counts(self.run_dir)
        return Totals(
            referrals=frozenset(referrals),
            received=received,
            archived=archived,
            dead_letters=sum(asyncio.run(self._dead_letters())),
            topic_ends=asyncio.run(_end_offsets(self.bootstrap_servers, REFERRAL_EVENTS)),
            absorbed=logs[ABSORBED],
            outage_retries=logs[OUTAGE],
            relay_failures=logs[RELAY_FAILED],
            produce_retries=logs[PRODUCE_RETRIED],
        )

    def _settled(self) -> bool:
        return not self._outboxes() and not asyncio.run(self._lag())

    def _outboxes(self) -> dict[str, int]:
        mongo: MongoClient[dict[str, Any]] = MongoClient(self.mongodb_uri)
        try:
            counts = {s: mongo[f"schakel_{s}"]["outbox"].count_documents({}) for s in SERVICES}
        finally:
            mongo.close()
        return {service: n for service, n in counts.items() if n}

    async def _lag(self) -> dict[str, int]:
        ends = await _end_offsets(self.bootstrap_servers, REFERRAL_EVENTS)
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        await admin.start()
        try:
            lag: dict[str, int] = {}
            for service in CONSUMERS:
                committed = await admin.list_consumer_group_offsets(consumer_group(service))
                done = {
                    tp.partition: meta.offset
                    for tp, meta in committed.items()
                    if tp.topic == REFERRAL_EVENTS
                }
                behind = sum(end - max(done.get(p, 0), 0) for p, end in ends.items())
                if behind:
                    lag[service] = behind
            return lag
        finally:
            await admin.close()

    async def _dead_letters(self) -> list[int]:
        return [
            sum((await _end_offsets(self.bootstrap_servers, dead_letter_topic(s))).values())
            for s in CONSUMERS
        ]

    def published_between(self, before: Totals, after: Totals) -> list[str]:
        """The ids of every record written to the referral topic between the two totals."""
        starts, ends = before.topic_ends, after.topic_ends
        return asyncio.run(_ids_between(self.bootstrap_servers, starts, ends))

    def archived_ids(self, ids: Iterable[str]) -> list[str]:
        mongo: MongoClient[dict[str, Any]] = MongoClient(self.mongodb_uri)
        try:
            archive = mongo["schakel_audit"]["archive"]
            return [d["_id"] for d in archive.find({"_id": {"$in": sorted(set(ids))}}, {"_id": 1})]
        finally:
            mongo.close()

    def receipt_hashes(self, referral_ids: Iterable[str]) -> list[str]:
        mongo: MongoClient[dict[str, Any]] = MongoClient(self.mongodb_uri)
        try:
            found = mongo["schakel_intake"]["referrals"].find(
                {"_id": {"$in": sorted(referral_ids)}}, {"receipt_hash": 1}
            )
            return [d["receipt_hash"] for d in found]
        finally:
            mongo.close()


def assert_books_balance(
    ledger: Ledger, before: Totals, after: Totals, receipts: list[str]
) -> None:
    """Exactly the client's signals became referrals, and every event since is archived once."""
    new = after.referrals - before.referrals
    assert before.referrals <= after.referrals, "referrals disappeared"
    assert len(new) == len(receipts), (
        f"{len(receipts)} signals were accepted, {len(new)} referrals were created"
    )
    assert len(set(receipts)) == len(receipts), "two requests got the same receipt"
    assert sorted(ledger.receipt_hashes(new)) == sorted(receipt_hash(r) for r in receipts)
    assert after.received - before.received == len(receipts)
    published = set(ledger.published_between(before, after))
    assert set(ledger.archived_ids(published)) == published, "an event was not archived"
    assert after.archived - before.archived == len(published), (
        f"{len(published)} events published, {after.archived - before.archived} archived"
    )
    assert after.dead_letters == before.dead_letters, "records were dead-lettered"


def faults(before: Totals, after: Totals) -> dict[str, int]:
    """What the faults of a test cost, from the services' logs."""
    return {
        "redeliveries absorbed by the markers": after.absorbed - before.absorbed,
        "handler attempts that met an outage": after.outage_retries - before.outage_retries,
        "relay passes that failed": after.relay_failures - before.relay_failures,
        "sends the producer retried": after.produce_retries - before.produce_retries,
    }


def _log_counts(run_dir: Path) -> Counter[object]:
    counts: Counter[object] = Counter()
    for path in run_dir.glob("*.log"):
        for raw in path.read_text(errors="replace").splitlines():
            if not raw.startswith("{"):
                continue
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            event, logger = str(line.get("event")), str(line.get("logger", ""))
            if event == ABSORBED[0] and line.get("outcome") == ABSORBED[1]:
                counts[ABSORBED] += 1
            elif event == OUTAGE:
                counts[OUTAGE] += 1
            elif event in RELAY_FAILED:
                counts[RELAY_FAILED] += 1
            elif logger.startswith(PRODUCE_RETRIED[0]) and event.startswith(PRODUCE_RETRIED[1]):
                counts[PRODUCE_RETRIED] += 1
    return counts


async def _end_offsets(bootstrap_servers: str, topic: str) -> dict[int, int]:
    """Each partition's end offset; none for a topic that does not exist (yet)."""
    partitions = await topic_partitions(bootstrap_servers, topic)
    if not partitions:
        return {}
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return {tp.partition: offset for tp, offset in ends.items()}


async def _ids_between(
    bootstrap_servers: str, starts: dict[int, int], ends: dict[int, int]
) -> list[str]:
    partitions = [TopicPartition(REFERRAL_EVENTS, p) for p in ends]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        for tp in partitions:
            consumer.seek(tp, starts.get(tp.partition, 0))
        ids: list[str] = []
        left = {tp for tp in partitions if await consumer.position(tp) < ends[tp.partition]}
        for _ in range(240):  # at most a minute of quarter-second polls
            if not left:
                return ids
            batch = await consumer.getmany(*left, timeout_ms=250)
            for tp, records in batch.items():
                ids += [
                    raw.decode()
                    for r in records
                    if r.offset < ends[tp.partition]
                    and (raw := dict(r.headers).get("ce_id")) is not None
                ]
            left = {tp for tp in left if await consumer.position(tp) < ends[tp.partition]}
        raise AssertionError(f"{REFERRAL_EVENTS} not read up to {ends} within a minute")
    finally:
        await consumer.stop()
