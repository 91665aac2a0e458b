"""Replay: rebuild every service's read models from the audit archive into fresh databases
with the services' own handlers, and compare them with the live ones.

The history is read from the audit archive, not from the Kafka topic: the archive gives one
total order of every event (``Position``: when it was archived, then its partition's chain,
then its seq there; each partition in its own order, as live), as written, hash-chained (what
is replayed is what the chains vouch for), and a position to resume from; the topic has one
order per partition and keeps no record of what the audit saw. Each entry becomes the record it was
written as and goes through the contracts' CloudEvents reader and upcasters, then to every
service that takes its event, in that service's unit of work with the processed-event marker
(``EventHandling.apply``, as the consumer does). Nothing is published (outbox rows stay in
the replay databases), no scheduler runs, no HTTP is served.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from schakel.audit.adapters import MongoArchive
from schakel.audit.domain.chain import START, ArchiveEntry, Position, WrittenEvent
from schakel.audit.domain.compare import Difference, Model, compare
from schakel.contracts.envelope import UnreadableEvent
from schakel.contracts.kafka_binding import read_raw
from schakel.platform.handling import Delivery, Work
from schakel.platform.logging import get_logger
from schakel.platform.mongo import Document, MongoStore
from schakel.platform.readmodels import (
    ReadModel,
    Replaying,
    replayable_services,
    replaying,
)

log = get_logger(__name__)
PREFIX = "schakel_replay_"
CHECKPOINT = "replay_checkpoint"
CHECKPOINT_EVERY = 200  # events; a crash replays at most these again (the markers absorb them)
QUEUED = 1_000  # entries one service may lag behind the archive reader
BATCH = 500  # entries one service applies in one transaction, at most
PROGRESS_SECONDS = 2.0
COMPARE_BATCH = 500


def delivery_of(entry: ArchiveEntry) -> Delivery:
    """The Kafka record the entry was archived from, read again by the contracts' reader:
    its headers as written, its payload as the JSON value. Raises UnreadableEvent."""
    e = entry.event
    headers = e.headers or _ce_headers(e)
    value = json.dumps(e.payload, ensure_ascii=False).encode()
    raw = read_raw(headers, value)
    return Delivery(e.topic, e.partition, e.offset, e.key, headers, value, raw)


def _ce_headers(e: WrittenEvent) -> tuple[tuple[str, bytes], ...]:
    """For an entry archived without its headers: the attributes its hash covers."""
    attributes = {
        "specversion": "1.0",
        "id": e.event_id,
        "source": e.source,
        "type": e.type,
        "subject": e.subject,
        "time": e.time,
        "correlationid": e.correlationid,
        "causationid": e.causationid,
    }
    return tuple((f"ce_{k}", v.encode()) for k, v in attributes.items() if v)


@dataclass
class Tally:
    """Per service: events applied, skipped (not its type), unreadable to it, failed."""

    applied: int = 0
    skipped: int = 0
    unreadable: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, seq: Position, what: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(f"{seq}: {what}")


@dataclass
class Target:
    """One service during replay: its declaration, the live and the replay database."""

    replaying: Replaying
    live: MongoStore
    replay: MongoStore
    tally: Tally = field(default_factory=Tally)

    @property
    def service(self) -> str:
        return self.replaying.service

    async def apply(self, seq: Position, delivery: Delivery) -> None:
        handling = self.replaying.handling
        if not handling.takes(delivery.event.attributes.name):
            self.tally.skipped += 1
            return
        try:
            await handling.apply(self.replay, delivery)
        except UnreadableEvent as exc:  # e.g. a version newer than this build
            self.tally.unreadable += 1
            self.tally.problem(seq, str(exc))
            return
        except Exception as exc:  # live, this would be a dead letter
            self.tally.failed += 1
            self.tally.problem(seq, repr(exc))
            log.warning("replay handler failed", service=self.service, seq=seq, error=repr(exc))
            return
        self.tally.applied += 1

    async def apply_batch(self, batch: list[tuple[Position, Delivery]]) -> None:
        """Apply the batch's events in one transaction (one commit instead of one per event):
        each once, by its processed-event marker, in seq order, every handler seeing the
        writes of the ones before it. When one fails, the batch is rolled back and applied
        again one event at a time, so the failure is counted against that event only."""
        handling = self.replaying.handling
        taken: list[tuple[Position, Delivery]] = []
        works: list[tuple[str, Work]] = []
        for seq, delivery in batch:
            if not handling.takes(delivery.event.attributes.name):
                self.tally.skipped += 1
                continue
            try:
                works.append((delivery.event.id, handling.work(delivery)))
            except UnreadableEvent as exc:  # e.g. a version newer than this build
                self.tally.unreadable += 1
                self.tally.problem(seq, str(exc))
                continue
            taken.append((seq, delivery))
        if not works:
            return
        try:
            subjects = frozenset(delivery.event.attributes.subject for _, delivery in taken)
            await self.replay.apply_batch(works, likely_ids=subjects)
        except Exception as exc:
            log.info(
                "replay batch failed, applied one by one", service=self.service, error=repr(exc)
            )
            for seq, delivery in taken:
                await self.apply(seq, delivery)
            return
        self.tally.applied += len(works)


@dataclass(frozen=True)
class Options:
    mongodb_uri: str
    archive_database: str  # the live audit's
    prefix: str = PREFIX
    restart: bool = False
    compare: bool = True
    show: int = 50  # differences printed per collection (all are counted)
    services: tuple[str, ...] = ()  # empty: every replayable service


class Progress:
    """Events applied by every service of the total, and the rate, every few seconds."""

    def __init__(self, total: int, out: TextIO, clock: Callable[[], float] = time.monotonic):
        self.total = total
        self._out = out
        self._clock = clock
        self._started = clock()
        self._shown = self._started

    def at(self, done: int, final: bool = False) -> None:
        now = self._clock()
        if not final and now - self._shown < PROGRESS_SECONDS:
            return
        self._shown = now
        rate = done / max(now - self._started, 1e-9)
        share = 100 * done / self.total if self.total else 100.0
        print(
            f"replay: {done}/{self.total} events ({share:.0f}%), {rate:.0f} events/s",
            file=self._out,
            flush=True,
        )


def targets(options: Options) -> list[Target]:
    found = []
    for service in options.services or tuple(replayable_services()):
        declared = replaying(service)
        live = MongoStore(options.mongodb_uri, declared.settings.database_name)
        replay = MongoStore(options.mongodb_uri, f"{options.prefix}{service}")
        found.append(Target(declared, live, replay))
    return found


@dataclass(frozen=True)
class Checkpoint:
    """The last archive position replayed into the replay databases of ``services``."""

    store: MongoStore
    services: tuple[str, ...]

    @property
    def _id(self) -> str:
        return ",".join(sorted(self.services))

    async def seq(self) -> Position:
        doc = await self.store.db[CHECKPOINT].find_one({"_id": self._id})
        if doc is None or "chain" not in doc:  # none, or an earlier release's global seq
            return START
        return Position(doc["archived_at"], doc["chain"], int(doc["seq"]))

    async def save(self, seq: Position) -> None:
        saved = {"archived_at": seq.at, "chain": seq.chain, "seq": seq.seq}
        await self.store.db[CHECKPOINT].replace_one(
            {"_id": self._id}, {**saved, "at": datetime.now(UTC)}, upsert=True
        )


async def _prepare(found: list[Target], restart: bool) -> None:
    for target in found:
        if restart:
            await target.replay.client.drop_database(target.replay.db.name)
        if target.replaying.on_start is not None:
            await target.replaying.on_start(target.replay)


@dataclass(frozen=True)
class Replayed:
    events: int
    seconds: float
    from_seq: Position
    to_seq: Position

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Lane:
    """One service's own stream of the history: it applies the entries in seq order at its own
    pace, at most ``QUEUED`` entries behind the reader, so services do not wait for each
    other's transactions (each has its own database, as live). What has queued up is applied
    in one transaction, up to ``BATCH`` entries."""

    def __init__(self, target: Target, after: Position) -> None:
        self.target = target
        # (position, the entry's record; None: unreadable, nothing to apply), None: the end.
        self.queue: asyncio.Queue[tuple[Position, Delivery | None] | None] = asyncio.Queue(QUEUED)
        self.done_seq = after

    async def run(self) -> None:
        ended = False
        while not ended:
            batch = [await self.queue.get()]
            while len(batch) < BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            if batch[-1] is None:
                ended = True
            items = [item for item in batch if item is not None]
            readable = [(seq, delivery) for seq, delivery in items if delivery is not None]
            if readable:
                await self.target.apply_batch(readable)
            if items:
                self.done_seq = items[-1][0]


async def replay_history(
    archive: MongoArchive, found: list[Target], checkpoint: Checkpoint, out: TextIO
) -> Replayed:
    """Feed every archive entry past the checkpoint to every target, in the archive's order;
    the checkpoint is the last position every target has applied."""
    start = await checkpoint.seq()
    lanes = [Lane(t, start) for t in found]
    progress = Progress(await archive.count(after=start), out)
    if start != START:
        print(f"replay: resuming after {start}", file=out, flush=True)

    def applied() -> Position:
        return min((lane.done_seq for lane in lanes), default=start)

    started, read = time.perf_counter(), 0
    async with asyncio.TaskGroup() as lanes_running:
        for lane in lanes:
            lanes_running.create_task(lane.run())
        async for entry in archive.in_order(after=start):
            read += 1
            await _hand_out(entry, lanes)
            progress.at(read - max((lane.queue.qsize() for lane in lanes), default=0))
            if read % CHECKPOINT_EVERY == 0:
                await checkpoint.save(applied())
        for lane in lanes:
            await lane.queue.put(None)
    end = max(applied(), start)
    await checkpoint.save(end)
    progress.at(read, final=True)
    return Replayed(read, time.perf_counter() - started, start, end)


async def _hand_out(entry: ArchiveEntry, lanes: list[Lane]) -> None:
    delivery: Delivery | None = None
    try:
        delivery = delivery_of(entry)
    except UnreadableEvent as exc:
        for lane in lanes:
            lane.target.tally.unreadable += 1
            lane.target.tally.problem(entry.position, str(exc))
    for lane in lanes:
        await lane.queue.put((entry.position, delivery))


async def _sorted(store: MongoStore, model: ReadModel) -> AsyncIterator[Document]:
    sort = [(k, 1) for k in model.key]
    cursor = store.db[model.collection].find(dict(model.only)).sort(sort)
    async for doc in cursor.batch_size(COMPARE_BATCH):
        yield doc


async def differences(target: Target) -> AsyncIterator[Difference]:
    """Every difference between the target's live and replayed read models."""
    for model in target.replaying.read_models:
        spec = Model(model.collection, model.key, model.referral, model.ignore, model.unordered)
        async for difference in compare(
            spec, _sorted(target.live, model), _sorted(target.replay, model)
        ):
            yield difference


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def describe(service: str, d: Difference) -> str:
    key = "/".join(str(k) for k in d.key)
    return (
        f"DIFF {service}.{d.collection} referral={d.referral} key={key} field={d.field} "
        f"live={_shown(d.live)} replayed={_shown(d.replayed)}"
    )


