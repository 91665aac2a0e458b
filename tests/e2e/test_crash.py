"""Crash test: services are killed with SIGKILL while signals flow and then restarted.
Every signal still ends as exactly one referral, with each lifecycle event archived once."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from schakel_dev.stack import Stack
from tests.e2e.conftest import eventually, login

pytestmark = pytest.mark.e2e
MIN_SIGNALS = 40
MAX_SIGNALS = 150
PACE_SECONDS = 0.25
VICTIMS = ("triage", "matching", "feedback", "audit", "intake")


def signal(n: int) -> dict[str, Any]:
    postcodes = ("3562 AB", "3554 CD", "3526 EF", "3543 GH", "3512 JK")
    observations: tuple[list[str], ...] = (
        ["somber"],
        ["ondervoeding"],
        ["recent_verlies"],
        ["weinig_contact"],
        [],
    )
    return {
        "signaler_role": "buurtbewoner",
        "person": {"name": f"Crash Test {n}", "postcode": postcodes[n % 5]},
        "observations": observations[n % 5],
        "consent_to_contact": True,
    }


def post_until_accepted(client: httpx.Client, n: int, key: str) -> str:
    """What a well-behaved client does: retry with the same Idempotency-Key until answered."""
    for _ in range(300):
        try:
            answer = client.post(
                "/api/v1/signals", json=signal(n), headers={"Idempotency-Key": key}
            )
            if answer.status_code in (200, 202):
                receipt: str = answer.json()["receipt"]
                return receipt
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"signal {n} was never accepted")


def send_signals(stack: Stack, receipts: dict[str, str], stop: threading.Event) -> None:
    """Post signals at a steady pace until told to stop (at least MIN, at most MAX)."""
    with httpx.Client(base_url=stack["gateway"].url, timeout=10, trust_env=False) as client:
        for n in range(MAX_SIGNALS):
            if stop.is_set() and n >= MIN_SIGNALS:
                return
            key = f"crash-{uuid.uuid4()}"
            receipts[key] = post_until_accepted(client, n, key)
            time.sleep(PACE_SECONDS)


def kill_and_restart_each(stack: Stack) -> None:
    for victim in VICTIMS:
        time.sleep(0.7)
        stack[victim].kill()
        time.sleep(0.3)
        stack[victim].restart(timeout=90)


def test_kill_9_of_each_service_loses_nothing_and_doubles_nothing(
    stack: Stack,
    gateway: httpx.Client,
    mongodb_uri: str,
) -> None:
    receipts: dict[str, str] = {}
    stop = threading.Event()
    sender = threading.Thread(target=send_signals, args=(stack, receipts, stop))
    sender.start()
    try:
        kill_and_restart_each(stack)
        time.sleep(1.0)
    finally:
        stop.set()
        sender.join(timeout=300)
    signals = len(receipts)
    assert signals >= MIN_SIGNALS

    mongo: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri)
    try:
        referrals = list(
            mongo["schakel_intake"]["referrals"].find(
                {"receipt_hash": {"$in": [_hash(r) for r in receipts.values()]}}
            )
        )
        assert len(referrals) == signals  # one referral per signal, none lost, none doubled
        ids = [r["_id"] for r in referrals]
        archive = mongo["schakel_audit"]["archive"]

        def settled() -> list[dict[str, Any]] | None:
            rows = list(archive.find({"subject": {"$in": ids}}, {"type": 1, "subject": 1}))
            feedback = Counter(r["subject"] for r in rows if "feedback-recorded" in r["type"])
            done = len(feedback) == signals and all(c >= 3 for c in feedback.values())
            return rows if done else None

        rows = eventually(settled, within=300, what="every referral archived to the end")
    finally:
        mongo.close()

    per_referral = Counter((r["subject"], r["type"].rsplit(".", 1)[0]) for r in rows)
    for referral_id in ids:
        assert per_referral[(referral_id, "nl.schakel.referral.received")] == 1
        assert per_referral[(referral_id, "nl.schakel.referral.triaged")] == 1
        assert (
            per_referral[(referral_id, "nl.schakel.referral.match-proposed")]
            + per_referral[(referral_id, "nl.schakel.referral.waitlisted")]
        ) == 1
        assert per_referral[(referral_id, "nl.schakel.referral.feedback-recorded")] == 3
    verify = gateway.get("/api/v1/audit/verify", headers=login(gateway, "auditor"))
    assert verify.status_code == 200 and verify.json()["report"]["intact"] is True, verify.text


def _hash(receipt: str) -> str:
    from schakel_contracts.receipts import receipt_hash

    return receipt_hash(receipt)
