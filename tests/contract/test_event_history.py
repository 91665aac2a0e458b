"""Events written in the past stay readable: every stored sample of an old version is read
through the upcaster chain into today's model, as an auditor's replay would, and compared
whole with what it must read as (a field an upcaster drops fails here). What each consumer
makes of these records: tests/unit/test_old_versions.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest

from schakel.contracts.events import ALL_PAYLOADS, ReferralReceived
from schakel.contracts.kafka_binding import from_record
from schakel.contracts.registry import REGISTRY, EventRegistry
from schakel.contracts.upcasters import UPCASTERS


class ReceivedV3(ReferralReceived):
    """A next version of the received event, without its upcaster."""

    event_version: ClassVar[int] = 3


SAMPLES = sorted((Path(__file__).parent / "samples").glob("*.json"))


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
    assert event.data.model_dump(mode="json") == stored["expect"]["data"]
    assert event.subject == stored["headers"]["ce_subject"]


def test_a_chain_with_a_missing_step_is_refused_when_the_registry_is_built() -> None:
    """A v3 without a v2 → v3 upcaster would make every stored v2 unreadable: refused at
    start-up, naming the step."""
    with pytest.raises(ValueError, match=r"no upcaster from [a-z.]+\.received\.v2 to v3"):
        EventRegistry((*ALL_PAYLOADS, ReceivedV3), UPCASTERS)
    assert EventRegistry(ALL_PAYLOADS, UPCASTERS).is_latest("nl.schakel.referral.received.v2")
