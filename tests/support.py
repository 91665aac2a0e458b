"""Helpers shared by the tests (import as `tests.support`)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from schakel_dev.kafka_server import KafkaServer
from schakel_dev.mongo_server import MongoServer

# Sections of lines for the end of the test report (tests/conftest.py prints them).
REPORTS: dict[str, list[str]] = {}
# A wait gives up this long before the running test's timeout, so that it fails with a message
# saying what it waited for, not with pytest-timeout's stack dump.
TIMEOUT_MARGIN = 20.0
_test_deadline: list[float] = []  # monotonic time the running test times out (tests/conftest.py)


def start_test_clock(timeout: float | None) -> None:
    """The running test times out ``timeout`` seconds from now (None or 0: never)."""
    _test_deadline[:] = [time.monotonic() + timeout] if timeout else []


def seconds_left() -> float:
    """How long a wait may still take: until shortly before the running test's timeout."""
    if not _test_deadline:
        return float("inf")
    return max(_test_deadline[0] - TIMEOUT_MARGIN - time.monotonic(), 0.0)


def wait_deadline(within: float) -> tuple[float, str]:
    """When a wait of ``within`` seconds must end, and how to say why it ended."""
    if seconds_left() < within:
        return time.monotonic() + seconds_left(), "before the test's timeout"
    return time.monotonic() + within, f"within {within:g} s"


def report(section: str, lines: list[str]) -> None:
    """Show ``lines`` under ``section`` at the end of the test run."""
    REPORTS.setdefault(section, []).extend(lines)


def unique_name(prefix: str) -> str:
    """A fresh name for a topic, group or database, valid in Kafka and MongoDB alike.

    Tests share the session's servers, so every test works in names of its own.
    """
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class DevServers:
    """The local development servers of this test session (to kill or restart them)."""

    kafka: KafkaServer
    mongo: MongoServer


@dataclass(frozen=True)
class ServerLane:
    """Where one real server of this session comes from."""

    server: str  # "kafka" or "mongodb"
    lane: str  # "env", "docker" or "local"
    address: str  # bootstrap servers or URI
    detail: str  # a line for the terminal report
    local: KafkaServer | MongoServer | None = None  # the process, in the local lane


async def create_topics(
    bootstrap_servers: str, *names: str, partitions: int = 1, timeout_ms: int = 30_000
) -> None:
    """Create topics and wait for the broker to acknowledge them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        topics = [NewTopic(name, num_partitions=partitions, replication_factor=1) for name in names]
        response = await admin.create_topics(topics, timeout_ms=timeout_ms)
    finally:
        await admin.close()
    # The answer carries errors per topic instead of raising; 36: the topic already exists.
    failed = [error for error in response.topic_errors if error[1] not in (0, 36)]
    if failed:
        raise RuntimeError(f"creating topics failed: {failed}")


async def eventually(
    check: Callable[[], Awaitable[bool]], within: float = 10.0, interval: float = 0.05
) -> None:
    """Await `check()` until it is true; AssertionError after `within` seconds (or shortly
    before the test's timeout)."""
    deadline, limit = wait_deadline(within)
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met {limit}")
        await asyncio.sleep(interval)
