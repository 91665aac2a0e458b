"""The published AsyncAPI document, checked from outside by the official AsyncAPI CLI (as a GP
system's or a municipality's developer would), and against the topic plan it describes."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from schakel.contracts.asyncapi import (
    ASYNCAPI_VERSION,
    DEAD_LETTER_MESSAGE,
    REDRIVEN_FROM,
    asyncapi_document,
    channel_id,
    topic_configuration,
)
from schakel.contracts.topics import (
    ALL_TOPICS,
    CONSUMED_BY,
    CONSUMERS,
    DLQ_HEADERS,
    DLQ_PREFIX,
    PRODUCED_BY,
    consumer_group,
)
from schakel.platform import redrive
from tests.contract.validators import NPM_TIMEOUT_SECONDS, SCHEMAS, AsyncAPICli, ToolMissing

PUBLISHED = SCHEMAS / "asyncapi.json"
# The first test also waits for the CLI's install from npm (a few minutes, once).
CLI_TIMEOUT = pytest.mark.timeout(NPM_TIMEOUT_SECONDS + 300)


def _published() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(PUBLISHED.read_text())
    return document


@CLI_TIMEOUT
def test_the_official_cli_finds_no_error_nor_warning_in_the_published_document(
    asyncapi_cli: AsyncAPICli,
) -> None:
    report = asyncapi_cli.validate(PUBLISHED, fail_severity="warn")
    assert report.returncode == 0, report.describe()
    assert report.at_least(1) == [], report.describe()  # 1: warning
    assert "is valid" in report.output


@CLI_TIMEOUT
def test_the_official_cli_reports_a_deliberately_broken_copy(
    asyncapi_cli: AsyncAPICli, tmp_path: Path
) -> None:
    """What the CLI said of the document before issue 8: a topic config as Kafka's admin API
    takes it (strings) is not what the Kafka binding allows."""
    broken = copy.deepcopy(_published())
    config = broken["channels"]["referral_events"]["bindings"]["kafka"]["topicConfiguration"]
    config["cleanup.policy"] = "delete"
    config["retention.ms"] = "-1"
    del broken["operations"]["intake_send_referral_events"]["action"]
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(broken, indent=2))

    report = asyncapi_cli.validate(path)

    assert report.returncode != 0
    failed = {".".join(map(str, d["path"])) for d in report.errors}
    kafka = "channels.referral_events.bindings.kafka.topicConfiguration"
    assert f"{kafka}.cleanup.policy" in failed, report.describe()
    assert f"{kafka}.retention.ms" in failed, report.describe()
    assert any(p.startswith("operations.intake_send_referral_events") for p in failed), failed


def test_the_document_is_of_the_current_asyncapi_version() -> None:
    assert asyncapi_document()["asyncapi"] == _published()["asyncapi"] == ASYNCAPI_VERSION
    assert ASYNCAPI_VERSION == "3.1.0"


def test_every_topic_of_the_plan_is_a_channel_with_its_kafka_configuration() -> None:
    channels = _published()["channels"]
    assert {c["address"] for c in channels.values()} == {t.name for t in ALL_TOPICS}
    for topic in ALL_TOPICS:
        binding = channels[channel_id(topic)]["bindings"]["kafka"]
        assert binding["partitions"] == topic.partitions
        typed = binding["topicConfiguration"]
        assert typed == topic_configuration(topic.config)
        # Typed, yet the same settings as the topics are created with.
        assert ",".join(typed["cleanup.policy"]) == topic.config["cleanup.policy"]
        assert str(typed["retention.ms"]) == topic.config["retention.ms"]


def test_every_producer_and_consumer_of_a_topic_has_its_operation() -> None:
    operations = _published()["operations"]
    for topic in ALL_TOPICS:
        channel = f"#/channels/{channel_id(topic)}"
        for action, parties in (("send", topic.producers), ("receive", topic.consumers)):
            for party in parties:
                operation = operations[f"{party}_{action}_{channel_id(topic)}"]
                assert (operation["action"], operation["channel"]["$ref"]) == (action, channel)
    for service, types in PRODUCED_BY.items():
        sent = operations[f"{service}_send_referral_events"]["messages"]
        assert len(sent) == len(types)
    for service, types in CONSUMED_BY.items():
        received = operations[f"{service}_receive_referral_events"]
        assert len(received["messages"]) == len(types)
        group = received["bindings"]["kafka"]["groupId"]
        assert group["enum"] == [consumer_group(service)]


def test_dead_letters_are_described_with_every_dlq_header() -> None:
    document = _published()
    dead_letter_topics = [t for t in ALL_TOPICS if t.name.startswith(DLQ_PREFIX)]
    assert len(dead_letter_topics) == len(CONSUMERS)
    for topic in dead_letter_topics:
        assert list(document["channels"][channel_id(topic)]["messages"]) == [DEAD_LETTER_MESSAGE]
    headers = document["components"]["schemas"]["DeadLetterHeaders"]
    assert headers["required"] == list(DLQ_HEADERS)
    assert set(headers["properties"]) == set(DLQ_HEADERS)
    ce_headers = document["components"]["schemas"]["CloudEventsHeaders"]["properties"]
    assert REDRIVEN_FROM == redrive.REDRIVEN_FROM and REDRIVEN_FROM in ce_headers


def test_without_nodejs_the_cli_is_reported_missing_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What the `asyncapi_cli` fixture turns into a skip whose reason the report shows."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ToolMissing, match=r"Node\.js is not installed, so the AsyncAPI document"):
        AsyncAPICli.install(tmp_path)
    assert list(tmp_path.iterdir()) == []
