"""Matching's registry through the real broker (issue 12, "what must be shown"): a referral
is waitlisted because nothing fits; a provider's coordinator registers a home cook who does
(capacity appears: an event), and the referral gets exactly one proposal, for that cook; its
owner declines, and the next proposal names another cook, never the declined one.

The person wants a home cook who cooks both kosher and gluten-free, in Oost: no offer of
Table 1 has a cook there, and no demo cook cooks both, so only the cooks registered here fit.
Each has one place. A referral another test left waitlisted for a home cook, waiting longer
than this one, would be matched first and take it; no other e2e test means to leave one."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from schakel.contracts.topics import HELPER_EVENTS
from schakel.platform.auth import Principal, Role, issue_token
from schakel_dev.stack import Stack
from tests.e2e.conftest import (
    eventually,
    in_inbox,
    login,
    owner_action,
    take_up,
    whole_topic,
)
from tests.e2e.test_lifecycle import prescribe

pytestmark = pytest.mark.e2e

PROPOSED = "nl.schakel.referral.match-proposed.v1"
WAITLISTED = "nl.schakel.referral.waitlisted.v1"
WISHES = {"kinds": ["thuisgekookt"], "diet": ["kosjer", "glutenvrij"], "languages": ["nl"]}


def _bearer(stack: Stack, organisation: str, role: Role) -> dict[str, str]:
    principal = Principal(f"registry-{role.value}", organisation, frozenset({role}))
    return {"Authorization": f"Bearer {issue_token(principal, stack.auth_secret)}"}


def _cook(postcode_area: str) -> dict[str, Any]:
    return {
        "kind": "thuisgekookt",
        "postcode_area": postcode_area,
        "capacity": 1,
        "diets": ["kosjer", "glutenvrij", "zoutarm"],
        "meals_per_week": 3,
    }


def _matching_events(gateway: httpx.Client, auditor: dict[str, str], ref: str) -> list[str]:
    timeline = gateway.get(f"/api/v1/referrals/{ref}/timeline", headers=auditor)
    types = [e["type"] for e in timeline.json().get("events", [])] if timeline.is_success else []
    return [t for t in types if t in (PROPOSED, WAITLISTED)]


def _helper_events(stack: Stack, helper_id: str) -> list[str | None]:
    return [
        r.header("ce_type")
        for r in whole_topic(stack.kafka_bootstrap_servers, HELPER_EVENTS)
        if json.loads(r.value or b"{}").get("helper_id") == helper_id
    ]


def test_waitlisted_then_a_cook_registers_then_one_proposal_then_a_decline_then_another(
    gateway: httpx.Client, stack: Stack
) -> None:
    gp, auditor = login(gateway, "huisarts"), login(gateway, "auditor")
    ref = prescribe(gateway, gp, "3581 AB")["referral_id"]  # Oost

    def owned() -> str | None:
        found = gateway.get(f"/api/v1/referrals/{ref}", headers=auditor)
        return found.json().get("owner_organisation") if found.is_success else None

    owner = _bearer(stack, eventually(owned, what="the owner"), Role.SOCIAAL_MAKELAAR)
    take_up(gateway, owner, ref, wishes=WISHES, grade="licht_tot_matig")
    eventually(lambda: _matching_events(gateway, auditor, ref) == [WAITLISTED], what="the waitlist")
    waiting = eventually(
        lambda: (found := in_inbox(gateway, owner, ref)).get("waitlist_reason") and found,
        what="the waitlist reason in the owner's inbox",
    )
    assert waiting["proposal"] is None

    coordinator = _bearer(stack, "thuisgekookt-utrecht", Role.PROVIDER_COORDINATOR)
    first, second = (f"registry-kok-{uuid.uuid4().hex[:10]}" for _ in range(2))
    registered = gateway.post(
        "/api/v1/helpers", json={"helper_id": first, "profile": _cook("3582")}, headers=coordinator
    )
    assert registered.status_code == 201, registered.text

    proposed = in_inbox(gateway, owner, ref, business_status="support-proposed")
    assert proposed["proposal"]["offer"]["offer_id"] == first
    assert _matching_events(gateway, auditor, ref) == [WAITLISTED, PROPOSED]  # exactly one
    recorded = eventually(lambda: _helper_events(stack, first), what="the helper's event")
    assert recorded == ["nl.schakel.helper.registered.v1"]
    listed = gateway.get("/api/v1/helpers", headers=coordinator).json()["helpers"]
    assert next(h for h in listed if h["helper_id"] == first)["in_use"] == 1

    registered = gateway.post(
        "/api/v1/helpers", json={"helper_id": second, "profile": _cook("3584")}, headers=coordinator
    )
    assert registered.status_code == 201, registered.text
    owner_action(gateway, owner, ref, "support/decline", {"reason": "te_ver_weg"})

    def another() -> dict[str, Any] | None:
        found = in_inbox(gateway, owner, ref)
        offer = (found.get("proposal") or {}).get("offer") or {}
        return found if offer.get("offer_id") not in (None, first) else None

    again = eventually(another, what="the next proposal after the decline")
    assert again["proposal"]["offer"]["offer_id"] == second
    assert again["declined_offers"] == [first]
    events = eventually(
        lambda: (e := _matching_events(gateway, auditor, ref)) and len(e) == 3 and e,
        what="the second proposal in the timeline",
    )
    assert events == [WAITLISTED, PROPOSED, PROPOSED]
