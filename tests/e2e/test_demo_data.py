"""`make run`'s demo data, loaded into the running stack: the owners' inboxes show real work,
referrals accepted, in contact, with support started and closed; matching's registry holds
helpers in every district, and the owners' first conversations got proposals from it."""

from __future__ import annotations

import httpx
import pytest

from schakel.matching.postcodes import districts
from schakel_dev import demo
from schakel_dev.demo_followup import FOLLOW_UPS
from schakel_dev.demo_helpers import COORDINATOR
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
    _proposals_came_from_the_registry(gateway, ids)
    registered = _helper_districts(gateway)
    # A second run adds nothing and fails nothing.
    assert demo.main(["--gateway", stack["gateway"].url]) == 0
    assert _helper_districts(gateway) == registered


def _helper_districts(gateway: httpx.Client) -> dict[str, set[str]]:
    """District -> kinds of the demo coordinator's helpers there; every district has each."""
    listed = gateway.get("/api/v1/helpers", headers=login(gateway, COORDINATOR))
    assert listed.status_code == 200, listed.text
    helpers = listed.json()["helpers"]
    found: dict[str, set[str]] = {}
    for helper in helpers:
        district = districts().get(helper["profile"]["postcode_area"])
        if district is not None:
            found.setdefault(district, set()).add(helper["profile"]["kind"])
    assert set(found) == set(districts().values())  # triage's table: a unit test says so
    assert all(kinds == {"maatje", "thuisgekookt", "activiteit"} for kinds in found.values())
    types = {h["profile"]["buddy_type"] for h in helpers if h["profile"]["kind"] == "maatje"}
    assert len(types) >= 4
    diets = {d for h in helpers for d in h["profile"]["diets"]}
    assert len(diets) >= 5
    return found


def _proposals_came_from_the_registry(gateway: httpx.Client, ids: dict[str, str]) -> None:
    """The referrals whose owner recorded a first conversation with consent: at least one
    proposal names a registered demo helper (the others may be waitlisted, or an offer of
    Table 1 where no helper serves their grade)."""
    auditor = login(gateway, "auditor")
    talked = [f.key for f in FOLLOW_UPS if "talk" in f.steps]
    offers = []
    for key in talked:
        answer = gateway.get(f"/api/v1/proposals/{ids[key]}", headers=auditor)
        assert answer.status_code == 200, answer.text
        offers.append(answer.json().get("offer") or {})
    assert any(o.get("provider_organisation") == "aanbod-utrecht" for o in offers), offers
