"""`make run`'s demo data, loaded into the running stack: the owners' inboxes show real work,
referrals accepted, in contact, with support started and closed."""

from __future__ import annotations

import httpx
import pytest

from schakel_dev import demo
from schakel_dev.demo_followup import FOLLOW_UPS
from schakel_dev.stack import Stack
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_the_demo_leaves_referrals_in_several_states_of_their_lifecycle(
    gateway: httpx.Client, stack: Stack
) -> None:
    assert demo.main(["--gateway", stack["gateway"].url]) == 0

    with httpx.Client(base_url=stack["gateway"].url, trust_env=False, timeout=15) as client:
        ids = demo.referral_ids(client, [demo.Sent(f.key, f.key, "-") for f in FOLLOW_UPS])
    states = {}
    for follow_up in FOLLOW_UPS:
        owner = login(gateway, follow_up.owner)
        shown = gateway.get(f"/api/v1/inbox/{ids[follow_up.key]}", headers=owner).json()
        states[follow_up.key] = (shown["status"], shown["business_status"])
    assert states["demo-referral-dekker"] == ("completed", "support-started")
    assert states["demo-referral-yilmaz"] == ("in-progress", "support-started")
    # In contact: matching's answer (a proposal, or a waitlist) may have come already.
    assert states["demo-referral-jansen"] in {
        ("in-progress", "contact-made"),
        ("in-progress", "support-proposed"),
    }
    assert states["demo-signal-apotheek-overvecht"] == ("accepted", None)
    closed = gateway.get("/api/v1/inbox?closed=true", headers=login(gateway, "makelaar")).json()
    assert ids["demo-referral-dekker"] in {r["referral_id"] for r in closed["referrals"]}
    # A second run adds nothing and fails nothing.
    assert demo.main(["--gateway", stack["gateway"].url]) == 0
