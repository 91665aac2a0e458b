"""The upcasters as the plain-dict functions they are: what they write is the next version's
payload and nothing of the old one, with every value v2 needs set explicitly, so that a later
change of a model's default cannot change how history reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schakel.contracts.envelope import split_type
from schakel.contracts.registry import REGISTRY
from schakel.contracts.upcasters import UPCASTERS

SAMPLES = sorted((Path(__file__).parents[1] / "contract" / "samples").glob("*.v1*.json"))


def upcast_once(event_type: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name, version = split_type(event_type)
    return f"{name}.v{version + 1}", UPCASTERS[(name, version)](data)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_an_upcaster_writes_only_fields_of_the_next_version(sample: Path) -> None:
    stored = json.loads(sample.read_text())
    newer, data = upcast_once(stored["headers"]["ce_type"], dict(stored["value"]))
    fields = set(REGISTRY.model(newer).model_fields)
    assert set(data) <= fields, f"left over or misspelt: {sorted(set(data) - fields)}"
    expected = stored["expect"]["data"]
    for key, value in data.items():
        if key != "received_at":  # the same instant, written with another offset notation
            assert json.loads(json.dumps(value)) == expected[key], key


def test_triaged_v1_sets_what_v2_needs_explicitly() -> None:
    """A v1 record with only its required fields: nothing v2 needs is left to a default."""
    v1 = {
        "referral_id": "ref-1",
        "grade": "verhoogd_risico",
        "urgency": "routine",
        "owner_organisation": "buurtteam-zuid",
        "reasons": [],
        "rule_set_version": "2026.11-1",
    }
    _, data = upcast_once("nl.schakel.referral.triaged.v1", v1)
    assert data == {
        "referral_id": "ref-1",
        "grade": "verhoogd_risico",
        "urgency": "routine",
        "owner_organisation": "buurtteam-zuid",
        "rule_set_version": "2026.11-1",
        "route": "buurtteam",
        "grade_provisional": True,
        "owner_name": "buurtteam-zuid",
        "assign_within_hours": None,
        "district_name": None,
        "consent_to_contact": False,
        "risk_groups": [],
        "rules_fired": [],
    }
    newest, payload = REGISTRY.read("nl.schakel.referral.triaged.v1", v1)
    assert newest == "nl.schakel.referral.triaged.v2" and payload.model_dump()["kinds"] == []


def test_feedback_recorded_v1_sets_what_v2_needs_explicitly() -> None:
    v1 = {"referral_id": "ref-1", "signaler_status": "ontvangen", "caused_by_type": "x.v1"}
    _, data = upcast_once("nl.schakel.referral.feedback-recorded.v1", v1)
    assert data == {
        "referral_id": "ref-1",
        "caused_by_type": "x.v1",
        "stage": "ontvangen",
        "organisation_kind": None,
        "outcome": None,
    }


def test_received_v1_without_an_organisation_names_none() -> None:
    v1 = {
        "referral_id": "ref-1",
        "channel": "webformulier",
        "signaler_role": "buurtbewoner",
        "person_pseudonym": "ps-" + "1" * 32,
        "received_at": "2026-11-02T09:14:58+00:00",
    }
    _, data = upcast_once("nl.schakel.referral.received.v1", v1)
    assert data["signaler"] == {"role": "buurtbewoner", "organisation": None}
    assert "signaler_role" not in data and "signaler_organisation" not in data
