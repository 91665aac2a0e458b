"""The topic plan an operator reads (docs/topics.md) is the one the services create: name,
partitions, retention, cleanup and who writes each topic, dead-letter topics included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schakel.contracts.topics import (
    ALL_TOPICS,
    CONSUMERS,
    REFERRAL_EVENTS_TOPIC,
    TopicSpec,
    consumer_group,
    dead_letter_spec,
    dead_letter_topic,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "topics.md"
DAY_MS = 24 * 3600 * 1000


def documented() -> dict[str, list[str]]:
    """The rows of the Topics table, by topic name."""
    rows: dict[str, list[str]] = {}
    for line in DOCS.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and (name := re.fullmatch(r"`([a-z.-]+)`", cells[0])):
            rows[name.group(1)] = cells
    return rows


def retention_ms(cell: str) -> str:
    if (days := re.match(r"(\d+) days", cell)) is not None:
        return str(int(days.group(1)) * DAY_MS)
    found = re.search(r"retention\.ms=(-?\d+)", cell)
    assert found is not None, cell
    return found.group(1)


@pytest.mark.parametrize("service", CONSUMERS)
def test_each_consumer_has_a_dead_letter_topic_as_documented(service: str) -> None:
    spec = dead_letter_spec(service)
    assert spec.name == dead_letter_topic(service) == f"schakel.dlq.{service}"
    assert spec in ALL_TOPICS
    row = documented()[spec.name]
    assert row[1] == "key of the original record" and spec.key == "the original record's key"
    assert spec.partitions == int(row[2]) == 3
    assert spec.config == {"retention.ms": retention_ms(row[3]), "cleanup.policy": "delete"}
    assert row[4] == "`delete`"
    assert (spec.producers, spec.consumers) == ((service,), ("operators",))
    assert row[6:] == [service, "operators"]
    assert service in spec.purpose and "dlq-*" in spec.purpose


@pytest.mark.parametrize("spec", ALL_TOPICS, ids=[t.name for t in ALL_TOPICS])
def test_every_topic_is_documented_with_its_partitions_retention_and_producers(
    spec: TopicSpec,
) -> None:
    row = documented()[spec.name]
    assert spec.partitions == int(row[2])
    assert spec.config["retention.ms"] == retention_ms(row[3])
    assert f"`{spec.config['cleanup.policy']}`" == row[4]
    assert [p.strip() for p in row[6].split(",")] == list(spec.producers)
    assert set(documented()) == {t.name for t in ALL_TOPICS}


def test_the_referral_topic_names_each_consumer_group() -> None:
    row = documented()[REFERRAL_EVENTS_TOPIC.name]
    for service in REFERRAL_EVENTS_TOPIC.consumers:
        assert f"{service} (`{consumer_group(service)}`)" in row[7]
