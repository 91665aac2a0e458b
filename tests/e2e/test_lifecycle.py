"""Referrals followed to an end through the real broker: owners act through the gateway,
followup decides, matching proposes, feedback tells the GP (FHIR Task over HTTP, records on
schakel.gp-feedback) and the signaler (the receipt's status)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from schakel.contracts.topics import GP_FEEDBACK
from schakel_dev.stack import Stack
from tests.contract.validators import fhir_problems
from tests.e2e.conftest import eventually, in_inbox, login, owner_action, take_up, whole_topic

pytestmark = pytest.mark.e2e


def prescribe(gateway: httpx.Client, gp: dict[str, str], postcode: str) -> dict[str, Any]:
    """A GP's wellbeing prescription; its referral id and receipt."""
    body = {
        "patient": {"name": "Mevrouw Levenspad", "postcode": postcode},
        "observations": ["somber", "weinig_contact"],
        "djg_score": 4,
        "consent_to_contact": True,
    }
    sent = gateway.post("/api/v1/referrals", json=body, headers=gp)
    assert sent.status_code == 202, sent.text
    answer: dict[str, Any] = sent.json()
    return answer


def fhir_task(gateway: httpx.Client, gp: dict[str, str], referral_id: str) -> httpx.Response:
    return gateway.get(f"/api/v1/fhir/Task/{referral_id}", headers=gp)


def gp_updates(stack: Stack, referral_id: str) -> list[dict[str, Any]]:
    records = whole_topic(stack.kafka_bootstrap_servers, GP_FEEDBACK)
    return [json.loads(r.value or b"{}") for r in records if r.key == referral_id.encode()]


def test_the_plain_path_to_closed_and_the_gp_and_the_signaler_hear_the_outcome(
    gateway: httpx.Client, stack: Stack
) -> None:
    gp, other_gp = login(gateway, "huisarts"), login(gateway, "huisarts-zuilen")
    makelaar = login(gateway, "makelaar")
    sent = prescribe(gateway, gp, "3562 EK")
    referral_id, receipt = sent["referral_id"], sent["receipt"]

    talked = take_up(gateway, makelaar, referral_id, wishes={"languages": ["nl"]})
    assert talked["business_status"] == "contact-made"
    proposed = in_inbox(gateway, makelaar, referral_id, business_status="support-proposed")
    assert proposed["proposal"]["offer"]["offer_id"]
    owner_action(gateway, makelaar, referral_id, "support/confirm")
    started = owner_action(gateway, makelaar, referral_id, "support/start")
    kind = started["support"]["kind"]
    closed = owner_action(
        gateway, makelaar, referral_id, "close", {"outcome": "hulp_gekregen", "djg_score": 2}
    )
    assert (closed["status"], closed["allowed_actions"]) == ("completed", [])

    def task_closed() -> httpx.Response | None:
        answer = fhir_task(gateway, gp, referral_id)
        return (
            answer if answer.status_code == 200 and answer.json()["status"] == "completed" else None
        )

    task = eventually(task_closed, what="the GP's Task completed")
    assert task.headers["content-type"].startswith("application/fhir+json")
    resource = task.json()
    assert fhir_problems(resource) == []
    assert resource["basedOn"] == [{"reference": f"ServiceRequest/{referral_id}"}]
    outputs = {o["type"]["coding"][0]["code"]: o for o in resource["output"]}
    assert outputs["accepted-by"]["valueReference"]["identifier"]["value"] == (
        "sociaal-makelaars-overvecht"
    )
    assert outputs["support-kind"]["valueCodeableConcept"]["coding"][0]["code"] == kind
    assert outputs["outcome"]["valueCodeableConcept"]["coding"][0]["code"] == "hulp_gekregen"
    assert fhir_task(gateway, other_gp, referral_id).status_code == 404
    assert fhir_task(gateway, makelaar, referral_id).status_code == 404  # the referrer's only

    seen = gateway.get(f"/api/v1/referrals/{referral_id}", headers=gp).json()
    assert (seen["task_status"], seen["outcome"], seen["support_kind"]) == (
        "completed",
        "hulp_gekregen",
        kind,
    )
    assert seen["accepted_by"]["role"] == "sociaal_makelaar"

    def three_updates() -> list[dict[str, Any]] | None:
        found = gp_updates(stack, referral_id)
        return found if len(found) >= 3 else None

    updates = eventually(three_updates, what="three updates on the GP topic")
    assert [u["update"] for u in updates] == ["accepted", "support_started", "closed"]
    assert {u["referrer_organisation"] for u in updates} == {"huisartsenpraktijk-overvecht"}
    assert updates[-1]["outcome"] == "hulp_gekregen" and updates[-1]["djg_score"] == 2

    status = gateway.get(f"/api/v1/signals/{receipt}/status").json()
    assert (status["stage"], status["outcome"]) == ("afgesloten", "hulp_gevonden")
    assert status["status_text"]["nl"] == "Uw melding is afgesloten: er is hulp gevonden."
    assert [s["stage"] for s in status["stages"]] == [
        "ontvangen",
        "doorgezet",
        "opgepakt",
        "in_contact",
        "hulp_gestart",
        "afgesloten",
    ]
