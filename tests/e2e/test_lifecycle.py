"""Referrals followed to an end through the real broker: owners act through the gateway,
followup decides, matching proposes, feedback tells the GP (FHIR Task over HTTP, records on
schakel.gp-feedback) and the signaler (the receipt's status)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from schakel.contracts.topics import GP_FEEDBACK
from schakel_dev.stack import Stack
from tests.contract.validators import fhir_problems
from tests.e2e.conftest import (
    eventually,
    in_inbox,
    login,
    owner_action,
    referral_id_of,
    take_up,
    whole_topic,
)

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


def signal(gateway: httpx.Client, postcode: str, *observations: str) -> tuple[str, str]:
    """A neighbour's signal: its referral id (from the audit's archive) and receipt."""
    body = {
        "signaler_role": "buurtbewoner",
        "person": {"name": "Meneer Pad", "postcode": postcode},
        "observations": list(observations),
        "consent_to_contact": True,
    }
    correlation = f"lifecycle-{uuid.uuid4()}"
    sent = gateway.post("/api/v1/signals", json=body, headers={"X-Correlation-ID": correlation})
    assert sent.status_code == 202, sent.text
    referral_id = referral_id_of(gateway, login(gateway, "auditor"), correlation)
    return referral_id, str(sent.json()["receipt"])


def test_a_rejected_referral_goes_to_the_next_owner_and_each_keeps_its_part(
    gateway: httpx.Client, stack: Stack
) -> None:
    gp, makelaar, buurtteam = (login(gateway, u) for u in ("huisarts", "makelaar", "buurtteam"))
    referral_id = prescribe(gateway, gp, "3562 EK")["referral_id"]
    in_inbox(gateway, makelaar, referral_id, status="requested")

    rejected = owner_action(gateway, makelaar, referral_id, "reject", {"reason": "geen_capaciteit"})
    assert (rejected["status"], rejected["owner_organisation"]) == (
        "rejected",
        "coordinatiepunt-eenzaamheid",
    )

    routed = in_inbox(gateway, buurtteam, referral_id, status="requested")
    assert routed["rejected_by"] == ["sociaal-makelaars-overvecht"]
    assert gateway.get(f"/api/v1/inbox/{referral_id}", headers=makelaar).status_code == 404
    # The organisation that rejected it still reads what happened, as every owner did.
    timeline = gateway.get(f"/api/v1/referrals/{referral_id}/timeline", headers=makelaar)
    assert timeline.status_code == 200

    def task_rerouted() -> dict[str, Any] | None:
        task: dict[str, Any] = fhir_task(gateway, gp, referral_id).json()
        owner = task.get("owner", {}).get("identifier", {}).get("value")
        return task if owner == "buurtteam-overvecht" else None

    task = eventually(task_rerouted, what="the GP's Task naming the next owner")
    assert task["status"] == "requested" and fhir_problems(task) == []

    def rerouted() -> list[dict[str, Any]] | None:
        found = [u for u in gp_updates(stack, referral_id) if u["update"] == "rerouted"]
        return found or None

    [update] = eventually(rerouted, what="a rerouted update on the GP topic")
    assert update["owner_organisation"] == "buurtteam-overvecht"


def test_a_transfer_hands_the_referral_on_and_the_signaler_reads_passed_on_again(
    gateway: httpx.Client,
) -> None:
    makelaar, zuilen = login(gateway, "makelaar"), login(gateway, "makelaar-zuilen")
    referral_id, receipt = signal(gateway, "3563 AB", "weinig_contact")
    in_inbox(gateway, makelaar, referral_id, status="requested")
    owner_action(gateway, makelaar, referral_id, "accept")

    moved = owner_action(
        gateway,
        makelaar,
        referral_id,
        "transfer",
        {
            "to_organisation": "sociaal-makelaars-noordwest",
            "to_name": "Sociaal makelaars Noordwest",
            "to_route": "sociaal_makelaar",
            "reason": "andere_wijk",
        },
    )
    assert moved["status"] == "requested"
    in_inbox(gateway, zuilen, referral_id, status="requested")
    owner_action(gateway, zuilen, referral_id, "accept")

    def passed_on_and_taken_up_again() -> dict[str, Any] | None:
        status: dict[str, Any] = gateway.get(f"/api/v1/signals/{receipt}/status").json()
        stages = [s["stage"] for s in status.get("stages", [])]
        return status if stages[-3:] == ["opgepakt", "doorgezet", "opgepakt"] else None

    status = eventually(passed_on_and_taken_up_again, what="the signaler's stages")
    assert "noordwest" not in json.dumps(status).lower()  # never which organisation


def test_a_declined_offer_is_followed_by_another_never_the_same(gateway: httpx.Client) -> None:
    gp, makelaar = login(gateway, "huisarts"), login(gateway, "makelaar")
    referral_id = prescribe(gateway, gp, "3562 EK")["referral_id"]
    take_up(gateway, makelaar, referral_id)
    first = in_inbox(gateway, makelaar, referral_id, business_status="support-proposed")
    declined_offer = first["proposal"]["offer"]["offer_id"]

    owner_action(gateway, makelaar, referral_id, "support/decline", {"reason": "te_ver_weg"})

    def another() -> dict[str, Any] | None:
        found = in_inbox(gateway, makelaar, referral_id)
        offer = (found.get("proposal") or {}).get("offer", {})
        proposed = found["business_status"] == "support-proposed"
        return found if proposed and offer.get("offer_id") != declined_offer else None

    again = eventually(another, what="another proposal after the decline")
    assert again["declined_offers"] == [declined_offer]


def test_a_concern_from_the_gp_makes_the_referral_urgent_and_the_owner_must_act_within_hours(
    gateway: httpx.Client,
) -> None:
    gp, makelaar = login(gateway, "huisarts"), login(gateway, "makelaar")
    referral_id = prescribe(gateway, gp, "3562 EK")["referral_id"]
    in_inbox(gateway, makelaar, referral_id, status="requested")
    owner_action(gateway, makelaar, referral_id, "accept")

    reported = gateway.post(
        "/api/v1/concerns",
        json={
            "referral_id": referral_id,
            "observations": ["ondervoeding", "verwaarlozing"],
            "note": "Patiënte is sterk afgevallen",
        },
        headers=gp,
    )
    assert reported.status_code == 202, reported.text

    urgent = in_inbox(gateway, makelaar, referral_id, urgency="direct")
    assert urgent["concern_open"] is True and urgent["concerns"] == 1
    assert urgent["next_deadline"]["kind"] == "concern"
    due = datetime.fromisoformat(urgent["next_deadline"]["due_at"])
    reported_at = datetime.fromisoformat(urgent["last_concern_at"])
    assert due - reported_at == timedelta(hours=4)
    [raised] = [h for h in urgent["history"] if h["type"].endswith("concern-raised.v1")]
    assert (raised["note"], raised["actor_role"]) == ("Patiënte is sterk afgevallen", "huisarts")
    listed = gateway.get("/api/v1/inbox", headers=makelaar).json()["referrals"]
    first_urgent = next(r for r in listed if r["urgency"] == "direct")
    assert first_urgent["concern_open"] is True  # an open concern comes first
