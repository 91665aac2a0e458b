"""The auditor's page in the gateway, on an in-memory audit that answers as the audit's API
does: an auditor signs in and is sent back to the page, finds a referral and reads its
timeline and the chain check, in Dutch and English; any other role is refused."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Query, Request

from schakel.gateway.app import GatewaySettings, build
from schakel.gateway.users import hash_password
from tests.unit.test_gateway import SECRET, ServiceNetwork
from tests.unit.test_gateway_inbox import csrf_of

ACCOUNTS = {"auditor": ["auditor"], "makelaar": ["sociaal_makelaar"]}
EVENTS = [
    {
        "seq": 1,
        "type": "nl.schakel.referral.received.v2",
        "source": "/schakel/intake",
        "time": "2026-12-01T09:00:00+00:00",
        "data": {"signaler": {"role": "apotheker"}, "person_pseudonym": "ps-1"},
    },
    {
        "seq": 2,
        "type": "nl.schakel.referral.triaged.v1",
        "source": "/schakel/triage",
        "time": "2026-12-01T09:00:01+00:00",
        "data": {"owner_organisation": "sociaal-makelaars-overvecht", "rule_set_version": "R1"},
    },
]

READS = [
    {
        "at": "2026-12-01T10:15:00+00:00",
        "username": "huisarts-zuilen",
        "organisation": "huisartsenpraktijk-zuilen",
        "roles": ["huisarts"],
        "outcome": "denied",
    }
]


def fake_audit() -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/audit/verify")
    async def verify(request: Request) -> dict[str, Any]:
        assert request.headers["authorization"].startswith("Bearer ")
        chains = [{"chain": "schakel.referral-events/0", "intact": True, "checked": 2}]
        return {"report": {"intact": True, "checked": 2}, "chains": chains, "roots": {"checked": 1}}

    @app.get("/api/v1/audit/search")
    async def search(q: str = Query()) -> dict[str, Any]:
        if q != "K7QM-4XPD":
            raise HTTPException(404, "nothing archived matches")
        return {"matched": "receipt", "referral_ids": ["ref-1"]}

    @app.get("/api/v1/referrals/{referral_id}/timeline")
    async def timeline(referral_id: str) -> dict[str, Any]:
        return {"referral_id": referral_id, "events": EVENTS, "reads": READS}

    return app


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    accounts = [
        {
            "username": name,
            "password_hash": hash_password(f"geheim-{name}", iterations=1_000),
            "organisation": "rekenkamer-utrecht" if name == "auditor" else "sociaal-makelaars",
            "roles": roles,
        }
        for name, roles in ACCOUNTS.items()
    ]
    users = tmp_path / "users.json"
    users.write_text(json.dumps(accounts))
    config = GatewaySettings(
        env="development", auth_secret=SECRET, audit_url="http://audit", users_file=str(users)
    )
    app = build(config, transport=ServiceNetwork({"audit": fake_audit()}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


async def sign_in(browser: httpx.AsyncClient, username: str) -> httpx.Response:
    asked = await browser.get("/audit")
    assert asked.status_code == 303 and asked.headers["location"].startswith("/inloggen")
    page = await browser.get(asked.headers["location"])
    return await browser.post(
        "/inloggen",
        data={
            "csrf_token": csrf_of(page.text),
            "username": username,
            "password": f"geheim-{username}",
            "volgende": "/audit",
            "lang": "nl",
        },
    )


async def test_an_auditor_finds_a_referral_and_reads_its_timeline(
    browser: httpx.AsyncClient,
) -> None:
    signed_in = await sign_in(browser, "auditor")
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/audit")

    page = await browser.get("/audit", params={"zoek": "K7QM-4XPD"})

    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Intact: 2 vermeldingen in 1 ketens gecontroleerd, en 1 kopregisters." in page.text
    assert "Gevonden als: ontvangstcode" in page.text and "Verwijzing ref-1" in page.text
    assert "received (v2)" in page.text and "(apotheker)" in page.text
    assert "triaged (v1)" in page.text and "regelset R1" in page.text
    assert "Wie deze tijdlijn opvroeg" in page.text
    assert "huisartsenpraktijk-zuilen (huisarts, huisarts-zuilen)" in page.text
    assert "01-12-2026 11:15:00" in page.text and "denied" in page.text
    english = await browser.get("/audit", params={"zoek": "nothing", "lang": "en"})
    assert "Audit of the archive" in english.text
    assert "Nothing in the archive matches this search." in english.text


async def test_another_role_is_refused(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "makelaar")
    page = await browser.get("/audit")
    assert page.status_code == 403 and "Alleen voor auditors" in page.text
