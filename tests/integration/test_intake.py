"""Intake over HTTP with real MongoDB and Kafka: what a signaler and a GP practice notice,
and what an attacker reading the database or the event stream would not find."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from schakel.intake.adapters import PERSONS, MongoIntakeUnitOfWork
from schakel.intake.app import build
from schakel.platform.auth import Principal, Role, issue_token
from schakel.platform.mongo import OUTBOX

pytestmark = pytest.mark.integration
SIGNAL: dict[str, Any] = {
    "signaler_role": "fietskoerier",
    "person": {"name": "Mevrouw Bakker", "phone": "030 765 4321", "postcode": "3563 cd"},
    "observations": ["niet_gesproken", "alleen_wonend"],
    "age_band": "80+",
    "consent_to_contact": True,
    "note": "Ze klonk hees om twaalf uur 's middags.",
}


async def outbox(app: FastAPI) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await app.state.runtime.store.db[OUTBOX].find().to_list()
    return rows


async def test_signal_gets_a_receipt_and_a_pseudonymous_event(
    client: httpx.AsyncClient,
    intake: FastAPI,
) -> None:
    answer = await client.post(
        "/api/v1/signals", json=SIGNAL, headers={"X-Correlation-ID": "corr-intake-1"}
    )
    assert answer.status_code == 202
    receipt = answer.json()["receipt"]
    assert answer.json()["status_url"] == f"/api/v1/signals/{receipt}/status"
    [row] = await outbox(intake)
    value = bytes(row["value"]).decode()
    headers = {name: bytes(raw).decode() for name, raw in row["headers"]}
    assert headers["ce_type"] == "nl.schakel.referral.received.v2"
    assert headers["ce_correlationid"] == "corr-intake-1"
    payload = json.loads(value)
    assert payload["postcode_area"] == "3563"
    # Short phone fragments occur by chance in timestamps and ids: look for the number itself.
    for personal in ("Bakker", "765 4321", "7654321", "3563 CD", "3563CD", "hees", receipt):
        assert personal.lower() not in value.lower()


async def test_person_details_are_encrypted_at_rest_and_can_be_shredded(
    client: httpx.AsyncClient,
    intake: FastAPI,
) -> None:
    await client.post("/api/v1/signals", json=SIGNAL)
    [row] = await outbox(intake)
    pseudonym = json.loads(bytes(row["value"]))["person_pseudonym"]
    db = intake.state.runtime.store.db
    stored = await db[PERSONS].find_one({"_id": pseudonym})
    assert stored is not None and b"Bakker" not in bytes(stored["ciphertext"])
    vault = MongoIntakeUnitOfWork(intake.state.runtime.store, within=5.0)
    sealed = await vault(lambda records: records.sealed_person(pseudonym))
    assert sealed is not None
    details = intake.state.sealer.open(sealed)
    assert details["name"] == "Mevrouw Bakker"
    assert details["postcode"] == "3563 CD"
    assert await vault(lambda records: records.shred_person(pseudonym))
    assert await db[PERSONS].find_one({"_id": pseudonym}) is None
    assert await vault(lambda records: records.sealed_person(pseudonym)) is None


async def test_retry_with_the_same_key_is_accepted_once(
    client: httpx.AsyncClient,
    intake: FastAPI,
) -> None:
    key = {"Idempotency-Key": "form-retry-1"}
    first = await client.post("/api/v1/signals", json=SIGNAL, headers=key)
    second = await client.post("/api/v1/signals", json=SIGNAL, headers=key)
    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["receipt"] == second.json()["receipt"]
    assert len(await outbox(intake)) == 1
    changed = await client.post("/api/v1/signals", json={**SIGNAL, "djg_score": 4}, headers=key)
    assert changed.status_code == 409


async def test_a_retry_landing_on_another_instance_at_once_is_accepted_once(
    client: httpx.AsyncClient,
    intake: FastAPI,
) -> None:
    """Two intake processes share one database; a client's retry may reach the other one
    while the first attempt is still running. Still one referral, one receipt."""
    twin = build(intake.state.settings)
    async with twin.router.lifespan_context(twin):
        await twin.state.runtime.relay.stop()
        transport = httpx.ASGITransport(app=twin)
        async with httpx.AsyncClient(transport=transport, base_url="http://twin") as other:
            for attempt in range(5):
                key = {"Idempotency-Key": f"race-{attempt}"}
                answers = await asyncio.gather(
                    client.post("/api/v1/signals", json=SIGNAL, headers=key),
                    other.post("/api/v1/signals", json=SIGNAL, headers=key),
                )
                assert sorted(a.status_code for a in answers) == [200, 202], attempt
                assert answers[0].json()["receipt"] == answers[1].json()["receipt"]
    assert len(await outbox(intake)) == 5  # one received event per signal


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ("{not json", "(body)", "malformed JSON"),
        ({"person": {"name": "A"}}, "person.postcode", "Field required"),
        ({**SIGNAL, "observations": ["eenzaam"]}, "observations.0", "Input should be"),
        ({**SIGNAL, "djg_score": 9}, "djg_score", "less than or equal to 6"),
        ({**SIGNAL, "person": {"name": "A", "postcode": "1234"}}, "person.postcode", "Dutch"),
        ({**SIGNAL, "bsn": "123456782"}, "bsn", "Extra inputs are not permitted"),
    ],
)
async def test_bad_input_gets_422_naming_field_and_reason(
    client: httpx.AsyncClient,
    intake: FastAPI,
    body: Any,
    field: str,
    reason: str,
) -> None:
    content = body if isinstance(body, str) else json.dumps(body)
    answer = await client.post(
        "/api/v1/signals", content=content, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert any(e["field"] == field and reason in e["reason"] for e in errors), errors
    assert await outbox(intake) == []


async def test_only_gp_practices_send_prescriptions_and_they_are_named_as_referrer(
    client: httpx.AsyncClient,
    intake: FastAPI,
) -> None:
    body = {
        "patient": {"name": "Dhr. Yilmaz", "postcode": "3526 KL"},
        "observations": ["somber"],
        "consent_to_contact": True,
    }
    secret = intake.state.settings.auth_secret
    gp = issue_token(
        Principal("dr-a", "huisartsenpraktijk-kanaleneiland", frozenset({Role.HUISARTS})), secret
    )
    pharmacy = issue_token(
        Principal("apo", "apotheek-x", frozenset({Role.SIGNALERINGSPARTNER})), secret
    )
    assert (await client.post("/api/v1/referrals", json=body)).status_code == 401
    forbidden = await client.post(
        "/api/v1/referrals", json=body, headers={"Authorization": f"Bearer {pharmacy}"}
    )
    assert forbidden.status_code == 403
    ok = await client.post(
        "/api/v1/referrals", json=body, headers={"Authorization": f"Bearer {gp}"}
    )
    assert ok.status_code == 202 and ok.json()["referral_id"].startswith("ref-")
    [row] = await outbox(intake)
    payload = json.loads(bytes(row["value"]))
    assert (payload["channel"], payload["prescribed_to"]) == (
        "welzijn_op_recept",
        "sociaal_makelaar",
    )
    assert payload["signaler"] == {
        "role": "huisarts",
        "organisation": "huisartsenpraktijk-kanaleneiland",
    }
    no_consent = await client.post(
        "/api/v1/referrals",
        json={**body, "consent_to_contact": False},
        headers={"Authorization": f"Bearer {gp}"},
    )
    assert no_consent.status_code == 422


async def test_an_organisation_typed_on_the_form_is_a_label_in_the_vault_never_in_the_event(
    client: httpx.AsyncClient,
    intake: FastAPI,
) -> None:
    """Whoever types 'huisartsenpraktijk-zuilen' is not that practice: the event names no
    organisation, so no access follows from it; the words stay with the note."""
    typed = {**SIGNAL, "signaler_organisation": "huisartsenpraktijk-zuilen"}
    answer = await client.post("/api/v1/signals", json=typed)
    assert answer.status_code == 202
    [row] = await outbox(intake)
    payload = json.loads(bytes(row["value"]))
    assert payload["signaler"] == {"role": "fietskoerier", "organisation": None}
    assert payload["channel"] == "webformulier"
    assert b"zuilen" not in bytes(row["value"])
    vault = MongoIntakeUnitOfWork(intake.state.runtime.store, within=5.0)
    sealed = await vault(lambda records: records.sealed_person(payload["person_pseudonym"]))
    assert sealed is not None
    label = intake.state.sealer.open(sealed)["signaler_organisation_label"]
    assert label == "huisartsenpraktijk-zuilen"


async def test_a_partner_sending_its_token_is_named_by_the_token_not_by_the_body(
    client: httpx.AsyncClient,
    intake: FastAPI,
) -> None:
    partner = Principal("apo", "apotheek-overvecht", frozenset({Role.SIGNALERINGSPARTNER}))
    token = issue_token(partner, intake.state.settings.auth_secret)
    claimed = {**SIGNAL, "signaler_organisation": "huisartsenpraktijk-zuilen"}
    answer = await client.post(
        "/api/v1/signals", json=claimed, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 202
    [row] = await outbox(intake)
    payload = json.loads(bytes(row["value"]))
    assert payload["signaler"]["organisation"] == "apotheek-overvecht"
    assert payload["channel"] == "signalerings_api"
    forged = await client.post(
        "/api/v1/signals", json=SIGNAL, headers={"Authorization": "Bearer not.a.token"}
    )
    assert forged.status_code == 401  # a token that is sent must be valid
    assert len(await outbox(intake)) == 1


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/signals",
            {**SIGNAL, "person": {"name": "A\x00B", "postcode": "3563 CD"}},
            "person.name",
        ),
        ("/api/v1/signals", {**SIGNAL, "note": "bel\x07"}, "note"),
        (
            "/api/v1/referrals",
            {
                "patient": {
                    "name": "Dhr. Yilmaz",
                    "postcode": "3526 KL",
                    "date_of_birth": "2999-01-01",
                },
                "consent_to_contact": True,
            },
            "patient.date_of_birth",
        ),
    ],
)
async def test_control_characters_and_impossible_birth_dates_get_422_and_store_nothing(
    client: httpx.AsyncClient,
    intake: FastAPI,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    gp = Principal("dr-a", "huisartsenpraktijk-kanaleneiland", frozenset({Role.HUISARTS}))
    headers = {"Authorization": f"Bearer {issue_token(gp, intake.state.settings.auth_secret)}"}
    answer = await client.post(path, json=body, headers=headers)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert await outbox(intake) == []
    assert await intake.state.runtime.store.db[PERSONS].count_documents({}) == 0


async def test_a_self_report_keeps_birth_date_and_way_of_contact_in_the_vault_and_the_way_only_in_the_event(  # noqa: E501
    client: httpx.AsyncClient,
    intake: FastAPI,
) -> None:
    mine = {
        "about_self": True,
        "person": {
            "name": "Samira El Amrani",
            "postcode": "3543 BD",
            "date_of_birth": "1961-08-14",
            "street_address": "Vleutenseweg 7",
        },
        "observations": ["voelt_zich_eenzaam"],
        "consent_to_contact": True,
        "contact_way": "brief",
    }
    answer = await client.post("/api/v1/signals", json=mine)
    assert answer.status_code == 202
    assert answer.json()["receipt"]
    [row] = await outbox(intake)
    value = bytes(row["value"]).decode()
    payload = json.loads(value)
    assert (payload["channel"], payload["contact_preference"]) == ("zelfmelding", "brief")
    for personal in ("1961", "08-14", "Vleutenseweg", "Amrani"):
        assert personal not in value
    vault = MongoIntakeUnitOfWork(intake.state.runtime.store, within=5.0)
    sealed = await vault(lambda records: records.sealed_person(payload["person_pseudonym"]))
    assert sealed is not None
    details = intake.state.sealer.open(sealed)
    assert details["date_of_birth"] == "1961-08-14"
    assert (details["contact_way"], details["street_address"]) == ("brief", "Vleutenseweg 7")

    unreachable = await client.post("/api/v1/signals", json={**mine, "contact_way": "telefoon"})
    assert unreachable.status_code == 422
    assert "contact_way telefoon needs person.phone" in unreachable.text


def bearer(username: str, organisation: str, role: Role, app: FastAPI) -> dict[str, str]:
    principal = Principal(username, organisation, frozenset({role}))
    return {"Authorization": f"Bearer {issue_token(principal, app.state.settings.auth_secret)}"}


async def issue(
    client: httpx.AsyncClient, admin: dict[str, str], organisation: str, role: str
) -> dict[str, Any]:
    answer = await client.post(
        "/api/v1/admin/api-keys",
        json={"organisation": organisation, "signaler_role": role},
        headers=admin,
    )
    assert answer.status_code == 201, answer.text
    issued: dict[str, Any] = answer.json()
    return issued


async def test_an_organisations_api_key_signals_as_that_organisation_until_revoked(
    client: httpx.AsyncClient, intake: FastAPI
) -> None:
    admin = bearer("beheerder", "schakel-beheer", Role.ADMINISTRATOR, intake)
    issued = await issue(client, admin, "apotheek-overvecht", "apotheker")
    key = issued["key"]
    assert key.startswith(f"schakel_{issued['key_id']}_")
    # Kept as a hash only: the key itself is nowhere in the database.
    stored = await intake.state.runtime.store.db["api_keys"].find_one({"_id": issued["key_id"]})
    assert stored is not None and key not in json.dumps(stored, default=str)

    body = {**SIGNAL, "signaler_role": "buurtbewoner", "signaler_organisation": "Jumbo"}
    sent = await client.post("/api/v1/signals", json=body, headers={"X-Api-Key": key})
    assert sent.status_code == 202, sent.text
    [row] = await outbox(intake)
    payload = json.loads(bytes(row["value"]))
    assert payload["channel"] == "signalerings_api"
    assert payload["signaler"] == {"role": "apotheker", "organisation": "apotheek-overvecht"}

    listed = (await client.get("/api/v1/admin/api-keys", headers=admin)).json()["keys"]
    assert [(k["key_id"], k["organisation"], k["revoked_at"]) for k in listed] == [
        (issued["key_id"], "apotheek-overvecht", None)
    ]
    assert "key" not in listed[0]

    revoke = f"/api/v1/admin/api-keys/{issued['key_id']}/revoke"
    revoked = await client.post(revoke, headers=admin)
    assert (revoked.status_code, revoked.json()["revoked_by"]) == (200, "beheerder")
    refused = await client.post("/api/v1/signals", json=SIGNAL, headers={"X-Api-Key": key})
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert len(await outbox(intake)) == 1
    assert (
        await client.post(revoke.replace(issued["key_id"], "0" * 8), headers=admin)
    ).status_code == 404


async def test_unknown_keys_and_keys_elsewhere_are_refused_and_only_administrators_issue(
    client: httpx.AsyncClient, intake: FastAPI
) -> None:
    admin = bearer("beheerder", "schakel-beheer", Role.ADMINISTRATOR, intake)
    key = (await issue(client, admin, "fietskoerier-utrecht", "fietskoerier"))["key"]
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for sent in (forged, "schakel_00000000_" + "x" * 43, "not-a-key"):
        answer = await client.post("/api/v1/signals", json=SIGNAL, headers={"X-Api-Key": sent})
        assert answer.status_code == 401, sent
        assert answer.headers["www-authenticate"] == "ApiKey"
    # A key is no token: a GP referral or the admin endpoints with it alone are 401.
    referral = {"patient": SIGNAL["person"], "consent_to_contact": True}
    with_key = {"X-Api-Key": key}
    assert (
        await client.post("/api/v1/referrals", json=referral, headers=with_key)
    ).status_code == 401
    assert (await client.get("/api/v1/admin/api-keys", headers=with_key)).status_code == 401
    both = {**with_key, **bearer("a", "apotheek-overvecht", Role.SIGNALERINGSPARTNER, intake)}
    assert (await client.post("/api/v1/signals", json=SIGNAL, headers=both)).status_code == 400
    for role in (Role.SIGNALERINGSPARTNER, Role.AUDITOR, Role.GEMEENTE, Role.SOCIAAL_MAKELAAR):
        other = bearer("x", "org-x", role, intake)
        assert (await client.get("/api/v1/admin/api-keys", headers=other)).status_code == 403
        made = await client.post(
            "/api/v1/admin/api-keys",
            json={"organisation": "org-x", "signaler_role": "apotheker"},
            headers=other,
        )
        assert made.status_code == 403
    for signaler in ("huisarts", "zelf"):
        refused = await client.post(
            "/api/v1/admin/api-keys",
            json={"organisation": "org-y", "signaler_role": signaler},
            headers=admin,
        )
        assert refused.status_code == 422, signaler