async def compare_all(found: list[Target], show: int, out: TextIO) -> int:
    """Print the differences (``show`` per collection) and a count per service; the total."""
    total = 0
    for target in found:
        shown: dict[str, int] = {}
        count = 0
        async for d in differences(target):
            count += 1
            if shown.get(d.collection, 0) < show:
                shown[d.collection] = shown.get(d.collection, 0) + 1
                print(describe(target.service, d), file=out)
        models = ", ".join(m.collection for m in target.replaying.read_models)
        print(f"compare: {target.service} ({models}): {count} differences", file=out, flush=True)
        total += count
    return total


def _summary(found: list[Target], replayed: Replayed, out: TextIO) -> None:
    span = (
        f"after {replayed.from_seq} up to {replayed.to_seq}"
        if replayed.events
        else f"nothing after {replayed.from_seq}"
    )
    print(
        f"replay: {replayed.events} events ({span}) in {replayed.seconds:.1f} s, "
        f"{replayed.rate:.0f} events/s",
        file=out,
    )
    for t in found:
        s = t.tally
        print(
            f"replay: {t.service}: {s.applied} applied, {s.skipped} not its events, "
            f"{s.unreadable} unreadable, {s.failed} failed",
            file=out,
        )
        for problem in s.problems:
            print(f"  {problem}", file=out)


async def run(options: Options, out: TextIO) -> int:
    """Replay, then compare: 0 when every read model equals the live one, 1 otherwise."""
    found = targets(options)
    source = MongoStore(options.mongodb_uri, options.archive_database)
    progress = MongoStore(options.mongodb_uri, f"{options.prefix}audit")
    try:
        if options.restart:
            await progress.client.drop_database(progress.db.name)
        await _prepare(found, options.restart)
        checkpoint = Checkpoint(progress, tuple(t.service for t in found))
        replayed = await replay_history(MongoArchive(source), found, checkpoint, out)
        _summary(found, replayed, out)
        failed = sum(t.tally.failed + t.tally.unreadable for t in found)
        if options.compare and await compare_all(found, options.show, out):
            return 1
        return 1 if failed else 0
    finally:
        for t in found:
            await t.live.close()
            await t.replay.close()
        await source.close()
        await progress.close()
