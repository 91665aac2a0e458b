"""``make redrive`` as an operator runs it, with Kafka and MongoDB stood in for: the whole
dead-letter topic as it was when the run began is read, every partition; each event not
applied since goes back once, to its origin topic, as it was written and marked with where it
came from; a dry run publishes nothing; each letter gets a line and the run a summary. (On the
real servers: tests/integration/test_platform.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from aiokafka import TopicPartition

from schakel.platform import redrive as redriving
from schakel.platform.mongo import PROCESSED
from schakel.platform.redrive import REDRIVEN_FROM, main, redrive
from schakel.platform.settings import ServiceSettings
from tests.unit.test_redrive import ORIGIN, garbage, letter

TOPIC = "schakel.dlq.triage"


class Kafka:
    """The dead-letter topic's partitions, and what was published."""

    def __init__(self) -> None:
        self.partitions: dict[int, list[Any]] = {}
        self.published: list[tuple[str, bytes, bytes | None, list[tuple[str, bytes]]]] = []
        self.arriving: list[Any] = []  # written once the reader has read the end offsets
        self.exists = True
        self.closed: list[str] = []

    def write(self, partition: int, dead_letter: Any) -> None:
        log = self.partitions.setdefault(partition, [])
        headers = [*dead_letter.headers, ("dlq-reason", dead_letter.reason.encode())]
        headers += [("dlq-error", dead_letter.error.encode())]
        headers += [("dlq-origin-topic", dead_letter.origin_topic.encode())]
        log.append(
            SimpleNamespace(
                topic=TOPIC,
                partition=partition,
                offset=len(log),
                key=dead_letter.key,
                value=dead_letter.value,
                headers=headers,
            )
        )


class Admin:
    def __init__(self, kafka: Kafka) -> None:
        self.kafka = kafka

    async def start(self) -> None: ...

    async def close(self) -> None:
        self.kafka.closed.append("admin")

    async def describe_topics(self, topics: list[str]) -> list[dict[str, Any]]:
        assert topics == [TOPIC]
        if not self.kafka.exists:
            return [{"error_code": 3, "partitions": []}]
        partitions = [{"partition": p} for p in reversed(sorted(self.kafka.partitions))]
        return [{"error_code": 0, "partitions": partitions}]


class Consumer:
    """Hands out at most two records a partition per fetch."""

    def __init__(self, kafka: Kafka, **options: Any) -> None:
        self.kafka, self.options = kafka, options
        self.positions: dict[TopicPartition, int] = {}

    async def start(self) -> None: ...

    async def stop(self) -> None:
        self.kafka.closed.append("consumer")

    def assign(self, partitions: list[TopicPartition]) -> None:
        self.positions = {tp: -1 for tp in partitions}

    async def seek_to_beginning(self, *partitions: TopicPartition) -> None:
        for tp in partitions:
            self.positions[tp] = 0

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        ends = {tp: len(self.kafka.partitions[tp.partition]) for tp in partitions}
        for arriving in self.kafka.arriving:
            self.kafka.write(0, arriving)
        return ends

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]

    async def getmany(self, *partitions: TopicPartition, timeout_ms: int) -> dict[Any, list[Any]]:
        batch = {}
        for tp in partitions:
            start = self.positions[tp]
            records = self.kafka.partitions[tp.partition][start : start + 2]
            self.positions[tp] = start + len(records)
            batch[tp] = records
        return batch


