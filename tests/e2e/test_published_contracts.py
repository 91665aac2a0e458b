"""The published contracts hold for a real run, checked with the tools of those who build
against them: the gateway's OpenAPI document by openapi-spec-validator, and every record the
pipeline wrote to `schakel.referral-events` by the official CloudEvents SDK's Kafka binding and
the published JSON Schemas (tests/contract/validators.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from schakel.contracts.topics import PRODUCED_BY, REFERRAL_EVENTS
from schakel_dev.stack import Stack
from tests.contract.validators import ContractViolation, RecordChecker, openapi_problems
from tests.e2e.conftest import (
    OWNER_ACCOUNTS,
    eventually,
    login,
    referral_id_of,
    take_up,
    whole_topic,
)

pytestmark = pytest.mark.e2e
SIGNALS = 3
PIPELINE_SOURCES = {f"/schakel/{service}": service for service in PRODUCED_BY}
OUTCOMES = {"nl.schakel.referral.match-proposed.v1", "nl.schakel.referral.waitlisted.v1"}


def test_the_gateways_openapi_document_is_valid(gateway: httpx.Client) -> None:
    answer = gateway.get("/openapi.json")
    assert answer.status_code == 200, answer.text
    document = answer.json()
    for public in ("/api/v1/auth/token", "/api/v1/signals", "/api/v1/referrals"):
        assert public in document["paths"], sorted(document["paths"])
    assert openapi_problems(document) == []


@dataclass(frozen=True)
class Round:
    """One read of the whole topic, checked, next to the archive of this test's events."""

    checked: int
    foreign: list[str]
    violations: list[str]
    mine: dict[str, str]  # event id → type: records of this test's correlations on the topic
    archived: dict[str, str]  # event id → type: what the audit archived of those correlations


def _send(gateway: httpx.Client) -> list[str]:
    """Signals and a GP's referral, each with a correlation id of its own."""
    correlations = [f"contract-{uuid.uuid4()}" for _ in range(SIGNALS + 1)]
    for n, correlation in enumerate(correlations[:SIGNALS]):
        signal = {
            "signaler_role": ("thuiskok", "apotheker", "buurtbewoner")[n % 3],
            "person": {"name": f"Contract Test {n}", "postcode": "3563 AB"},
            "observations": [["ondervoeding", "alleen_wonend"], ["somber"], []][n % 3],
            "consent_to_contact": True,
        }
        answer = gateway.post(
            "/api/v1/signals", json=signal, headers={"X-Correlation-ID": correlation}
        )
        assert answer.status_code == 202, answer.text
    referral = {
        "patient": {"name": "Dhr. Contract", "postcode": "3562 EK"},
        "observations": ["somber", "weinig_contact"],
        "djg_score": 4,
        "consent_to_contact": True,
    }
    answer = gateway.post(
        "/api/v1/referrals",
        json=referral,
        headers={**login(gateway, "huisarts"), "X-Correlation-ID": correlations[-1]},
    )
    assert answer.status_code == 202, answer.text
    return correlations


def _take_up_each(gateway: httpx.Client, auditor: dict[str, str], correlations: list[str]) -> None:
    """Each owner accepts its referral and talks with the person, who consents: only then
    does matching propose (or waitlist)."""
    for correlation in correlations:
        referral_id = referral_id_of(gateway, auditor, correlation)

        def owned(referral_id: str = referral_id) -> str | None:
            found = gateway.get(f"/api/v1/referrals/{referral_id}", headers=auditor)
            return found.json().get("owner_organisation") if found.is_success else None

        owner = eventually(owned, what=f"an owner for {referral_id}")
        take_up(gateway, login(gateway, OWNER_ACCOUNTS[owner]), referral_id)


def _archived(
    gateway: httpx.Client, auditor: dict[str, str], correlations: list[str]
) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for correlation in correlations:
        answer = gateway.get(f"/api/v1/audit/correlations/{correlation}", headers=auditor)
        found[correlation] = list(answer.json().get("events", [])) if answer.is_success else []
    return found


def _read_and_check(
    stack: Stack, checker: RecordChecker, archive: dict[str, list[dict[str, Any]]]
) -> Round:
    records = whole_topic(stack.kafka_bootstrap_servers, REFERRAL_EVENTS)
    checked, foreign, violations, mine = 0, [], [], {}
    for record in records:
        producer = PIPELINE_SOURCES.get(record.header("ce_source") or "")
        if producer is None:  # put there by another test on purpose (garbage, a future type)
            foreign.append(f"{record.where} from {record.header('ce_source')!r}")
            continue
        if record.header("ce_correlationid") in archive:
            mine[record.header("ce_id") or record.where] = record.header("ce_type") or ""
        try:
            event = checker.check(record.headers, record.key, record.value)
        except ContractViolation as exc:
            violations.append(f"{record.where}: {exc}")
            continue
        checked += 1
        if event.get_type() not in PRODUCED_BY[producer]:
            violations.append(f"{record.where}: {producer} sent {event.get_type()}")
    archived = {e["event_id"]: e["type"] for events in archive.values() for e in events}
    return Round(checked, foreign, violations, mine, archived)


def test_every_record_the_pipeline_wrote_is_a_valid_cloudevent_of_its_published_type(
    gateway: httpx.Client, stack: Stack
) -> None:
    correlations = _send(gateway)
    auditor = login(gateway, "auditor")
    _take_up_each(gateway, auditor, correlations)

    def through() -> bool:
        """Every signal and the referral reached an outcome (then feedback follows)."""
        archive = _archived(gateway, auditor, correlations)
        return all(OUTCOMES & {e["type"] for e in events} for events in archive.values())

    eventually(through, within=60, what="an outcome for every signal and the referral")
    checker = RecordChecker()

    def agreed() -> Round | None:
        """Feedback may still be writing its last events: read again until the topic and the
        audit's archive (an independent consumer) agree on what the pipeline produced."""
        archive = _archived(gateway, auditor, correlations)
        found = _read_and_check(stack, checker, archive)
        return found if found.mine == found.archived else None

    result = eventually(agreed, within=30, what="the topic and the archive agreeing")

    assert result.violations == [], "\n".join(result.violations)
    assert result.checked > 0
    assert len(result.mine) == len(result.archived) >= 4 * len(correlations)
    assert {
        "nl.schakel.referral.received.v2",
        "nl.schakel.referral.triaged.v2",
        "nl.schakel.referral.accepted.v1",
        "nl.schakel.referral.first-conversation-recorded.v1",
        "nl.schakel.referral.feedback-recorded.v2",
    } <= set(result.mine.values())
    assert OUTCOMES & set(result.mine.values())
    print(
        f"\n{result.checked} records of {REFERRAL_EVENTS} read with the CloudEvents SDK and "
        f"valid against schemas/, {len(result.mine)} of them this test's (as archived); "
        f"{len(result.foreign)} not from the pipeline, left out: {result.foreign}"
    )
