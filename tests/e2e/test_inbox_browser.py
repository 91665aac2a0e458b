"""The owners' inbox in a real browser on a phone-sized screen, against every service: a GP
sends a wellbeing prescription; a social broker of the owning organisation signs in, finds it
in the inbox, accepts it (with the keyboard only), logs a contact attempt, records the first
conversation with consent and the person's wishes (mobility, interests and availability among
them, shown back on the page), and closes it with an outcome (after the page explained a mistake);
then the GP sees the outcome and the receipt page is checked. Debian's Chromium driven by
Playwright, with every request to another host refused (see test_docs_page.py).

Screenshots go to the test's tmp dir (pytest keeps the last runs' dirs): test artefacts only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, ViewportSize

from schakel_dev.stack import Stack
from tests.e2e.conftest import eventually, login
from tests.e2e.test_docs_page import WAIT_MS, offline_browser

pytestmark = pytest.mark.e2e
PHONE: ViewportSize = {"width": 360, "height": 800}
# Overvecht (3562): triage gives a GP's prescription for the social broker to Overvecht's
# social brokers, whose demo login is makelaar / demo-makelaar.
PRESCRIPTION = {
    "patient": {"name": "Mevrouw Brouwer", "postcode": "3562 EK", "phone": "06 1000 0099"},
    "observations": ["recent_verlies", "weinig_contact"],
    "djg_score": 4,
    "consent_to_contact": True,
    "prescribed_to": "sociaal_makelaar",
}
OWNER = "sociaal-makelaars-overvecht"


def send_prescription(gateway: httpx.Client) -> tuple[str, str, dict[str, str]]:
    """(referral id, receipt, the GP's headers)."""
    gp = login(gateway, "huisarts")
    sent = gateway.post("/api/v1/referrals", json=PRESCRIPTION, headers=gp)
    assert sent.status_code == 202, sent.text
    return str(sent.json()["referral_id"]), str(sent.json()["receipt"]), gp


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/inbox")
    assert "/inloggen" in page.url  # the inbox asks to sign in first
    page.fill("#username", "makelaar")
    page.fill("#password", "demo-makelaar")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/inbox", timeout=WAIT_MS)


def find_in_inbox(page: Page, base: str, referral_id: str) -> None:
    """Reload the inbox until follow-up has the routed referral."""

    def listed() -> bool:
        page.goto(f"{base}/inbox")
        return page.locator(f'a[href="/inbox/{referral_id}"]').count() == 1

    eventually(listed, within=60, what="the new referral in the social broker's inbox")


def do(page: Page, action: str, screenshot: Path | None = None) -> None:
    """Open an action's form and send it; the browser ends on the referral again."""
    form = page.locator(f"#actie-{action}")
    form.locator("summary").click()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    if screenshot is not None:
        page.screenshot(path=screenshot, full_page=True)


def confirmation(page: Page) -> str:
    return page.locator(".confirmation").inner_text()


def test_a_social_broker_takes_a_gp_referral_from_the_inbox_to_an_outcome(
    stack: Stack, gateway: httpx.Client, tmp_path: Path, screenshots: Path
) -> None:
    base = stack["gateway"].url
    referral_id, receipt, gp = send_prescription(gateway)
    with offline_browser(tmp_path / "chromium-profile") as (context, refused):
        page = context.new_page()
        page.set_viewport_size(PHONE)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        sign_in(page, base)
        find_in_inbox(page, base, referral_id)
        card = page.locator("li.card", has=page.locator(f'a[href="/inbox/{referral_id}"]'))
        assert "Nieuw: wacht op aannemen" in card.inner_text()
        page.screenshot(path=screenshots / "1-inbox.png", full_page=True)

        page.locator(f'a[href="/inbox/{referral_id}"]').click()
        page.wait_for_url(f"{base}/inbox/{referral_id}")
        shown = page.locator("main").inner_text()
        assert "Welzijn op recept (huisarts)" in shown
        assert "huisartsenpraktijk-overvecht" in shown
        assert "Brouwer" not in shown and "06 1000 0099" not in shown  # pseudonymous
        assert "via intake" in shown  # where the contact details will come from
        page.screenshot(path=screenshots / "2-referral.png", full_page=True)

        # Accept with the keyboard only: open the form, type a note, send.
        page.locator("#actie-accept summary").focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        page.keyboard.type("Ik bel haar dinsdag.")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/inbox/{referral_id}?gedaan=accept")
        assert "U heeft de verwijzing aangenomen." in confirmation(page)
        assert "Ik bel haar dinsdag." in page.locator("ol.history").inner_text()

        do(page, "attempt-contact")
        assert "De poging is vastgelegd." in confirmation(page)
        assert "nog niet bereikt" in page.locator("p.status").inner_text()

        conversation = page.locator("#actie-record-first-conversation")
        conversation.locator("summary").click()
        for choice in ("reached-ja", "knew-of-signal-ja", "consents-to-support-ja"):
            page.check(f"#record-first-conversation-{choice}")
        page.check("#record-first-conversation-kinds-maatje")
        page.check("#record-first-conversation-languages-nl")
        page.select_option("#record-first-conversation-mobility", "aan_huis_gebonden")
        page.check("#record-first-conversation-interests-wandelen")
        page.check("#record-first-conversation-availability-weekdag-middag")
        conversation.locator("button[type=submit]").click()
        page.wait_for_url(f"{base}/inbox/{referral_id}?gedaan=record_first_conversation")
        assert "Het eerste gesprek is vastgelegd." in confirmation(page)
        # What was asked is what follow-up recorded, and the page shows it back.
        recorded = page.locator("section[aria-labelledby=conversation-title]").inner_text()
        for wish in ("Aan huis gebonden", "Wandelen", "Doordeweeks 's middags"):
            assert wish in recorded, recorded

        # A mistake first: 'other' without saying what happened is explained at the field.
        close = page.locator("#actie-close")
        close.locator("summary").click()
        page.check("#close-outcome-anders")
        close.locator("button[type=submit]").click()
        page.wait_for_load_state()
        note = page.locator("#actie-close .field.has-error")
        assert "Schrijf bij ‘anders’ in de notitie" in note.inner_text()
        page.screenshot(path=screenshots / "3-close-explained.png", full_page=True)

        page.check("#close-outcome-hulp-gekregen")
        page.select_option("#close-djg-score", "2")
        page.locator("#actie-close button[type=submit]").click()
        page.wait_for_url(f"{base}/inbox/{referral_id}?gedaan=close")
        assert "De verwijzing is afgesloten." in confirmation(page)
        assert "Afgerond (Heeft hulp gekregen)" in page.locator("p.status").inner_text()
        history = page.locator("ol.history").inner_text()
        for step in ("Aangenomen", "Niet bereikt", "Eerste gesprek", "Afgesloten"):
            assert step in history
        page.screenshot(path=screenshots / "4-closed.png", full_page=True)

        # The signaler's receipt page (for a prescription: the GP's patient's code), once
        # feedback has followed the close (it is a projection of the events, a moment later).
        eventually(
            lambda: (
                gateway.get(f"/api/v1/signals/{receipt}/status").json().get("stage") == "afgesloten"
            ),
            what="the close on the public status",
        )
        page.goto(f"{base}/ontvangen/{receipt}")
        receipt_text = page.locator("main").inner_text()
        page.screenshot(path=screenshots / "5-receipt.png", full_page=True)

        page.goto(f"{base}/inbox")
        page.locator("header form button[type=submit]").click()  # sign out
        page.wait_for_url(f"{base}/inloggen?uit=1")
        assert "U bent uitgelogd." in page.locator("main").inner_text()
    assert errors == []
    assert refused == []  # no other host was even tried

    gp_sees_the_outcome(gateway, referral_id, gp)
    receipt_says_closed(receipt_text)


def gp_sees_the_outcome(gateway: httpx.Client, referral_id: str, gp: dict[str, str]) -> None:
    """What the referring GP practice can read after the close."""

    def closed_view() -> dict[str, Any] | None:
        referral = gateway.get(f"/api/v1/referrals/{referral_id}", headers=gp)
        assert referral.status_code == 200, referral.text
        view: dict[str, Any] = referral.json()
        return view if view.get("outcome") else None

    view = eventually(closed_view, what="the outcome in the GP's view of the referral")
    assert view["owner_organisation"] == OWNER
    assert (view["task_status"], view["outcome"]) == ("completed", "hulp_gekregen")
    assert view["accepted_by"]["organisation"] == OWNER
    task = gateway.get(f"/api/v1/fhir/Task/{referral_id}", headers=gp)
    assert task.status_code == 200, task.text
    assert task.headers["content-type"].startswith("application/fhir+json")
    assert task.json()["resourceType"] == "Task"
    assert task.json()["status"] == "completed"
    assert task.json()["statusReason"]["coding"][0]["code"] == "hulp_gekregen"

    def closed_event() -> dict[str, Any] | None:
        timeline = gateway.get(f"/api/v1/referrals/{referral_id}/timeline", headers=gp)
        events = timeline.json()["events"] if timeline.status_code == 200 else []
        found = [e for e in events if e["type"] == "nl.schakel.referral.closed.v1"]
        return found[0] if found else None

    # Today the GP already reads the outcome in the referral's archived timeline.
    closed = eventually(closed_event, what="the close in the GP's timeline")
    assert closed["data"]["outcome"] == "hulp_gekregen"
    assert closed["data"]["actor"]["organisation"] == OWNER
    assert "note" not in closed["data"]  # the owner's notes stay in follow-up


def receipt_says_closed(receipt_text: str) -> None:
    """What the signaler's receipt page said after the close."""
    assert "Uw code" in receipt_text
    assert "Wordt verwerkt" not in receipt_text  # routed: a stage is shown, not "pending"
    assert "Brouwer" not in receipt_text and "Overvecht" not in receipt_text
    assert "Uw melding is afgesloten" in receipt_text
