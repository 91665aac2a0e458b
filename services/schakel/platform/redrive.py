"""Redrive: after a fix, put a service's dead letters back on the topic they came from.

    python -m schakel.platform.redrive <service> [--dry-run]

Reads ``schakel.dlq.<service>`` from its start to its current end and republishes, once per
event id, every dead letter that carries a schakel CloudEvents envelope and that the service has
not applied since (its ``processed_events``). The record goes back as it was written (key,
value, headers) plus a ``redriven-from`` header. Every consumer sees it again; those that
applied it already skip it by its event id, so a redrive never doubles an effect and running it
twice is harmless. Records without an envelope (garbage) are listed and left where they are:
sent back, they would only return to every dead-letter topic.

The dead-letter topic itself is never changed: it stays the record of what failed and why.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from schakel.contracts.envelope import UnreadableEvent
from schakel.contracts.kafka_binding import read_raw
from schakel.contracts.topics import dead_letter_topic
from schakel.platform.deadletter import ERROR, HEADER_PREFIX, ORIGIN_TOPIC, REASON
from schakel.platform.kafka import client_options, idempotent_producer
from schakel.platform.mongo import PROCESSED, MongoStore
from schakel.platform.settings import ServiceSettings

Headers = tuple[tuple[str, bytes], ...]
Verdict = Literal["republish", "already-applied", "repeat", "unreadable"]
REDRIVEN_FROM = "redriven-from"
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class DeadLetter:
    """One record of a dead-letter topic: the original record, and why it was set aside."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Headers  # as the producer wrote them: the dlq-* headers taken off
    reason: str
    error: str
    origin_topic: str
    event_id: str | None  # None: no schakel CloudEvents envelope

    @property
    def position(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"


def dead_letter_of(record: Any) -> DeadLetter:
    """An aiokafka ConsumerRecord of a dead-letter topic."""
    raw: Headers = tuple((k, bytes(v or b"")) for k, v in record.headers or ())
    dlq = {k: v.decode("utf-8", "replace") for k, v in raw if k.startswith(HEADER_PREFIX)}
    original = tuple((k, v) for k, v in raw if not k.startswith(HEADER_PREFIX))
    value = bytes(record.value or b"")
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=value,
        headers=original,
        reason=dlq.get(REASON, "(none)"),
        error=dlq.get(ERROR, ""),
        origin_topic=dlq.get(ORIGIN_TOPIC, ""),
        event_id=_event_id(original, value),
    )


def _event_id(headers: Headers, value: bytes) -> str | None:
    """The event id when the record is a schakel event of some version, else None."""
    try:
        return read_raw(headers, value).id
    except UnreadableEvent:
        return None


@dataclass(frozen=True)
class Decision:
    letter: DeadLetter
    verdict: Verdict
    event_id: str | None
    why: str


def decide(letters: Sequence[DeadLetter], applied: set[str]) -> list[Decision]:
    """What to do with each dead letter, in topic order. Pure: the caller did the reading."""
    latest = {letter.event_id: letter for letter in letters if letter.event_id}
    decisions: list[Decision] = []
    chosen: set[str] = set()
    for letter in letters:
        event_id = letter.event_id
        if event_id is None or not letter.origin_topic:
            why = "no schakel CloudEvents envelope (or no origin topic); left in place"
            decisions.append(Decision(letter, "unreadable", None, why))
        elif event_id in applied:
            decisions.append(Decision(letter, "already-applied", event_id, "applied since"))
        elif event_id in chosen:
            decisions.append(Decision(letter, "repeat", event_id, "the same event as above"))
        else:
            chosen.add(event_id)
            why = _last_failure(latest[event_id])
            decisions.append(Decision(letter, "republish", event_id, why))
    return decisions


def _last_failure(letter: DeadLetter) -> str:
    again = any(name == REDRIVEN_FROM for name, _ in letter.headers)
    return f"{'failed again after a redrive: ' if again else ''}{letter.reason}: {letter.error}"


