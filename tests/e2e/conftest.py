"""End-to-end: every service as its own OS process against the real servers."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from schakel_dev.stack import Stack
from tests.support import wait_deadline

T = TypeVar("T")


@pytest.fixture(scope="package")
def stack(
    kafka_bootstrap_servers: str, mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    run_dir = tmp_path_factory.mktemp("stack")
    with Stack(kafka_bootstrap_servers, mongodb_uri, run_dir, free_ports=True) as running:
        yield running


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    """Where a browser test keeps its screenshots: test artefacts, never committed.

    ``.artefacts/screenshots/<test>/`` in the checkout (``SCHAKEL_ARTEFACTS_DIR`` moves it), so
    they outlive pytest's temporary directories and CI can keep them.
    """
    root = Path(os.environ.get("SCHAKEL_ARTEFACTS_DIR", ".artefacts"))
    folder = root / "screenshots" / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="package")
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack["gateway"].url, timeout=15, trust_env=False) as client:
        yield client


def login(client: httpx.Client, username: str) -> dict[str, str]:
    answer = client.post(
        "/api/v1/auth/token", json={"username": username, "password": f"demo-{username}"}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def eventually(probe: Callable[[], T | None], within: float = 30, what: str = "") -> T:
    """Poll until ``probe`` returns something truthy; the pipeline is asynchronous. Gives up
    after ``within`` seconds, or earlier, shortly before the test's timeout, saying what."""
    deadline, limit = wait_deadline(within)
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not {limit}: {what}")
        time.sleep(0.2)


def log_lines(path: Path) -> list[dict[str, Any]]:
    import json

    lines = []
    for raw in path.read_text().splitlines():
        if raw.startswith("{"):
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
    return lines


# The demo account acting for each owning organisation of the demo district table.
OWNER_ACCOUNTS = {
    "sociaal-makelaars-overvecht": "makelaar",
    "buurtteam-overvecht": "buurtteam",
    "beweegmakelaars-overvecht": "beweegmakelaar",
    "sociaal-makelaars-noordwest": "makelaar-zuilen",
    "coordinatiepunt-eenzaamheid": "coordinatiepunt",
}


def referral_id_of(gateway: httpx.Client, auditor: dict[str, str], correlation: str) -> str:
    """The referral a signal became, from the audit's archive of its correlation id."""

    def archived() -> str | None:
        found = gateway.get(f"/api/v1/audit/correlations/{correlation}", headers=auditor)
        events = found.json().get("events", []) if found.is_success else []
        return str(events[0]["data"]["referral_id"]) if events else None

    return eventually(archived, what=f"the referral of {correlation}")


def in_inbox(
    gateway: httpx.Client, owner: dict[str, str], referral_id: str, **wanted: Any
) -> dict[str, Any]:
    """The referral as its owner's inbox shows it, once it has every ``wanted`` value."""

    def shown() -> dict[str, Any] | None:
        found = gateway.get(f"/api/v1/inbox/{referral_id}", headers=owner)
        body: dict[str, Any] = found.json() if found.status_code == 200 else {}
        return body if body and all(body.get(k) == v for k, v in wanted.items()) else None

    return eventually(shown, what=f"{referral_id} in the owner's inbox with {wanted}")


def owner_action(
    gateway: httpx.Client,
    owner: dict[str, str],
    referral_id: str,
    action: str,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One owner action through the gateway; it must succeed (the referral after it)."""
    answer = gateway.post(f"/api/v1/referrals/{referral_id}/{action}", json=body, headers=owner)
    assert answer.status_code == 200, f"{action}: {answer.status_code} {answer.text}"
    done: dict[str, Any] = answer.json()
    return done


def take_up(
    gateway: httpx.Client, owner: dict[str, str], referral_id: str, **conversation: Any
) -> dict[str, Any]:
    """The owner accepts and records a first conversation in which the person consents."""
    in_inbox(gateway, owner, referral_id, status="requested")
    owner_action(gateway, owner, referral_id, "accept")
    talk = {"reached": True, "knew_of_signal": True, "consents_to_support": True, **conversation}
    return owner_action(gateway, owner, referral_id, "first-conversation", talk)


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]]

    @property
    def where(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"

    def header(self, name: str) -> str | None:
        raw = dict(self.headers).get(name)
        return raw.decode("utf-8", "replace") if raw is not None else None


def whole_topic(bootstrap_servers: str, topic: str) -> list[Record]:
    """Every record of ``topic`` from its start to the end offsets read first; no consumer
    group, so nothing is committed and no other reader is disturbed."""
    return asyncio.run(_whole_topic(bootstrap_servers, topic))


async def topic_partitions(bootstrap_servers: str, topic: str) -> list[TopicPartition]:
    """The partitions of ``topic``; none when it does not exist (yet)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described.get("error_code", 0) != 0:
        return []
    return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]


async def _whole_topic(bootstrap_servers: str, topic: str) -> list[Record]:
    partitions = await topic_partitions(bootstrap_servers, topic)
    assert partitions, f"{topic} does not exist"
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        records: list[Record] = []
        for _ in range(240):  # at most a minute of quarter-second polls
            if all([await consumer.position(tp) >= ends[tp] for tp in partitions]):
                break
            for tp, batch in (await consumer.getmany(*partitions, timeout_ms=250)).items():
                records += [
                    Record(topic, tp.partition, r.offset, r.key, r.value, list(r.headers))
                    for r in batch
                    if r.offset < ends[tp]
                ]
        else:
            raise AssertionError(f"{topic} not read to its end offsets {ends} within a minute")
        return records
    finally:
        await consumer.stop()
