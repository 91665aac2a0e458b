"""Reading a record does no I/O, so whatever it raises it would raise on every delivery: the
record is dead-lettered as unreadable, never retried forever. (The poison records themselves
are tested on the real broker: tests/integration/test_poison_records.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka import ConsumerRecord

from schakel.contracts import EventEnvelope
from schakel.contracts.kafka_binding import to_record
from schakel.platform import handling
from schakel.platform.consumer import EventConsumer
from schakel.platform.deadletter import DeadLetters
from schakel.platform.mongo import MongoStore, Transaction
from schakel.platform.raw_records import keep_batch_as_written, values_as_written
from tests.integration.rig import event_for


class KeptDeadLetters(DeadLetters):
    def __init__(self) -> None:
        super().__init__("t")
        self.sent: list[tuple[Any, str, str]] = []

    async def send(self, record: Any, reason: str, error: str) -> None:
        self.sent.append((record, reason, error))


def record(headers: list[tuple[str, bytes | None]], value: bytes | None) -> Any:
    return ConsumerRecord(
        topic="t",
        partition=0,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=b"ref",
        value=value,
        checksum=None,
        serialized_key_size=3,
        serialized_value_size=len(value or b""),
        headers=headers,
    )


async def never_called(event: EventEnvelope[Any], tx: Transaction) -> None:
    raise AssertionError("an unreadable record reached the handler")


async def test_whatever_reading_raises_makes_the_record_a_dead_letter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def recurses(*_: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(handling, "upcast", recurses)
    event = event_for("ref")
    dead = KeptDeadLetters()
    store = MongoStore("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1", "unused")
    consumer = EventConsumer("t", store, dead, {event.name: never_called})
    _, value, headers = to_record(event)
    poison = record(list(headers), value)
    await consumer.on_record(poison)  # returns: the offset may move on
    assert [(r, reason) for r, reason, _ in dead.sent] == [(poison, "unreadable")]
    assert "RecursionError" in dead.sent[0][2]


async def test_faststream_gets_readable_headers_and_the_handler_the_record_as_written() -> None:
    written = record([("ce_id", b"\xff\xfe"), ("x-empty", None), ("ok", b"yes")], None)
    seen: list[Any] = []

    async def default(readable: Any) -> Any:
        seen.append(readable)
        return type("Message", (), {"raw_message": readable})()

    batch = (written, record([("ok", b"too")], b"{not json"))
    message = await keep_batch_as_written(batch, default)
    assert message.raw_message is batch
    # FastStream decodes every header value as UTF-8: now none can fail.
    assert [h.decode() for _, h in seen[0][0].headers] == ["\ufffd\ufffd", "", "yes"]
    message.body = [r.value or b"" for r in batch]
    assert await values_as_written(message) == [b"", b"{not json"]  # never JSON-decoded
