"""End-to-end: every service as its own OS process against the real servers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from schakel_dev.stack import Stack

T = TypeVar("T")


@pytest.fixture(scope="package")
def stack(
    kafka_bootstrap_servers: str, mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    run_dir = tmp_path_factory.mktemp("stack")
    with Stack(kafka_bootstrap_servers, mongodb_uri, run_dir, free_ports=True) as running:
        yield running


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
    """Poll until ``probe`` returns something truthy; the pipeline is asynchronous."""
    deadline = time.monotonic() + within
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
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
