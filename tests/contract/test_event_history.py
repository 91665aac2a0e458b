"""Events written in the past stay readable: every stored sample of an old version is read
through the upcaster chain into today's model, as an auditor's replay would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schakel.contracts.kafka_binding import from_record
from schakel.contracts.registry import REGISTRY

SAMPLES = sorted((Path(__file__).parent / "samples").glob("*.json"))


def _subset(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    for key, value in expected.items():
        if isinstance(value, dict):
            _subset(value, actual[key])
        else:
            assert actual[key] == value, key


def test_there_are_samples_of_every_old_version() -> None:
    old = {t for t in REGISTRY.event_types if not REGISTRY.is_latest(t)}
    sampled = {p.stem for p in SAMPLES}
    assert old <= sampled, f"no stored sample for {sorted(old - sampled)}"


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_old_event_reads_as_newest_version(sample: Path) -> None:
    stored = json.loads(sample.read_text())
    headers = [(k, v.encode()) for k, v in stored["headers"].items()]
    event = from_record(headers, json.dumps(stored["value"]).encode())
    assert event.type == stored["expect"]["type"]
    assert REGISTRY.is_latest(event.type)
    _subset(stored["expect"]["data"], event.data.model_dump(mode="json"))
    assert event.subject == stored["headers"]["ce_subject"]
