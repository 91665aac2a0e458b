"""The headers of a dead letter and of a redriven record, without a broker: an operator reads
one reason per failure, and a record sent back carries none of its earlier failures."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from schakel.contracts.topics import consumer_group
from schakel.platform import redrive as redriving
from schakel.platform.deadletter import DeadLetters
from schakel.platform.redrive import REDRIVEN_FROM, _republish, dead_letter_of, decide
from schakel.platform.settings import ServiceSettings
from tests.unit.test_redrive import letter

CE = [("ce_id", b"e-1"), ("ce_type", b"nl.schakel.referral.received.v2")]
FIRST_REDRIVE = b"schakel.dlq.triage/0/7"


class Producer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send_and_wait(self, topic: str, **record: Any) -> None:
        self.sent.append((topic, record))


def consumed(headers: Sequence[tuple[str, bytes | None]], offset: int = 12) -> Any:
    return SimpleNamespace(
        topic="schakel.referral-events",
        partition=4,
        offset=offset,
        key=b"ref-1",
        value=b'{"referral_id": "ref-1"}',
        headers=headers,
    )


async def test_a_dead_letter_says_why_and_where_it_came_from() -> None:
    producer = Producer()
    await DeadLetters("triage", producer).send(consumed(CE), "handler-failed", "ValueError('x')")
    [(topic, record)] = producer.sent
    assert topic == "schakel.dlq.triage"
    assert (record["key"], record["value"]) == (b"ref-1", b'{"referral_id": "ref-1"}')
    headers = dict(record["headers"])
    assert [k for k, _ in record["headers"]][:2] == ["ce_id", "ce_type"]  # as written, first
    assert {k: v for k, v in headers.items() if k != "dlq-failed-at"} == {
        **dict(CE),
        "dlq-reason": b"handler-failed",
        "dlq-error": b"ValueError('x')",
        "dlq-origin-topic": b"schakel.referral-events",
        "dlq-origin-partition": b"4",
        "dlq-origin-offset": b"12",
        "dlq-consumer-group": consumer_group("triage").encode(),
    }
    assert headers["dlq-failed-at"].decode().endswith("+00:00")


async def test_a_record_failing_again_has_one_set_of_dead_letter_headers_its_new_ones() -> None:
    earlier = [
        ("dlq-reason", b"unreadable"),
        ("dlq-error", b"old"),
        ("dlq-origin-offset", b"3"),
        ("dlq-whatever", b"from a newer release"),
    ]
    again = consumed([*CE, *earlier, (REDRIVEN_FROM, b"schakel.dlq.triage/0/0")], offset=40)
    producer = Producer()
    await DeadLetters("triage", producer).send(again, "handler-failed", "KeyError('y')")
    [(_, record)] = producer.sent
    names = [k for k, _ in record["headers"]]
    assert names.count("dlq-reason") == names.count("dlq-origin-offset") == 1
    assert "dlq-whatever" not in names
    headers = dict(record["headers"])
    assert (headers["dlq-reason"], headers["dlq-error"]) == (b"handler-failed", b"KeyError('y')")
    assert headers["dlq-origin-offset"] == b"40"
    assert headers[REDRIVEN_FROM] == b"schakel.dlq.triage/0/0"


async def test_a_long_error_is_cut_and_a_record_without_headers_or_value_still_goes() -> None:
    producer = Producer()
    bare = SimpleNamespace(topic="t", partition=0, offset=1, key=None, value=None, headers=None)
    # An exception's text may hold a lone surrogate (bytes decoded with surrogateescape).
    await DeadLetters("audit", producer).send(bare, "unreadable", "\udc80" + "é" * 3000)
    [(_, record)] = producer.sent
    assert record["value"] is None and record["key"] is None
    assert dict(record["headers"])["dlq-error"] == ("?" + "é" * 1999).encode()


async def test_an_operator_sees_each_dead_letter_in_the_log_and_the_metrics() -> None:
    producer = Producer()
    letters = DeadLetters("triage")
    letters.attach(producer)  # as the runtime does at start-up
    before = REGISTRY.get_sample_value("schakel_events_dead_lettered_total", {"reason": "odd"})
    with capture_logs() as logs:
        await letters.send(consumed(CE, offset=9), "odd", "KeyError('owner')")
    after = REGISTRY.get_sample_value("schakel_events_dead_lettered_total", {"reason": "odd"})
    assert (after or 0) - (before or 0) == 1
    assert logs == [
        {
            "event": "record dead-lettered",
            "log_level": "warning",
            "reason": "odd",
            "error": "KeyError('owner')",
            "origin_topic": "schakel.referral-events",
            "origin_partition": 4,
            "origin_offset": 9,
            "dead_letter_topic": "schakel.dlq.triage",
        }
    ]
    assert [topic for topic, _ in producer.sent] == ["schakel.dlq.triage"]


async def test_dead_letters_before_start_up_are_refused() -> None:
    with pytest.raises(RuntimeError, match=r"^dead letters used before the service started$"):
        await DeadLetters("audit").send(consumed(CE), "unreadable", "x")


async def test_a_redriven_record_goes_back_without_any_dead_letter_header(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    producer = Producer()
    monkeypatch.setattr(redriving, "idempotent_producer", lambda settings: producer)
    failed = letter(7)
    again = dead_letter_of(
        SimpleNamespace(
            topic="schakel.dlq.triage",
            partition=1,
            offset=9,
            key=failed.key,
            value=failed.value,
            headers=[*failed.headers, ("dlq-reason", b"x"), (REDRIVEN_FROM, FIRST_REDRIVE)],
        )
    )
    await _republish(ServiceSettings(service_name="triage"), [failed, again])
    assert producer.started and producer.stopped
    [(topic, first), (_, second)] = producer.sent
    assert topic == "schakel.referral-events"
    assert first["headers"] == [*failed.headers, (REDRIVEN_FROM, FIRST_REDRIVE)]
    assert [k for k, _ in second["headers"] if k.startswith("dlq-")] == []
    assert [v for k, v in second["headers"] if k == REDRIVEN_FROM] == [
        FIRST_REDRIVE,
        b"schakel.dlq.triage/1/9",
    ]
    assert (first["key"], first["value"]) == (failed.key, failed.value)


def test_a_dead_letter_without_our_headers_is_listed_as_such_and_left_in_place() -> None:
    """Written to the topic by hand or by an older release: no reason, no origin. The operator
    sees that, and a redrive leaves it where it is."""
    found = dead_letter_of(
        SimpleNamespace(
            topic="schakel.dlq.triage",
            partition=2,
            offset=5,
            key=b"ref-9",
            value=None,
            headers=[("ce_id", None), ("dlq-error", b"\xff broken")],
        )
    )
    assert (found.key, found.value, found.headers) == (b"ref-9", b"", (("ce_id", b""),))
    assert (found.reason, found.error, found.origin_topic) == ("(none)", "\ufffd broken", "")
    assert found.event_id is None
    [decision] = decide([found], applied=set())
    assert (decision.verdict, decision.why) == (
        "unreadable",
        "no schakel CloudEvents envelope (or no origin topic); left in place",
    )