class Producer:
    def __init__(self, kafka: Kafka) -> None:
        self.kafka = kafka

    async def start(self) -> None: ...

    async def stop(self) -> None:
        self.kafka.closed.append("producer")

    async def send_and_wait(
        self, topic: str, *, value: bytes, key: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        self.kafka.published.append((topic, value, key, headers))


class Markers:
    """The service's processed-event markers."""

    applied: ClassVar[set[str]] = set()
    closed = 0

    def __init__(self, uri: str, database: str) -> None:
        self.db = {PROCESSED: self}

    def find(self, query: dict[str, Any], projection: dict[str, int]) -> AsyncIterator[Any]:
        assert projection == {"_id": 1}
        wanted = query["_id"]["$in"]
        assert wanted == sorted(set(wanted))

        async def found() -> AsyncIterator[dict[str, str]]:
            for event_id in wanted:
                if event_id in Markers.applied:
                    yield {"_id": event_id}

        return found()

    async def close(self) -> None:
        Markers.closed += 1


@pytest.fixture
def kafka(monkeypatch: pytest.MonkeyPatch) -> Kafka:
    kafka = Kafka()
    monkeypatch.setattr(redriving, "AIOKafkaAdminClient", lambda **options: Admin(kafka))
    monkeypatch.setattr(redriving, "AIOKafkaConsumer", lambda **options: Consumer(kafka, **options))
    monkeypatch.setattr(redriving, "idempotent_producer", lambda settings: Producer(kafka))
    monkeypatch.setattr(redriving, "MongoStore", Markers)
    Markers.applied, Markers.closed = set(), 0
    return kafka


SETTINGS = ServiceSettings(service_name="triage")


async def test_each_event_not_applied_goes_back_once_marked_with_where_it_was(
    kafka: Kafka, capsys: pytest.CaptureFixture[str]
) -> None:
    for offset, event_id in enumerate(("e-1", "e-2", "e-1", "e-3", "e-4")):
        kafka.write(0, letter(offset, event_id=event_id))
    kafka.write(1, garbage(0))
    kafka.write(1, letter(0, "ref-2", event_id="e-5"))
    Markers.applied = {"e-3"}
    report = await redrive(SETTINGS)
    assert (report.dead_letters, report.republished, report.dry_run) == (7, 4, False)
    assert report.counts == {"republish": 4, "repeat": 1, "already-applied": 1, "unreadable": 1}
    sent = [(topic, dict(headers)) for topic, _, _, headers in kafka.published]
    assert [h[REDRIVEN_FROM] for _, h in sent] == [
        b"schakel.dlq.triage/0/0",
        b"schakel.dlq.triage/0/1",
        b"schakel.dlq.triage/0/4",
        b"schakel.dlq.triage/1/1",
    ]
    assert {topic for topic, _ in sent} == {ORIGIN}
    assert not any(name.startswith("dlq-") for _, h in sent for name in h)
    first = letter(0, event_id="e-1")
    assert kafka.published[0][1:3] == (first.value, first.key)
    assert sorted(kafka.closed) == ["admin", "consumer", "producer"] and Markers.closed == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7
    assert lines[0].split()[:3] == ["schakel.dlq.triage/0/0", "republish", "e-1"]
    assert lines[2].split()[:3] == ["schakel.dlq.triage/0/2", "repeat", "e-1"]
    assert lines[5].split()[:3] == ["schakel.dlq.triage/1/0", "unreadable", "-"]


async def test_a_dry_run_lists_and_publishes_nothing(kafka: Kafka) -> None:
    kafka.write(0, letter(0, event_id="e-1"))
    report = await redrive(SETTINGS, dry_run=True)
    assert (report.republished, report.dry_run, kafka.published) == (1, True, [])
    assert "producer" not in kafka.closed


async def test_letters_arriving_during_the_run_wait_for_the_next(kafka: Kafka) -> None:
    for offset in range(3):
        kafka.write(0, letter(offset, event_id=f"e-{offset}"))
    kafka.arriving = [letter(3, event_id="e-late")]
    letters = await redriving.read_dead_letters(SETTINGS)
    assert [x.event_id for x in letters] == ["e-0", "e-1", "e-2"]


async def test_a_long_read_shows_progress(
    kafka: Kafka, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(redriving, "PROGRESS_EVERY", 2)
    for offset in range(5):
        kafka.write(0, letter(offset, event_id=f"e-{offset}"))
    assert len(await redriving.read_dead_letters(SETTINGS)) == 5
    assert capsys.readouterr().err.splitlines() == [
        "  read 2 dead letters…",
        "  read 4 dead letters…",
    ]


async def test_without_a_dead_letter_topic_there_is_nothing_to_do(kafka: Kafka) -> None:
    kafka.exists = False
    report = await redrive(SETTINGS)
    assert (report.dead_letters, report.counts, kafka.published) == (0, {}, [])
    assert kafka.closed == ["admin"]  # no consumer was needed


def test_the_command_redrives_the_named_service_and_sums_up(
    kafka: Kafka, capsys: pytest.CaptureFixture[str]
) -> None:
    kafka.write(0, letter(0, event_id="e-1"))
    assert main(["triage", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "schakel.dlq.triage: 1 dead letters (republish 1)",
        "would republish 1 to their origin topic",
    ]
    assert main(["triage"]) == 0
    assert len(kafka.published) == 1
