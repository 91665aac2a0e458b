"""Consuming lifecycle events: read, deduplicate, apply in a transaction, then commit.

The subscriber's ``ack_policy`` is ``MANUAL``: FastStream's default (ACK_FIRST) would commit
before handling and lose the event on a crash. Here an offset is committed only after its
record was handled (in batches, see ``offsets``), and a failure seeks back (``nack``) so the
record is delivered again.

Records arrive as the batch of one poll. The whole batch is applied in one MongoDB
transaction (its markers, state changes and outbox rows commit together), because a
transaction costs a handful of round trips and an fsync whatever it holds; a handler still
gets one event at a time. When the batch fails, its records are applied one at a time, each
in its own transaction with its own retries, so a record that cannot be handled is isolated
and dead-lettered while the others are applied.

The partitions of one poll are applied side by side, each in order and in transactions of
its own: a referral's events share a partition (they are keyed by referral), so its order is
kept, while one partition's round trips to MongoDB no longer wait for another's. Records that
share a document across referrals (a helper's places, say) meet in MongoDB as a write
conflict, which the transaction retries after the other committed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import TopicPartition
from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pymongo.errors import ConnectionFailure

from schakel.contracts.envelope import UnreadableEvent
from schakel.contracts.kafka_binding import Attributes, RawEvent, read_attributes, read_payload
from schakel.contracts.topics import REFERRAL_EVENTS, consumer_group
from schakel.platform.deadletter import DeadLetters
from schakel.platform.handling import Delivery, EventHandling, Handler, RecordHandler, Work
from schakel.platform.logging import get_logger
from schakel.platform.metrics import EVENTS_CONSUMED, HANDLER_SECONDS
from schakel.platform.mongo import MongoStore, Transaction
from schakel.platform.offsets import OffsetCommitter
from schakel.platform.raw_records import keep_batch_as_written, values_as_written

# Delivery, Handler and RecordHandler are part of what a service imports from here.
__all__ = ["Delivery", "EventConsumer", "Handler", "RecordHandler"]
log = get_logger(__name__)


# A handler that fails this often on one record for a reason other than an outage is
# treated as unable to handle it: dead-lettered, so one bad record never stops the partition.
MAX_ATTEMPTS = 3
TRANSIENT = (ConnectionFailure, KafkaError, OSError)
# How long a graceful stop waits for the record in hand (orchestrators allow ~30 s in all).
DRAIN_SECONDS = 20.0
Done = Callable[[Any], None]
# At most this many records of one poll in one transaction; a poll that finds fewer waits
# no longer (aiokafka returns what it has), and an idle poll waits this many ms.
BATCH_RECORDS = 100
BATCH_WAIT_MS = 100


@dataclass(frozen=True)
class Ready:
    """A record read and understood, with what applying it means here."""

    record: Any
    attributes: Attributes
    work: Work

    def in_context(self) -> Work:
        """The work with the event's ids bound to every log line it writes."""

        async def work(tx: Transaction) -> None:
            with _bound(self.attributes):
                await self.work(tx)

        return work


