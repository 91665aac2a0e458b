"""A signal posted at the public URL travels intake → triage → matching → feedback → audit,
each a separate process, and comes back as a status the signaler can see."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from schakel_dev.stack import Stack
from tests.e2e.conftest import eventually, log_lines, login

pytestmark = pytest.mark.e2e
SIGNAL: dict[str, Any] = {
    "signaler_role": "thuiskok",
    "person": {"name": "Mevrouw Pinas", "postcode": "3563 AB", "phone": "06 1234 5678"},
    "observations": ["ondervoeding", "alleen_wonend"],
    "age_band": "80+",
    "consent_to_contact": True,
}
TOPIC = "schakel.referral-events"
LIFECYCLE = [
    "nl.schakel.referral.received.v2",
    "nl.schakel.referral.triaged.v2",
    "nl.schakel.referral.feedback-recorded.v2",
]


def someone_else() -> dict[str, Any]:
    """A signal like SIGNAL about another person (another phone): intake attaches a signal
    about someone with an open referral to it instead of starting a referral."""
    phone = f"06 {uuid.uuid4().int % 10**8:08d}"
    return {**SIGNAL, "person": {**SIGNAL["person"], "phone": phone}}


def status_of(gateway: httpx.Client, receipt: str) -> dict[str, Any] | None:
    answer = gateway.get(f"/api/v1/signals/{receipt}/status")
    if answer.status_code != 200:
        return None
    body: dict[str, Any] = answer.json()
    return body if body["status"] == "in_behandeling" else None  # passed on to the owner


def test_signal_reaches_every_service_with_one_correlation_id(
    gateway: httpx.Client,
    stack: Stack,
) -> None:
    correlation = f"e2e-{uuid.uuid4()}"
    answer = gateway.post("/api/v1/signals", json=SIGNAL, headers={"X-Correlation-ID": correlation})
    assert answer.status_code == 202, answer.text
    receipt = answer.json()["receipt"]

    status = eventually(lambda: status_of(gateway, receipt), what="signaler status")
    assert status["handled_by"]["nl"] == "een sociaal makelaar of het buurtteam in uw wijk"
    assert "buurtteam-overvecht" not in str(status)  # the owner names district and grade
    for personal in ("Pinas", "3563 AB", "1234 5678", "12345678", "ps-", "ref-"):
        assert personal not in str(status)

    auditor = login(gateway, "auditor")

    def archived() -> list[dict[str, Any]] | None:
        found = gateway.get(f"/api/v1/audit/correlations/{correlation}", headers=auditor)
        events: list[dict[str, Any]] = found.json().get("events", []) if found.is_success else []
        # received, triaged, feedback's "passed on" (the receipt said "received")
        return events if len(events) >= 3 else None

    events = eventually(archived, what="archive of the whole path")
    types = [e["type"] for e in events]
    for expected in LIFECYCLE:
        assert expected in types
    # Nothing is proposed before the owner's first conversation with the person.
    assert "nl.schakel.referral.match-proposed.v1" not in types
    referral_id = events[0]["data"]["referral_id"]

    timeline = gateway.get(f"/api/v1/referrals/{referral_id}/timeline", headers=auditor)
    assert timeline.status_code == 200
    in_order = [e["type"].rsplit(".", 2)[-2] for e in timeline.json()["events"]]
    assert in_order[0] == "received"
    assert in_order.index("received") < in_order.index("triaged")
    assert {e["correlation_id"] for e in timeline.json()["events"]} == {correlation}

    for service in ("gateway", "intake", "triage", "matching", "followup", "feedback", "audit"):
        lines = log_lines(stack[service].log_path)
        assert any(line.get("correlation_id") == correlation for line in lines), service


def test_gp_practice_follows_its_own_referral_and_no_other_practice_can(
    gateway: httpx.Client,
) -> None:
    gp, other_gp = login(gateway, "huisarts"), login(gateway, "huisarts-zuilen")
    body = {
        "patient": {"name": "Dhr. de Graaf", "postcode": "3562 EK"},
        "observations": ["somber", "weinig_contact"],
        "djg_score": 4,
        "consent_to_contact": True,
    }
    sent = gateway.post("/api/v1/referrals", json=body, headers=gp)
    assert sent.status_code == 202, sent.text
    referral_id = sent.json()["referral_id"]

    def triaged() -> dict[str, Any] | None:
        found = gateway.get(f"/api/v1/referrals/{referral_id}", headers=gp)
        data: dict[str, Any] = found.json() if found.status_code == 200 else {}
        return data if data.get("owner_organisation") else None

    referral = eventually(triaged, what="referral with an owner")
    assert referral["owner_organisation"] == "sociaal-makelaars-overvecht"
    assert referral["grade"] == "licht_tot_matig"
    assert "person_pseudonym" not in referral  # the GP gets the outcome, not a handle
    assert gateway.get(f"/api/v1/referrals/{referral_id}", headers=other_gp).status_code == 404
    assert gateway.get(f"/api/v1/referrals/{referral_id}").status_code == 401

    def archived() -> httpx.Response | None:  # the audit may archive a moment after triage
        found = gateway.get(f"/api/v1/referrals/{referral_id}/timeline", headers=gp)
        types = [e["type"] for e in found.json()["events"]] if found.status_code == 200 else []
        return found if "nl.schakel.referral.triaged.v2" in types else None

    timeline = eventually(archived, what="the GP's timeline up to triage")
    assert timeline.json()["events"][0]["type"] == "nl.schakel.referral.received.v2"
    assert "ps-" not in timeline.text  # the pseudonym is for the owner and auditors
    assert (
        gateway.get(f"/api/v1/referrals/{referral_id}/timeline", headers=other_gp).status_code
        == 404
    )


def test_bad_input_is_refused_at_the_public_url_with_field_and_reason(
    gateway: httpx.Client,
) -> None:
    malformed = gateway.post(
        "/api/v1/signals", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "(body)"
    invalid = gateway.post("/api/v1/signals", json={**SIGNAL, "age_band": "oud"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "age_band"


def test_the_public_url_keeps_metrics_for_the_scraper(gateway: httpx.Client, stack: Stack) -> None:
    assert gateway.get("/metrics").status_code == 401
    scraped = gateway.get("/metrics", headers={"Authorization": f"Bearer {stack.metrics_token}"})
    assert scraped.status_code == 200
    assert 'schakel_http_requests_total{method="GET",route="/metrics",status="401"}' in scraped.text


DEAD_LETTERS = [f"schakel.dlq.{s}" for s in ("triage", "matching", "followup", "feedback", "audit")]
Record = tuple[bytes, bytes, list[tuple[str, bytes]]]  # key, value, headers


def publish(stack: Stack, *records: Record) -> None:
    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap_servers)
        await producer.start()
        try:
            for key, value, headers in records:
                await producer.send_and_wait(TOPIC, value, key=key, headers=headers)
        finally:
            await producer.stop()

    asyncio.run(send())


def dead_lettered(stack: Stack, value: bytes, rounds: int = 120) -> dict[str, dict[str, bytes]]:
    """Headers of the dead letters whose value is ``value``, by topic; polls until every
    consumer's dead-letter topic has one, or ``rounds`` quarter-seconds passed."""

    async def collect() -> dict[str, dict[str, bytes]]:
        consumer = AIOKafkaConsumer(
            *DEAD_LETTERS,
            bootstrap_servers=stack.kafka_bootstrap_servers,
            auto_offset_reset="earliest",
            group_id=None,
        )
        await consumer.start()
        found: dict[str, dict[str, bytes]] = {}
        try:
            for _ in range(rounds):
                for records in (await consumer.getmany(timeout_ms=250)).values():
                    found.update({r.topic: dict(r.headers) for r in records if r.value == value})
                if len(found) == len(DEAD_LETTERS):
                    break
        finally:
            await consumer.stop()
        return found

    return asyncio.run(collect())


