"""Faults while signals flow: each service killed with SIGKILL, each service stopped with
SIGTERM, and the Kafka broker killed with SIGKILL, each followed by a restart. Every signal
still ends as exactly one referral with each lifecycle event archived once; the books
(tests/e2e/accounting.py) balance before and after, and each fault shows it hit a crash
window."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from schakel_dev.ports import free_port
from schakel_dev.stack import ServiceProcess, Stack
from tests.e2e.accounting import Ledger, Totals, assert_books_balance, faults
from tests.e2e.conftest import log_lines, login
from tests.support import DevServers, report, seconds_left, wait_deadline

pytestmark = pytest.mark.e2e
MIN_SIGNALS = 40
MAX_SIGNALS = 150
PACE_SECONDS = 0.25
# Longer than the MongoDB client's server selection timeout (5 s), so the outage is not just
# waited out inside one call: handlers, relays and intake's HTTP answers have to fail and retry.
OUTAGE_SECONDS = 8.0
SERVICES = ("triage", "matching", "followup", "feedback", "audit", "intake")
POSTCODES = ("3562 AB", "3554 CD", "3526 EF", "3543 GH", "3512 JK")
OBSERVATIONS: tuple[list[str], ...] = (
    ["somber"],
    ["ondervoeding"],
    ["recent_verlies"],
    ["weinig_contact"],
    [],
)


def signal(n: int) -> dict[str, Any]:
    return {
        "signaler_role": "buurtbewoner",
        "person": {"name": f"Crash Test {n}", "postcode": POSTCODES[n % 5]},
        "observations": OBSERVATIONS[n % 5],
        "consent_to_contact": True,
    }


class Sender:
    """A well-behaved client posting signals at a steady pace: it retries with the same
    Idempotency-Key until answered, and keeps count of the refusals it got meanwhile."""

    def __init__(self, stack: Stack, before: Totals) -> None:
        self.url = stack["gateway"].url
        self.ledger = Ledger.of(stack)
        self.before = before  # the books before the first signal
        self.receipts: dict[str, str] = {}
        self.refusals: Counter[int] = Counter()  # status codes other than 200/202
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10, trust_env=False) as client:
            for n in range(MAX_SIGNALS):
                if self.stop.is_set() and n >= MIN_SIGNALS:
                    return
                key = f"crash-{uuid.uuid4()}"
                self.receipts[key] = self.post_until_accepted(client, n, key)
                time.sleep(PACE_SECONDS)

    def post_until_accepted(self, client: httpx.Client, n: int, key: str) -> str:
        deadline, limit = wait_deadline(120)
        while time.monotonic() < deadline:
            try:
                answer = client.post(
                    "/api/v1/signals", json=signal(n), headers={"Idempotency-Key": key}
                )
                if answer.status_code in (200, 202):
                    receipt: str = answer.json()["receipt"]
                    return receipt
                self.refusals[answer.status_code] += 1
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"signal {n} was not accepted {limit}")


def while_signals_flow(stack: Stack, disrupt: Callable[[], None]) -> Sender:
    """Run ``disrupt`` while a client keeps posting signals; the client, with its receipts."""
    sender = Sender(stack, Ledger.of(stack).settled_totals())
    thread = threading.Thread(target=sender.run)
    thread.start()
    try:
        disrupt()
        time.sleep(1.0)
    finally:
        sender.stop.set()
        thread.join(timeout=seconds_left())
    assert not thread.is_alive(), "the client was still posting when the test ran out of time"
    assert len(sender.receipts) >= MIN_SIGNALS
    return sender


def assert_each_signal_handled_exactly_once(
    mongodb_uri: str, sender: Sender, gateway: httpx.Client
) -> dict[str, int]:
    """The books balance once the system has settled; what the faults cost (to assert that
    they hit)."""
    after = sender.ledger.settled_totals()
    receipts = list(sender.receipts.values())
    assert_books_balance(sender.ledger, sender.before, after, receipts)
    ids = sorted(after.referrals - sender.before.referrals)
    mongo: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri)
    try:
        archive = mongo["schakel_audit"]["archive"]
        rows = list(archive.find({"subject": {"$in": ids}}, {"type": 1, "subject": 1}))
    finally:
        mongo.close()
    per_referral = Counter((r["subject"], r["type"].rsplit(".", 2)[-2]) for r in rows)
    for referral_id in ids:
        counts = {
            kind: per_referral[(referral_id, kind)]
            for kind in ("received", "triaged", "match-proposed", "waitlisted", "feedback-recorded")
        }
        assert counts["received"] == counts["triaged"] == 1, (referral_id, counts)
        # Nothing is proposed before the owner's first conversation.
        assert counts["match-proposed"] + counts["waitlisted"] == 0, (referral_id, counts)
        assert counts["feedback-recorded"] == 1, (referral_id, counts)
    verify = gateway.get("/api/v1/audit/verify", headers=login(gateway, "auditor"))
    assert verify.status_code == 200 and verify.json()["report"]["intact"] is True, verify.text
    cost = faults(sender.before, after)
    costs = ", ".join(f"{what}: {n}" for what, n in cost.items())
    report("fault tests", [f"{len(receipts)} signals; {costs}"])
    return cost


ABSORBED = "redeliveries absorbed by the markers"


def test_kill_9_of_each_service_loses_nothing_and_doubles_nothing(
    stack: Stack, gateway: httpx.Client, mongodb_uri: str
) -> None:
    def kill_each() -> None:
        for victim in SERVICES:
            time.sleep(0.7)
            stack[victim].kill()
            time.sleep(0.3)
            stack[victim].restart(timeout=90)

    sender = while_signals_flow(stack, kill_each)
    cost = assert_each_signal_handled_exactly_once(mongodb_uri, sender, gateway)
    # Killed with records handled and not yet committed: they came again and were absorbed.
    assert cost[ABSORBED] > 0, cost


def test_graceful_stop_of_each_service_finishes_its_work_and_exits_cleanly(
    stack: Stack, gateway: httpx.Client, mongodb_uri: str
) -> None:
    exit_codes: dict[str, int | None] = {}
    clean_stops: dict[str, int] = {}

    def stop_each() -> None:
        for name in SERVICES:
            time.sleep(0.7)
            before = stopped_lines(stack, name)
            exit_codes[name] = stack[name].stop(timeout=30)
            clean_stops[name] = stopped_lines(stack, name) - before
            stack[name].restart(timeout=90)

    sender = while_signals_flow(stack, stop_each)
    # uvicorn re-raises SIGTERM once it has shut down, so the status is -15, not a SIGKILL
    # (-9) after the 30 s deadline; the log shows the shutdown ran to its end.
    assert exit_codes == dict.fromkeys(SERVICES, -15)
    assert clean_stops == dict.fromkeys(SERVICES, 1)
    assert_each_signal_handled_exactly_once(mongodb_uri, sender, gateway)


def stopped_lines(stack: Stack, name: str) -> int:
    return sum(
        1 for line in log_lines(stack[name].log_path) if line.get("event") == "service stopped"
    )


def test_kill_9_of_the_broker_loses_nothing_and_doubles_nothing(
    stack: Stack, gateway: httpx.Client, mongodb_uri: str, dev_servers: DevServers
) -> None:
    def kill_broker() -> None:
        time.sleep(2.0)
        dev_servers.kafka.kill()
        time.sleep(2.0)
        dev_servers.kafka.start(timeout=120)
        time.sleep(2.0)

    sender = while_signals_flow(stack, kill_broker)
    cost = assert_each_signal_handled_exactly_once(mongodb_uri, sender, gateway)
    # Sends in flight when the broker died were retried (the idempotent producer's window).
    assert cost["sends the producer retried"] > 0, cost


def test_kill_9_of_the_database_loses_nothing_and_doubles_nothing(
    stack: Stack, gateway: httpx.Client, mongodb_uri: str, dev_servers: DevServers
) -> None:
    """Every service loses its database at once: handlers and the outbox relay wait for it,
    signals posted meanwhile are retried by the client, and nothing is applied twice."""

    def kill_database() -> None:
        time.sleep(2.0)
        dev_servers.mongo.kill()
        time.sleep(OUTAGE_SECONDS)
        dev_servers.mongo.start(timeout=60)
        time.sleep(2.0)

    sender = while_signals_flow(stack, kill_database)
    # Signals posted during the outage were refused with "try again" (503), never a 500.
    assert sender.refusals[503] >= 1 and 500 not in sender.refusals, sender.refusals
    cost = assert_each_signal_handled_exactly_once(mongodb_uri, sender, gateway)
    # Every relay met the outage in the middle of a pass and tried again.
    assert cost["relay passes that failed"] > 0, cost


def test_two_instances_of_each_consumer_share_the_work_and_survive_one_killed(
    stack: Stack, gateway: httpx.Client, mongodb_uri: str
) -> None:
    """Scaled out: a second process of each consuming service joins its consumer group (and
    runs its own outbox relay). One of each pair is killed with SIGKILL while signals flow; the
    other takes its partitions over. Still exactly once."""
    consumers = ("triage", "matching", "followup", "feedback", "audit")
    twins = {name: twin_of(stack, name) for name in consumers}
    try:
        for twin in twins.values():
            twin.start()
        for twin in twins.values():
            twin.wait_ready(90)

        def kill_one_of_each() -> None:
            time.sleep(3.0)
            for name in consumers:
                stack[name].kill()
            time.sleep(2.0)
            for name in consumers:
                stack[name].restart(timeout=90)

        sender = while_signals_flow(stack, kill_one_of_each)
        cost = assert_each_signal_handled_exactly_once(mongodb_uri, sender, gateway)
        assert cost[ABSORBED] > 0, cost
        for name, twin in twins.items():  # both processes of each pair did part of the work
            assert handled_events(twin.log_path) > 0, f"{name} twin handled nothing"
            assert handled_events(stack[name].log_path) > 0, f"{name} handled nothing"
    finally:
        for twin in twins.values():
            twin.stop()


def twin_of(stack: Stack, name: str) -> ServiceProcess:
    port = free_port()
    env = {**stack[name].env, "SCHAKEL_HTTP_PORT": str(port)}
    return ServiceProcess(f"{name}-twin", stack[name].module, port, stack.run_dir, env)


def handled_events(log_path: Path) -> int:
    return sum(1 for line in log_lines(log_path) if line.get("event") == "event handled")
