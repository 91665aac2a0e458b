"""Dead letters: a record that cannot be read or handled goes to ``schakel.dlq.<service>`` with
the reason and its origin in headers, and the consumer moves on. Nothing is silently dropped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer

from schakel.contracts.topics import consumer_group, dead_letter_topic
from schakel.platform.logging import get_logger
from schakel.platform.metrics import DEAD_LETTERED

log = get_logger(__name__)
# Headers a dead letter gets on top of the record's own (redrive reads them back).
HEADER_PREFIX = "dlq-"
REASON, ERROR, ORIGIN_TOPIC = "dlq-reason", "dlq-error", "dlq-origin-topic"


class DeadLetters:
    def __init__(self, service: str, producer: AIOKafkaProducer | None = None) -> None:
        self._producer = producer
        self._service = service
        self.topic = dead_letter_topic(service)

    def attach(self, producer: AIOKafkaProducer) -> None:
        """aiokafka clients belong to a running event loop, so they arrive at start-up."""
        self._producer = producer

    async def send(self, record: Any, reason: str, error: str) -> None:
        """Publish ``record`` (an aiokafka ConsumerRecord) to the dead-letter topic and wait
        until the broker has it: only then may the consumer commit past it. The record goes
        as written, whatever it holds (a null value, header values in any encoding or null);
        only our own headers are text, made here."""
        headers = [
            *[(k, v) for k, v in (record.headers or ()) if not k.startswith(HEADER_PREFIX)],
            (REASON, reason.encode()),
            (ERROR, error[:2000].encode(errors="replace")),
            (ORIGIN_TOPIC, str(record.topic).encode()),
            ("dlq-origin-partition", str(record.partition).encode()),
            ("dlq-origin-offset", str(record.offset).encode()),
            ("dlq-consumer-group", consumer_group(self._service).encode()),
            ("dlq-failed-at", datetime.now(UTC).isoformat().encode()),
        ]
        if self._producer is None:
            raise RuntimeError("dead letters used before the service started")
        await self._producer.send_and_wait(
            self.topic, value=record.value, key=record.key, headers=headers
        )
        DEAD_LETTERED.labels(reason=reason).inc()
        log.warning(
            "record dead-lettered",
            reason=reason,
            error=error,
            origin_topic=record.topic,
            origin_partition=record.partition,
            origin_offset=record.offset,
            dead_letter_topic=self.topic,
        )
