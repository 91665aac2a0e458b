"""The auditor's page in a real browser, against every service: an auditor signs in, finds a
signal's referral by its receipt code and by its correlation id, reads its whole timeline
(every event, the service and who caused it, the rule set that decided) without a name in
it, and sees the chain check; the page in English; a social broker is refused. Debian's
Chromium driven by Playwright, with every request to another host refused."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from schakel.contracts.events import ReferralReceived, ReferralTriaged
from schakel.triage import rules
from schakel_dev.stack import Stack
from tests.e2e.conftest import eventually, login, referral_id_of
from tests.e2e.test_docs_page import WAIT_MS, offline_browser

pytestmark = pytest.mark.e2e
SIGNAL = {
    "signaler_role": "fietskoerier",
    "person": {"name": "Meneer Auditvoorbeeld", "postcode": "3563 AB", "phone": "06 1000 0042"},
    "observations": ["niet_gesproken", "alleen_wonend"],
    "consent_to_contact": True,
}


def sign_in_at_audit(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/audit")
    assert "/inloggen" in page.url  # the page asks to sign in first
    page.fill("#username", username)
    page.fill("#password", f"demo-{username}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/audit", timeout=WAIT_MS)


def search(page: Page, text: str) -> str:
    page.fill("#zoek", text)
    page.locator("form.search button[type=submit]").click()
    page.wait_for_load_state()
    return page.locator("main").inner_text()


def test_an_auditor_finds_a_referral_and_reads_its_whole_timeline(
    stack: Stack, gateway: httpx.Client, tmp_path: Path
) -> None:
    base = stack["gateway"].url
    correlation = f"audit-page-{uuid.uuid4().hex[:8]}"
    sent = gateway.post("/api/v1/signals", json=SIGNAL, headers={"X-Correlation-ID": correlation})
    assert sent.status_code == 202, sent.text
    receipt = str(sent.json()["receipt"])
    auditor = login(gateway, "auditor")
    referral_id = referral_id_of(gateway, auditor, correlation)

    def triaged() -> bool:
        timeline = gateway.get(f"/api/v1/referrals/{referral_id}/timeline", headers=auditor)
        return any(".triaged." in e["type"] for e in timeline.json().get("events", []))

    eventually(triaged, what="the referral triaged and archived")
    with offline_browser(tmp_path / "chromium-profile") as (context, refused):
        page = context.new_page()
        sign_in_at_audit(page, base, "auditor")
        assert page.locator("#chain-result").inner_text().startswith("Intact:")

        shown = search(page, receipt.lower())  # typed in lower case: found all the same
        assert "Gevonden als: ontvangstcode" in shown
        assert f"Verwijzing {referral_id}" in shown
        rows = page.locator("section.timeline tbody tr").all_inner_texts()
        first = rows[0]
        second = next(r for r in rows if f"triaged (v{ReferralTriaged.event_version})" in r)
        assert f"received (v{ReferralReceived.event_version})" in first and "intake" in first
        assert "(fietskoerier)" in first  # who caused it: the signaler's role, no name
        assert "\ttriage\t" in second and "owner_organisation=" in second
        assert f"regelset {rules.CURRENT}" in second
        assert any("melder: ontvangen" in r for r in rows)  # what the signaler was told
        assert "Auditvoorbeeld" not in shown and "06 1000 0042" not in shown  # pseudonymous
        page.screenshot(path=tmp_path / "1-timeline.png", full_page=True)

        shown = search(page, correlation)
        assert "Gevonden als: correlatie-id" in shown and f"Verwijzing {referral_id}" in shown
        assert "Niets in het archief" in search(page, "nothing-like-this")

        page.goto(f"{base}/audit?zoek={referral_id}&lang=en")
        shown = page.locator("main").inner_text()
        assert "Audit of the archive" in shown and "Found as: referral id" in shown
        assert page.locator("#chain-result").inner_text().startswith("Intact:")
        assert refused == []


def test_another_role_is_refused_the_auditors_page(stack: Stack, tmp_path: Path) -> None:
    base = stack["gateway"].url
    with offline_browser(tmp_path / "chromium-profile") as (context, _):
        page = context.new_page()
        page.goto(f"{base}/audit")
        page.fill("#username", "makelaar")
        page.fill("#password", "demo-makelaar")
        with page.expect_response(f"{base}/audit") as answer:
            page.locator("main form button[type=submit]").click()
        assert answer.value.status == 403
        assert "Alleen voor auditors" in page.locator("main").inner_text()