def test_garbage_on_the_topic_is_dead_lettered_by_every_consumer_which_carry_on(
    gateway: httpx.Client,
    stack: Stack,
) -> None:
    marker = f"garbage-{uuid.uuid4()}".encode()
    publish(stack, (b"not-a-referral", marker, []))
    found = dead_lettered(stack, marker)
    assert set(found) == set(DEAD_LETTERS)
    for headers in found.values():
        assert headers["dlq-reason"] == b"unreadable"
        assert b"missing CloudEvents header" in headers["dlq-error"]
        assert headers["dlq-origin-topic"] == TOPIC.encode()

    after = gateway.post("/api/v1/signals", json=someone_else())
    receipt = after.json()["receipt"]
    eventually(lambda: status_of(gateway, receipt), what="a signal after the garbage")


def test_an_event_newer_than_the_services_is_archived_and_skipped_not_dead_lettered(
    gateway: httpx.Client,
    stack: Stack,
) -> None:
    """A producer deployed before the others writes a type they do not know yet: the audit
    keeps it as written, the others pass it by, and nothing lands on a dead-letter topic."""
    referral, correlation = f"ref-newer-{uuid.uuid4().hex[:8]}", f"e2e-{uuid.uuid4()}"
    value = json.dumps({"referral_id": referral, "reason": "belde zelf terug"}).encode()
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", uuid.uuid4().hex.encode()),
        ("ce_source", b"/schakel/next"),  # a producer not deployed yet
        ("ce_type", b"nl.schakel.referral.reopened.v1"),
        ("ce_subject", referral.encode()),
        ("ce_time", b"2026-11-23T10:00:00+00:00"),
        ("ce_correlationid", correlation.encode()),
        ("content-type", b"application/json"),
    ]
    publish(stack, (referral.encode(), value, headers))
    auditor = login(gateway, "auditor")

    def archived() -> list[dict[str, Any]] | None:
        found = gateway.get(f"/api/v1/audit/correlations/{correlation}", headers=auditor)
        return list(found.json()["events"]) if found.is_success else None

    [kept] = eventually(archived, what="the newer event in the archive")
    assert kept["type"] == "nl.schakel.referral.reopened.v1"
    assert kept["data"] == {"referral_id": referral, "reason": "belde zelf terug"}
    verified = gateway.get("/api/v1/audit/verify", headers=auditor).json()
    assert verified["report"]["intact"] is True

    after = gateway.post("/api/v1/signals", json=someone_else())  # the others carry on
    eventually(lambda: status_of(gateway, after.json()["receipt"]), what="a later signal")
    assert dead_lettered(stack, value, rounds=8) == {}
