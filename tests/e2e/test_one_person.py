"""One person, one open referral, through the running stack (real Kafka, the MongoDB-protocol
server, every service a process): a second signaler's signal about the same person joins the
open referral and both receipts hear back; an uncertain one waits in the owner's inbox until
the owner confirms it."""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import OWNER_ACCOUNTS, eventually, login, owner_action, take_up

pytestmark = pytest.mark.e2e
ATTACHED = "nl.schakel.referral.signal-attached.v1"
SUSPECTED = "nl.schakel.referral.duplicate-suspected.v1"
CONFIRMED = "nl.schakel.referral.duplicate-confirmed.v1"
RECEIVED = "nl.schakel.referral.received.v2"


def a_person() -> tuple[str, str]:
    """A surname and a birth date no other test uses (the stack is shared)."""
    rng = random.Random(uuid.uuid4().int)
    surname = "Ver" + "".join(rng.choice("bdfgklmnprt") + rng.choice("aeiou") for _ in range(4))
    born = f"19{rng.randint(30, 59)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return surname, born


def signal(name: str, born: str, role: str) -> dict[str, Any]:
    return {
        "signaler_role": role,
        "person": {"name": name, "postcode": "3563 AB", "date_of_birth": born},
        "observations": ["niet_gesproken", "alleen_wonend"],
        "consent_to_contact": True,
    }


def send(gateway: httpx.Client, body: dict[str, Any]) -> tuple[str, str]:
    """(receipt, correlation id) of a signal sent through the public form's API."""
    correlation = f"e2e-one-person-{uuid.uuid4()}"
    answer = gateway.post("/api/v1/signals", json=body, headers={"X-Correlation-ID": correlation})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["receipt"]), correlation


def archived(
    gateway: httpx.Client, auditor: dict[str, str], correlation: str, wanted: str
) -> list[dict[str, Any]]:
    """The archived events of a correlation id, once one of type ``wanted`` is among them."""

    def events() -> list[dict[str, Any]] | None:
        found = gateway.get(f"/api/v1/audit/correlations/{correlation}", headers=auditor)
        kept: list[dict[str, Any]] = found.json().get("events", []) if found.is_success else []
        return kept if any(e["type"] == wanted for e in kept) else None

    return eventually(events, what=f"{wanted} archived for {correlation}")


def stage_of(gateway: httpx.Client, receipt: str, wanted: str) -> dict[str, Any]:
    def status() -> dict[str, Any] | None:
        answer = gateway.get(f"/api/v1/signals/{receipt}/status")
        body: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
        return body if body.get("stage") == wanted else None

    return eventually(status, what=f"receipt {receipt} at stage {wanted}")


def referral_of(gateway: httpx.Client, auditor: dict[str, str], correlation: str) -> str:
    events = archived(gateway, auditor, correlation, RECEIVED)
    [received] = [e for e in events if e["type"] == RECEIVED]
    return str(received["data"]["referral_id"])


def owner_of(gateway: httpx.Client, auditor: dict[str, str], correlation: str) -> dict[str, str]:
    """The owning organisation's demo account, signed in, as triage named it."""
    events = archived(gateway, auditor, correlation, "nl.schakel.referral.triaged.v2")
    [triaged] = [e for e in events if e["type"] == "nl.schakel.referral.triaged.v2"]
    return login(gateway, OWNER_ACCOUNTS[triaged["data"]["owner_organisation"]])


def first_signal(gateway: httpx.Client, body: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """(receipt, referral id, its owner signed in) of a first signal, once triage routed it."""
    auditor = login(gateway, "auditor")
    receipt, correlation = send(gateway, body)
    referral_id = referral_of(gateway, auditor, correlation)
    owner = owner_of(gateway, auditor, correlation)
    stage_of(gateway, receipt, "doorgezet")
    return receipt, referral_id, owner


def test_a_second_signaler_joins_the_open_referral_and_both_hear_back(
    gateway: httpx.Client,
) -> None:
    surname, born = a_person()
    auditor = login(gateway, "auditor")
    first, referral_id, owner = first_signal(
        gateway, signal(f"Hendrik {surname}", born, "fietskoerier")
    )

    # The pharmacist writes the name otherwise (case, a doubled s of the phonetic key).
    second, correlation = send(gateway, signal(f"hendrik {surname.upper()}S", born, "apotheker"))

    events = archived(gateway, auditor, correlation, ATTACHED)
    [attached] = [e for e in events if e["type"] == ATTACHED]
    assert attached["data"]["referral_id"] == referral_id
    assert set(attached["data"]["matched_on"]) == {"name", "birth_date"}
    assert RECEIVED not in [e["type"] for e in events]  # no second referral to triage
    assert surname.lower() not in str(attached).lower() and born not in str(attached)
    assert stage_of(gateway, second, "doorgezet")["receipt"] == second

    # The owner takes the one referral up: both signalers hear it, each on their own code.
    take_up(gateway, owner, referral_id)
    assert stage_of(gateway, first, "in_contact")["receipt"] == first
    joined = stage_of(gateway, second, "in_contact")
    assert joined["receipt"] == second
    assert referral_id not in str(joined)  # a receipt holder never sees a referral id


def test_an_uncertain_match_waits_in_the_owners_inbox_until_the_owner_confirms_it(
    gateway: httpx.Client,
) -> None:
    surname, born = a_person()
    auditor = login(gateway, "auditor")
    first, referral_id, owner = first_signal(gateway, signal(f"Truus {surname}", born, "thuiskok"))

    # A neighbour knows her only as "Mevrouw …": a surname and a birth date are not sure.
    second, correlation = send(gateway, signal(f"Mevrouw {surname}", born, "buurtbewoner"))
    events = archived(gateway, auditor, correlation, SUSPECTED)
    [suspected] = [e for e in events if e["type"] == SUSPECTED]
    signal_id = suspected["data"]["signal_id"]
    assert stage_of(gateway, second, "ontvangen")["receipt"] == second

    def waiting() -> dict[str, Any] | None:
        inbox = gateway.get("/api/v1/inbox", headers=owner).json()
        mine = [d for d in inbox["suspected_duplicates"] if d["signal_id"] == signal_id]
        return mine[0] if mine else None

    shown = eventually(waiting, what="the suspected duplicate in the owner's inbox")
    assert shown["referral_id"] == referral_id
    assert set(shown["matched_on"]) == {"name_partial", "birth_date"}
    assert surname not in str(shown)

    done = owner_action(gateway, owner, referral_id, f"duplicates/{signal_id}/confirm")
    assert done["answer"] == "confirmed"
    again = gateway.post(
        f"/api/v1/referrals/{referral_id}/duplicates/{signal_id}/reject", headers=owner
    )
    assert again.status_code == 409  # answered once

    events = archived(gateway, auditor, correlation, ATTACHED)
    types = [e["type"] for e in events]
    assert types.index(SUSPECTED) < types.index(CONFIRMED) < types.index(ATTACHED)
    [attached] = [e for e in events if e["type"] == ATTACHED]
    assert attached["data"]["confirmed_by_owner"] is True
    assert RECEIVED not in types  # no second referral

    take_up(gateway, owner, referral_id)
    assert stage_of(gateway, first, "in_contact")["receipt"] == first
    assert stage_of(gateway, second, "in_contact")["receipt"] == second
    eventually(lambda: waiting() is None, what="the answered suspicion leaves the inbox")