class EventConsumer:
    """Dispatches records of its topics (the referral topic unless told) to handlers by event
    name (version-free: the registry has already upcast older versions), or every record as
    written to one ``every_record`` handler, which then also gets types this build does not
    know."""

    def __init__(
        self,
        service: str,
        store: MongoStore,
        dead_letters: DeadLetters,
        handlers: Mapping[str, Handler] | None = None,
        every_record: RecordHandler | None = None,
        *,
        partitions_in_parallel: bool = False,
    ) -> None:
        self.service = service
        self._in_parallel = partitions_in_parallel
        self._store = store
        self._dead_letters = dead_letters
        self._handling = EventHandling(handlers, every_record)
        self._attempts: dict[tuple[str, int, int], int] = {}
        self.offsets = OffsetCommitter()
        self._draining = False
        self._idle = asyncio.Event()  # no batch in hand (the subscriber takes one at a time)
        self._idle.set()

    def subscribe(self, broker: KafkaBroker, *topics: str) -> None:
        """One subscriber (one group member) for ``topics``, the referral topic by default."""
        broker.subscriber(
            *(topics or (REFERRAL_EVENTS,)),
            group_id=consumer_group(self.service),
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            batch=True,
            max_records=BATCH_RECORDS,
            batch_timeout_ms=BATCH_WAIT_MS,
            max_poll_records=BATCH_RECORDS,
            # The handler reads the records as written; FastStream decodes nothing it could
            # fail on (a failure there skips the records unseen), and never replies.
            parser=keep_batch_as_written,
            decoder=values_as_written,
            no_reply=True,
        )(self.on_message)

    async def on_message(self, message: KafkaMessage) -> None:
        raw = message.raw_message
        # A poll's batch: a tuple from the broker, a list from FastStream's test broker.
        records = tuple(raw) if isinstance(raw, (tuple, list)) else (raw,)
        if self._draining or not records:
            return  # not marked handled, so not committed: delivered again after the restart
        self._idle.clear()
        try:
            await self._handle(message, records)
        finally:
            self._idle.set()

    async def _handle(self, message: KafkaMessage, records: Sequence[Any]) -> None:
        consumer = message.consumer
        if self._in_parallel:
            lanes = by_partition(records)
            await asyncio.gather(*(self._handle_in_order(consumer, lane) for lane in lanes))
        else:
            await self._handle_in_order(consumer, records)
        await self.offsets.maybe_commit()

    async def _handle_in_order(self, consumer: Any, records: Sequence[Any]) -> None:
        """Handle ``records`` one after another; never raises: what was not handled comes
        again (its partitions seek back to it)."""
        handled: list[Any] = []  # in the records' order: a prefix of them
        try:
            await self.on_records(records, handled.append)
        except Exception:  # whatever failed, the records not handled yet come again
            _seek_back(consumer, records[len(handled) :])
        finally:
            for record in handled:
                self.offsets.handled(consumer, record)

    async def drain(self, within: float = DRAIN_SECONDS) -> None:
        """Graceful stop, before the broker closes: finish the record in hand, take no
        more, and commit what was handled, so that a restart delivers nothing twice."""
        self._draining = True
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:  # stuck in an outage: it is delivered again after the restart
            log.warning("stopping with a record still in hand", seconds=within)
        await self.offsets.close()

    async def on_records(self, records: Sequence[Any], done: Done = lambda record: None) -> None:
        """Handle the records of one poll in order, calling ``done`` for each one handled
        (applied, passed by or dead-lettered); raise only to have the rest delivered again.

        The readable records between two unreadable ones are applied together in one
        transaction, or, when that fails, one at a time; an unreadable record goes to the
        dead letters only once everything before it was handled, so that it is not sent
        twice when a record before it has to come again."""
        pending: list[tuple[Any, Ready | None]] = []
        for record in records:
            try:
                pending.append((record, self._read(record)))
            except Exception as exc:
                await self._apply_pending(pending, done)
                pending = []
                await self._dead_letter(record, exc)
                done(record)
        await self._apply_pending(pending, done)

    async def on_record(self, record: Any) -> None:
        """Handle one aiokafka ConsumerRecord; raise only to have it delivered again."""
        await self.on_records((record,))

    def _read(self, record: Any) -> Ready | None:
        """What applying ``record`` means here, or None when this service takes no such
        event; raises when the record is unreadable.

        Each record is read once, by the contracts' CloudEvents reader: its attributes first
        (enough to pass by a type this service does not handle), then its payload. Reading
        does no I/O, so whatever it raises would be raised again on every delivery: the
        record is unreadable and goes to the dead letters, and the partition moves on.
        """
        attributes = read_attributes(record.headers or ())
        if not self._handling.takes(attributes.name):
            EVENTS_CONSUMED.labels(event_type=attributes.name, outcome="ignored").inc()
            return None
        raw = RawEvent(attributes, read_payload(record.value))
        return Ready(record, attributes, self._handling.work(_delivery(record, raw)))

    async def _dead_letter(self, record: Any, exc: Exception) -> None:
        reason = str(exc) if isinstance(exc, UnreadableEvent) else repr(exc)
        await self._dead_letters.send(record, "unreadable", reason)
        EVENTS_CONSUMED.labels(event_type="unreadable", outcome="dead_lettered").inc()

    async def _apply_pending(self, pending: list[tuple[Any, Ready | None]], done: Done) -> None:
        ready = [one for _, one in pending if one is not None]
        together = len(ready) > 1 and not any(map(self._failed_before, ready))
        if together and await self._applied_together(ready):
            for record, _ in pending:
                done(record)
            return
        # One at a time: a record that failed before is retried on its own, its attempts
        # counted, so that one that cannot be handled is isolated and dead-lettered.
        for record, one in pending:
            if one is not None:
                await self._apply_one(one)
            done(record)

    async def _applied_together(self, batch: list[Ready]) -> bool:
        """Apply ``batch`` in one transaction; False when it failed for a reason other than
        an outage (nothing of it was committed)."""
        started = time.perf_counter()
        try:
            applied = await self._store.apply_batch(
                [(ready.attributes.id, ready.in_context()) for ready in batch],
                likely_ids=frozenset(ready.attributes.subject for ready in batch),
            )
        except TRANSIENT as exc:
            log.warning("batch handling hit an outage; will be redelivered", error=str(exc))
            await asyncio.sleep(1.0)
            raise
        except Exception as exc:
            log.warning("batch handling failed; one record at a time", error=repr(exc))
            return False
        share = (time.perf_counter() - started) / len(batch)
        for ready, was_new in zip(batch, applied, strict=True):
            event_type = ready.attributes.type
            HANDLER_SECONDS.labels(event_type=event_type).observe(share)
            outcome = "applied" if was_new else "duplicate"
            EVENTS_CONSUMED.labels(event_type=event_type, outcome=outcome).inc()
            with _bound(ready.attributes):  # one line per event, as when applied alone
                log.info("event handled", outcome=outcome, batch=len(batch))
        return True

    def _failed_before(self, ready: Ready) -> bool:
        record = ready.record
        return (record.topic, record.partition, record.offset) in self._attempts

    async def _apply_one(self, ready: Ready) -> None:
        with _bound(ready.attributes):
            await self._apply(ready.record, ready.attributes.id, ready.attributes.type, ready.work)

    async def _apply(self, record: Any, event_id: str, event_type: str, work: Work) -> None:
        position = (record.topic, record.partition, record.offset)
        started = time.perf_counter()
        try:
            # with_transaction may run ``work`` more than once, each time in a fresh Transaction.
            applied = await self._store.apply_once(event_id, work)
        except TRANSIENT as exc:
            log.warning("event handling hit an outage; will be redelivered", error=str(exc))
            await asyncio.sleep(1.0)
            raise
        except Exception as exc:  # any other handler failure: retried, then dead-lettered
            attempts = self._attempts.get(position, 0) + 1
            self._attempts[position] = attempts
            if attempts < MAX_ATTEMPTS:
                log.warning("event handling failed; retrying", attempt=attempts, error=repr(exc))
                await asyncio.sleep(0.2 * attempts)
                raise
            self._attempts.pop(position, None)
            await self._dead_letters.send(record, "handler-failed", repr(exc))
            EVENTS_CONSUMED.labels(event_type=event_type, outcome="dead_lettered").inc()
            return
        self._attempts.pop(position, None)
        HANDLER_SECONDS.labels(event_type=event_type).observe(time.perf_counter() - started)
        outcome = "applied" if applied else "duplicate"
        EVENTS_CONSUMED.labels(event_type=event_type, outcome=outcome).inc()
        log.info("event handled", outcome=outcome)


