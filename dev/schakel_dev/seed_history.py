"""``python -m schakel_dev.seed_history --events 1000000``: a referral history of that many events
(``schakel_dev.seed_referrals``), produced to ``schakel.referral-events`` as the services
produce (CloudEvents binary mode, keyed by referral) and archived as the audit archives what it
consumes: each record with the partition and offset Kafka gave it, in its partition's hash
chain (each chain's head in ``chains``, a head record across them at the end, as the audit's
root writer makes one), written to the audit's database in batches (``insert_many``), not one
transaction per event. The next batch is generated (a thread) while one is produced and
archived, and the archive's indexes are built once the entries are in (SecantusDB builds an
index over stored entries several times faster than it keeps it up insert by insert), so a
million events take tens of minutes on 2 shared cores. Replay reads that archive.

Uses the SCHAKEL_* environment of the services (Kafka, MongoDB, the audit's database), or the
options. Meant for an empty topic and archive (a benchmark's own servers): it refuses an
archive that already holds entries.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from schakel.audit.adapters import ARCHIVE, CHAINS, MongoArchive, ensure_indexes, entry_document
from schakel.audit.app import settings as audit_settings
from schakel.audit.checkpointing import RootWriter
from schakel.audit.domain.chain import ArchiveEntry, ChainHead, WrittenEvent, append, written_event
from schakel.contracts.topics import REFERRAL_EVENTS
from schakel.platform.mongo import MongoStore
from schakel_dev.bench_kafka import batching_producer, create_topic
from schakel_dev.seed_referrals import Record, Referrals, interleaved

BATCH = 5_000  # records produced, then archived, together
PARTITIONS = 6  # as the topic plan's
PROGRESS_SECONDS = 2.0


@dataclass(frozen=True)
class Seeded:
    events: int
    referrals: int
    seconds: float
    heads: dict[str, ChainHead]  # each partition's chain's
    value_bytes: int = 0
    archive_bytes: int = 0  # the archive's entries as stored, indexes not counted
    index_seconds: float = 0.0  # of ``seconds``: building the archive's indexes

    @property
    def mean_size(self) -> int:
        """Bytes of a record's value, on average."""
        return self.value_bytes // self.events if self.events else 0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Seeder:
    """Produces records in batches and archives each batch once Kafka has acknowledged it."""

    def __init__(self, producer: AIOKafkaProducer, store: MongoStore, topic: str) -> None:
        self._producer = producer
        self.store = store
        self._topic = topic
        self.chains = Chains()
        self.value_bytes = 0

    async def write(self, batch: list[Record]) -> None:
        sent = [
            await self._producer.send(
                self._topic, record.value, key=record.key, headers=list(record.headers)
            )
            for record in batch
        ]
        placed: list[RecordMetadata] = await asyncio.gather(*sent)
        self.value_bytes += sum(len(record.value) for record in batch)
        now = datetime.now(UTC)
        documents = []
        for record, where in zip(batch, placed, strict=True):
            entry = self.chains.append(written(record, where))
            documents.append(entry_document(entry, now))
        await self.store.db[ARCHIVE].insert_many(documents)

    async def finish(self) -> None:
        """Each chain's head document, then a head record across them, as live."""
        now = datetime.now(UTC)
        for chain, head in self.chains.heads.items():
            await self.store.db[CHAINS].replace_one(
                {"_id": chain},
                {"seq": head.seq, "hash": head.hash, "archived_at": now},
                upsert=True,
            )
        await RootWriter(MongoArchive(self.store)).write_once()


class Chains:
    """The archive's hash chains as the seeder extends them: one per partition."""

    def __init__(self) -> None:
        self.heads: dict[str, ChainHead] = {}

    def append(self, event: WrittenEvent) -> ArchiveEntry:
        entry = append(self.heads.get(event.chain), event)
        self.heads[event.chain] = entry.head
        return entry


