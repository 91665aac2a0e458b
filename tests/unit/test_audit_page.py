"""The auditor's page's parts that need no server: finding referrals by what an auditor
typed, and the rows and chain line the page shows of the audit's answers."""

from __future__ import annotations

from schakel.audit.handlers import Found, find_referrals
from schakel.contracts.receipts import receipt_hash
from schakel.gateway.pages.audit_view import chain_line, row
from tests.fakes.audit import FakeArchive
from tests.unit.test_audit_handlers import (
    archived_referral,
    event,
    helper_record,
    helper_registered,
    proposed,
    received,
    record_of,
)


async def test_a_referral_is_found_by_its_id_its_correlation_id_or_its_receipt_code() -> None:
    fake = FakeArchive()
    deliveries = await archived_referral(fake, "r-1")
    signal = received("r-2").model_copy(update={"receipt_hash": receipt_hash("K7QM-4XPD")})
    assert await fake.deliver(record_of(event(signal), 5))
    correlation = deliveries[0].event.attributes.correlationid

    assert await find_referrals(fake, "r-1") == Found("referral", ["r-1"])
    assert await find_referrals(fake, correlation) == Found("correlation", ["r-1"])
    assert await find_referrals(fake, " k7qm-4xpd ") == Found("receipt", ["r-2"])
    assert await find_referrals(fake, "K7QM-0000") is None


def test_a_row_names_the_event_the_service_who_caused_it_versions_and_who_was_told() -> None:
    passed = {
        "seq": 7,
        "type": "nl.schakel.referral.deadline-passed.v1",
        "source": "/schakel/followup",
        "time": "2026-12-01T09:00:00+00:00",
        "data": {
            "actor": {"organisation": "schakel", "role": "systeem"},
            "status": "requested",
            "owner_organisation": "sociaal-makelaars-overvecht",
            "level": "herinnering",
            "notify_organisation": "sociaal-makelaars-overvecht",
            "notify_role": "sociaal_makelaar",
            "policy_version": "2026.12-1",
        },
    }
    shown = row(passed, "nl")
    assert shown["event"] == "deadline-passed (v1)" and shown["service"] == "followup"
    assert shown["time"] == "01-12-2026 10:00:00"  # Utrecht's clock
    assert shown["by"] == "schakel (systeem)"
    assert shown["versions"] == "beleid 2026.12-1"
    assert shown["told"] == "sociaal-makelaars-overvecht (sociaal_makelaar)"
    assert "level=herinnering" in shown["facts"] and "status=requested" in shown["facts"]
    told = {"type": "nl.schakel.referral.feedback-recorded.v1", "source": "/schakel/feedback"}
    assert row({**told, "data": {"stage": "opgepakt"}}, "en")["told"] == "signaler: opgepakt"
    received = {"type": "nl.schakel.referral.received.v2", "source": "/schakel/intake"}
    # The receipt told the signaler "ontvangen"; a GP's referral without one told nobody.
    assert row({**received, "data": {"receipt_hash": "a" * 64}}, "en")["told"] == (
        "signaler: ontvangen"
    )
    assert row({**received, "data": {}}, "en")["told"] == ""


def test_the_chain_line_says_intact_broken_or_unavailable() -> None:
    chains = [{"chain": "schakel.referral-events/0"}, {"chain": "schakel.referral-events/1"}]
    intact = {"report": {"intact": True, "checked": 12}, "chains": chains, "roots": {"checked": 4}}
    report = {"intact": False, "chain": "schakel.referral-events/1", "first_broken_seq": 3}
    broken = {"report": {**report, "reason": "content differs"}}
    assert chain_line(intact, "en") == (
        True,
        "Intact: 12 entries in 2 chains checked, and 4 head records.",
    )
    assert chain_line(broken, "nl") == (
        False,
        "GEBROKEN in schakel.referral-events/1 bij nummer 3: content differs",
    )
    assert chain_line(None, "nl")[0] is False


def test_a_read_of_contact_details_or_a_view_names_the_account_and_its_purpose() -> None:
    reader = {"username": "makelaar", "organisation": "sociaal-makelaars-overvecht"}
    read = {
        "type": "nl.schakel.person.contact-details-read.v1",
        "source": "/schakel/intake",
        "data": {"read_by": {**reader, "role": "sociaal_makelaar"}, "purpose": "afspraak_maken"},
    }
    shown = row(read, "nl")
    assert shown["event"] == "contact-details-read (v1)" and shown["service"] == "intake"
    assert shown["by"] == "sociaal-makelaars-overvecht (sociaal_makelaar, makelaar)"
    assert shown["facts"] == "purpose=afspraak_maken"
    viewed = {
        "type": "nl.schakel.referral.viewed.v1",
        "source": "/schakel/matching",
        "data": {"viewed_by": {**reader, "role": "gemeente"}, "view": "proposal"},
    }
    assert row(viewed, "en")["facts"] == "view=proposal"
    assert row(viewed, "en")["by"] == "sociaal-makelaars-overvecht (gemeente, makelaar)"


async def test_a_correlation_shared_with_a_helper_s_registration_names_only_the_referral() -> None:
    """A coordinator's registration (archived from schakel.helper-events) and the proposal it
    caused share a correlation id: the search names the referral, not the helper."""
    fake = FakeArchive()
    registered = helper_registered("helper-oost-1")
    await fake.deliver(helper_record(registered, 0))
    await fake.deliver(record_of(proposed("r-9", "helper-oost-1", registered), 1))

    assert await find_referrals(fake, registered.correlationid) == Found("correlation", ["r-9"])