def by_partition(records: Sequence[Any]) -> list[list[Any]]:
    """The records of each partition (of each topic), in their order."""
    lanes: dict[tuple[str, int], list[Any]] = {}
    for record in records:
        lanes.setdefault((record.topic, record.partition), []).append(record)
    return list(lanes.values())


def _seek_back(consumer: Any, unhandled: Sequence[Any]) -> None:
    """Have the records not handled delivered again: each partition's position goes back to
    its first one (those handled before it in the batch are not delivered again)."""
    first: dict[TopicPartition, int] = {}
    for record in unhandled:
        partition = TopicPartition(record.topic, record.partition)
        first[partition] = min(first.get(partition, record.offset), record.offset)
    for partition, offset in first.items():
        consumer.seek(partition, offset)


def _bound(attributes: Attributes) -> Any:
    return structlog.contextvars.bound_contextvars(
        correlation_id=attributes.correlationid,
        causation_id=attributes.causationid,
        event_id=attributes.id,
        event_type=attributes.type,
        referral_id=attributes.subject,
    )


def _delivery(record: Any, event: RawEvent) -> Delivery:
    """The aiokafka ConsumerRecord as written, with the event read from it. Must not raise
    (it runs outside the retry accounting); a null header value, which Kafka allows, is kept
    as empty bytes."""
    return Delivery(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=getattr(record, "key", None),
        headers=tuple((name, bytes(raw or b"")) for name, raw in record.headers or ()),
        value=bytes(record.value or b""),
        event=event,
    )