@dataclass(frozen=True)
class Report:
    service: str
    dead_letters: int
    counts: dict[str, int]
    republished: int
    dry_run: bool

    def lines(self) -> list[str]:
        done = "would republish" if self.dry_run else "republished"
        parts = ", ".join(f"{verdict} {n}" for verdict, n in sorted(self.counts.items()))
        return [
            f"{dead_letter_topic(self.service)}: {self.dead_letters} dead letters ({parts or '-'})",
            f"{done} {self.republished} to their origin topic",
        ]


async def read_dead_letters(settings: ServiceSettings) -> list[DeadLetter]:
    """The whole dead-letter topic as it is now: from its start to the end offsets read first,
    so letters arriving meanwhile wait for the next run."""
    topic = dead_letter_topic(settings.service_name)
    partitions = [TopicPartition(topic, p) for p in await _partitions_of(settings, topic)]
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(**client_options(settings), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        return await _read_partitions(consumer, partitions)
    finally:
        await consumer.stop()


async def _partitions_of(settings: ServiceSettings, topic: str) -> list[int]:
    """The topic's partition numbers; none when it does not exist (nothing was dead-lettered)."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described.get("error_code", 0) != 0:
        return []
    return sorted(p["partition"] for p in described["partitions"])


async def _read_partitions(
    consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition]
) -> list[DeadLetter]:
    consumer.assign(list(partitions))
    await consumer.seek_to_beginning(*partitions)
    ends = await consumer.end_offsets(list(partitions))
    letters: list[DeadLetter] = []
    left = {tp for tp in partitions if ends[tp] > await consumer.position(tp)}
    next_report = PROGRESS_EVERY
    while left:
        batch = await consumer.getmany(*left, timeout_ms=1000)
        for tp, records in batch.items():
            letters.extend(dead_letter_of(r) for r in records if r.offset < ends[tp])
            if await consumer.position(tp) >= ends[tp]:
                left.discard(tp)
        if len(letters) >= next_report:  # long runs show progress
            print(f"  read {len(letters)} dead letters…", file=sys.stderr, flush=True)
            next_report += PROGRESS_EVERY
    return sorted(letters, key=lambda letter: (letter.partition, letter.offset))


async def applied_event_ids(settings: ServiceSettings, ids: Iterable[str]) -> set[str]:
    store = MongoStore(settings.mongodb_uri, settings.database_name)
    try:
        wanted = sorted(set(ids))
        found = store.db[PROCESSED].find({"_id": {"$in": wanted}}, {"_id": 1})
        return {doc["_id"] async for doc in found}
    finally:
        await store.close()


async def redrive(settings: ServiceSettings, *, dry_run: bool = False) -> Report:
    letters = await read_dead_letters(settings)
    ids = [letter.event_id for letter in letters if letter.event_id]
    decisions = decide(letters, await applied_event_ids(settings, ids))
    chosen = [d for d in decisions if d.verdict == "republish"]
    for decision in decisions:
        print(_line(decision), flush=True)
    if chosen and not dry_run:
        await _republish(settings, [d.letter for d in chosen])
    counts = Counter[str](d.verdict for d in decisions)
    return Report(settings.service_name, len(letters), dict(counts), len(chosen), dry_run)


async def _republish(settings: ServiceSettings, letters: Sequence[DeadLetter]) -> None:
    producer = idempotent_producer(settings)
    await producer.start()
    try:
        for letter in letters:  # one at a time, in topic order: the order they failed in
            headers = [*letter.headers, (REDRIVEN_FROM, letter.position.encode())]
            await producer.send_and_wait(
                letter.origin_topic, value=letter.value, key=letter.key, headers=headers
            )
    finally:
        await producer.stop()


def _line(decision: Decision) -> str:
    letter = decision.letter
    what = decision.event_id or "-"
    return f"  {letter.position:<28} {decision.verdict:<16} {what:<38} {decision.why[:120]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m schakel.platform.redrive",
        description="Republish a service's dead letters to their origin topic, once per event.",
    )
    parser.add_argument("service", help="the service whose dead letters to redrive, e.g. triage")
    parser.add_argument("--dry-run", action="store_true", help="list, publish nothing")
    args = parser.parse_args(argv)
    # Kafka and MongoDB settings come from the service's own SCHAKEL_* environment.
    settings = ServiceSettings(service_name=args.service)
    report = asyncio.run(redrive(settings, dry_run=args.dry_run))
    for line in report.lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
