"""Consuming lifecycle events: read, deduplicate, apply in a transaction, then commit.

The subscriber's ``ack_policy`` is ``MANUAL``: FastStream's default (ACK_FIRST) would commit
before handling and lose the event on a crash. Here an offset is committed only after its
record was handled (in batches, see ``offsets``), and a failure seeks back (``nack``) so the
record is delivered again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import structlog
from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pymongo.errors import ConnectionFailure

from schakel.contracts.envelope import UnreadableEvent
from schakel.contracts.kafka_binding import RawEvent, read_attributes, read_payload
from schakel.contracts.topics import REFERRAL_EVENTS, consumer_group
from schakel.platform.deadletter import DeadLetters
from schakel.platform.handling import Delivery, EventHandling, Handler, RecordHandler, Work
from schakel.platform.logging import get_logger
from schakel.platform.metrics import EVENTS_CONSUMED, HANDLER_SECONDS
from schakel.platform.mongo import MongoStore
from schakel.platform.offsets import OffsetCommitter
from schakel.platform.raw_records import keep_as_written, value_as_written

# Delivery, Handler and RecordHandler are part of what a service imports from here.
__all__ = ["Delivery", "EventConsumer", "Handler", "RecordHandler"]
log = get_logger(__name__)


# A handler that fails this often on one record for a reason other than an outage is
# treated as unable to handle it: dead-lettered, so one bad record never stops the partition.
MAX_ATTEMPTS = 3
TRANSIENT = (ConnectionFailure, KafkaError, OSError)
# How long a graceful stop waits for the record in hand (orchestrators allow ~30 s in all).
DRAIN_SECONDS = 20.0


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
    ) -> None:
        self.service = service
        self._store = store
        self._dead_letters = dead_letters
        self._handling = EventHandling(handlers, every_record)
        self._attempts: dict[tuple[str, int, int], int] = {}
        self.offsets = OffsetCommitter()
        self._draining = False
        self._idle = asyncio.Event()  # no record in hand (the subscriber takes one at a time)
        self._idle.set()

    def subscribe(self, broker: KafkaBroker, *topics: str) -> None:
        """One subscription to ``topics`` (the referral topic when none is named): one
        consumer group, so the records of all of them reach the handlers one at a time."""
        broker.subscriber(
            *(topics or (REFERRAL_EVENTS,)),
            group_id=consumer_group(self.service),
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            max_poll_records=100,
            # The handler reads the record as written; FastStream decodes nothing it could
            # fail on (a failure there skips the record unseen), and never replies.
            parser=keep_as_written,
            decoder=value_as_written,
            no_reply=True,
        )(self.on_message)

    async def on_message(self, message: KafkaMessage) -> None:
        record = message.raw_message
        if isinstance(record, tuple):  # batch subscribers are not used
            raise TypeError("batch records are not supported")
        if self._draining:
            return  # not marked handled, so not committed: delivered again after the restart
        self._idle.clear()
        try:
            await self._handle(message, record)
        finally:
            self._idle.set()

    async def _handle(self, message: KafkaMessage, record: Any) -> None:
        try:
            await self.on_record(record)
        except Exception:  # whatever failed, the record comes again
            await message.nack()
            return
        self.offsets.handled(message.consumer, record)
        await self.offsets.maybe_commit()

    async def drain(self, within: float = DRAIN_SECONDS) -> None:
        """Graceful stop, before the broker closes: finish the record in hand, take no
        more, and commit what was handled, so that a restart delivers nothing twice."""
        self._draining = True
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:  # stuck in an outage: it is delivered again after the restart
            log.warning("stopping with a record still in hand", seconds=within)
        await self.offsets.close()

    async def on_record(self, record: Any) -> None:
        """Handle one aiokafka ConsumerRecord; raise only to have it delivered again.

        Each record is read once, by the contracts' CloudEvents reader: its attributes first
        (enough to pass by a type this service does not handle), then its payload. Reading
        does no I/O, so whatever it raises would be raised again on every delivery: the
        record is unreadable and goes to the dead letters, and the partition moves on.
        """
        try:
            attributes = read_attributes(record.headers or ())
            if not self._handling.takes(attributes.name):
                EVENTS_CONSUMED.labels(event_type=attributes.name, outcome="ignored").inc()
                return
            raw = RawEvent(attributes, read_payload(record.value))
            work = self._handling.work(_delivery(record, raw))
        except Exception as exc:
            reason = str(exc) if isinstance(exc, UnreadableEvent) else repr(exc)
            await self._dead_letters.send(record, "unreadable", reason)
            EVENTS_CONSUMED.labels(event_type="unreadable", outcome="dead_lettered").inc()
            return
        with structlog.contextvars.bound_contextvars(
            correlation_id=attributes.correlationid,
            causation_id=attributes.causationid,
            event_id=attributes.id,
            event_type=attributes.type,
            referral_id=attributes.subject,
        ):
            await self._apply(record, attributes.id, attributes.type, work)

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
