"""Deadlines that never sleep, in real processes: a deadline that falls due while followup is
down fires once it is back, once, also when the process is killed again and a second
instance runs beside it. The clock is moved with followup's development-only clock offset."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from schakel.contracts.topics import REFERRAL_EVENTS
from schakel_dev.ports import free_port
from schakel_dev.stack import ServiceProcess, Stack
from tests.e2e.conftest import eventually, in_inbox, login, referral_id_of, whole_topic

pytestmark = pytest.mark.e2e
URGENT = {
    "signaler_role": "thuiskok",
    "person": {"name": "Meneer Klok", "postcode": "3563 AB"},
    "observations": ["ondervoeding", "alleen_wonend"],  # urgent: contact within 24 hours
    "consent_to_contact": True,
}
PASSED = "nl.schakel.referral.deadline-passed.v1"


def urgent_referral(gateway: httpx.Client, auditor: dict[str, str]) -> str:
    correlation = f"deadline-{uuid.uuid4()}"
    sent = gateway.post("/api/v1/signals", json=URGENT, headers={"X-Correlation-ID": correlation})
    assert sent.status_code == 202, sent.text
    return referral_id_of(gateway, auditor, correlation)


def escalated(gateway: httpx.Client, owner: dict[str, str], referral_id: str) -> dict[str, Any]:
    def fired() -> dict[str, Any] | None:
        found = gateway.get(f"/api/v1/inbox/{referral_id}", headers=owner)
        body: dict[str, Any] = found.json() if found.status_code == 200 else {}
        return body if body.get("escalations") else None

    return eventually(fired, within=60, what=f"a deadline of {referral_id} fired")


def passed_on_the_topic(stack: Stack, referral_id: str) -> Counter[str]:
    """Levels of the deadline-passed events of ``referral_id`` on the topic, one per event id
    (the outbox may publish a row twice after a crash; consumers skip the copy by its id)."""
    levels: dict[str, str] = {}
    for record in whole_topic(stack.kafka_bootstrap_servers, REFERRAL_EVENTS):
        if record.key == referral_id.encode() and record.header("ce_type") == PASSED:
            levels[record.header("ce_id") or ""] = json.loads(record.value or b"{}")["level"]
    return Counter(levels.values())


@pytest.fixture
def followup_clock(stack: Stack) -> Iterator[dict[str, str]]:
    """followup's environment, to be given a clock offset; restored (and followup restarted
    on the true clock) afterwards."""
    original = dict(stack["followup"].env)
    yield stack["followup"].env
    stack["followup"].env.clear()
    stack["followup"].env.update(original)
    stack["followup"].restart(timeout=90)


def test_a_deadline_due_while_followup_was_down_fires_once_across_kills_and_two_instances(
    gateway: httpx.Client, stack: Stack, followup_clock: dict[str, str]
) -> None:
    auditor, buurtteam = login(gateway, "auditor"), login(gateway, "buurtteam")
    first = urgent_referral(gateway, auditor)
    shown = in_inbox(gateway, buurtteam, first, status="requested")
    deadline = shown["next_deadline"]
    assert (deadline["kind"], deadline["overdue"]) == ("contact", False)
    due = datetime.fromisoformat(deadline["due_at"])

    stack["followup"].kill()  # the deadline falls due while followup is down
    ahead = (due - datetime.now(UTC)).total_seconds() + 120  # past due, before the coordinator
    followup_clock.update(
        {"SCHAKEL_CLOCK_OFFSET_SECONDS": str(ahead), "SCHAKEL_DEADLINE_POLL_SECONDS": "0.2"}
    )
    stack["followup"].start().wait_ready(90)
    fired = escalated(gateway, buurtteam, first)
    assert [e["level"] for e in fired["escalations"]] == ["herinnering"]
    assert fired["overdue"] is True and fired["next_deadline"]["escalated"] == "herinnering"

    stack["followup"].kill()  # again, and a second instance beside it from now on
    stack["followup"].start()
    port = free_port()
    twin = ServiceProcess(
        "followup-clock-twin",
        "schakel.followup",
        port,
        stack.run_dir,
        {**followup_clock, "SCHAKEL_HTTP_PORT": str(port)},
    )
    twin.start()
    try:
        stack["followup"].wait_ready(90)
        twin.wait_ready(90)
        # A second referral's deadline firing shows both schedulers have run passes since.
        second = urgent_referral(gateway, auditor)
        escalated(gateway, buurtteam, second)
        assert eventually(
            lambda: passed_on_the_topic(stack, second), what="the second reminder published"
        ) == Counter({"herinnering": 1})
        assert passed_on_the_topic(stack, first) == Counter({"herinnering": 1})
        again = gateway.get(f"/api/v1/inbox/{first}", headers=buurtteam).json()
        assert [e["level"] for e in again["escalations"]] == ["herinnering"]
    finally:
        twin.stop()