def written(record: Record, where: RecordMetadata) -> WrittenEvent:
    """The archive's record of ``record`` at ``where``, as the audit's handler makes it."""
    return written_event(
        record.event,
        topic=where.topic,
        partition=where.partition,
        offset=where.offset,
        key=record.key,
        headers=record.headers,
    )


class Progress:
    def __init__(self, total: int, out: TextIO) -> None:
        self._total, self._out = total, out
        self._started = self._shown = time.monotonic()

    def at(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._shown < PROGRESS_SECONDS:
            return
        self._shown = now
        rate = done / max(now - self._started, 1e-9)
        print(
            f"seed: {done}/{self._total} events ({100 * done / self._total:.0f}%), "
            f"{rate:,.0f} events/s",
            file=self._out,
            flush=True,
        )


async def seed(
    events: int,
    bootstrap_servers: str,
    mongodb_uri: str,
    archive_database: str,
    *,
    topic: str = REFERRAL_EVENTS,
    seed_value: int = 1,
    out: TextIO = sys.stdout,
) -> Seeded:
    """Produce and archive ``events`` events; refuses an archive that holds entries."""
    store = MongoStore(mongodb_uri, archive_database)
    producer = batching_producer(bootstrap_servers)
    try:
        if await store.db[ARCHIVE].estimated_document_count():
            raise SystemExit(f"seed: {archive_database}.{ARCHIVE} is not empty")
        await create_topic(bootstrap_servers, topic, PARTITIONS, exist_ok=True)
        await producer.start()
        return await _seed(events, Seeder(producer, store, topic), seed_value, out)
    finally:
        await producer.stop()
        await store.close()


async def _seed(events: int, seeder: Seeder, seed_value: int, out: TextIO) -> Seeded:
    referrals = Referrals(seed_value)
    records = interleaved(referrals, events)
    progress = Progress(events, out)
    started = time.perf_counter()
    done = 0
    batch = _take(records, BATCH)
    while batch:
        upcoming = asyncio.create_task(asyncio.to_thread(_take, records, BATCH))
        await seeder.write(batch)
        done += len(batch)
        progress.at(done)
        batch = await upcoming
    await seeder.finish()
    progress.at(done, final=True)
    print("seed: building the archive's indexes", file=out, flush=True)
    indexing = time.perf_counter()
    await ensure_indexes(seeder.store)
    index_seconds = time.perf_counter() - indexing
    stats = await seeder.store.db.command("collStats", ARCHIVE)
    seconds = time.perf_counter() - started
    return Seeded(
        done, referrals.count, seconds, seeder.chains.heads, seeder.value_bytes,
        int(stats.get("size", 0)), index_seconds,
    )  # fmt: skip


def _take(records: Iterator[Record], count: int) -> list[Record]:
    return [record for _, record in zip(range(count), records, strict=False)]


def main(argv: Sequence[str] | None = None) -> int:
    config = audit_settings()
    parser = argparse.ArgumentParser(prog="python -m schakel_dev.seed_history", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1, help="the same seed, the same history")
    parser.add_argument("--bootstrap-servers", default=config.kafka_bootstrap_servers)
    parser.add_argument("--mongodb-uri", default=config.mongodb_uri)
    parser.add_argument("--archive-database", default=config.database_name)
    parser.add_argument("--topic", default=REFERRAL_EVENTS)
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be at least 1")
    seeded = asyncio.run(
        seed(
            args.events,
            args.bootstrap_servers,
            args.mongodb_uri,
            args.archive_database,
            topic=args.topic,
            seed_value=args.seed,
        )
    )
    print(
        f"seed: {seeded.events} events of {seeded.referrals} referrals in "
        f"{seeded.seconds:.1f} s ({seeded.rate:,.0f} events/s; of it the archive's indexes "
        f"{seeded.index_seconds:.1f} s), "
        f"{len(seeded.heads)} chains; {_mib(seeded.value_bytes)} of "
        f"record values produced, archive entries {_mib(seeded.archive_bytes)}"
    )
    return 0


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


if __name__ == "__main__":
    raise SystemExit(main())
