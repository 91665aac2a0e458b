"""What intake learns from the referral topic: the owner after each event that names one, and
a pseudonymous timeline naming who acted (the reads and erasures too)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from schakel.contracts.envelope import EventEnvelope, EventPayload, new_event
from schakel.contracts.events import ReferralReceived, Signaler
from schakel.contracts.lifecycle import ReferralAccepted, ReferralTransferred
from schakel.contracts.persons import ContactDetailsRead, DetailsReader, ReadPurpose
from schakel.contracts.vocabulary import (
    Channel,
    Route,
    SignalerRole,
    TaskStatus,
    TransferReason,
)
from schakel.intake.privacy_store import TimelineEntry
from schakel.intake.tracking import handlers, track
from tests import payloads
from tests.fakes.intake_privacy import FakePrivacyRecords, PrivacyData

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PSEUDONYM = "ps-" + "f" * 32
REFERRAL = "ref-1"


def event(payload: EventPayload) -> EventEnvelope[Any]:
    made = new_event(payload, source="/schakel/test", subject=REFERRAL, correlation_id="c-1")
    return made.model_copy(update={"time": AT})


async def test_the_owner_follows_triage_and_transfers_and_the_timeline_names_who_acted() -> None:
    data = PrivacyData()
    records = FakePrivacyRecords(data)
    signal = ReferralReceived(
        referral_id=REFERRAL,
        channel=Channel.WEBFORMULIER,
        signaler=Signaler(role=SignalerRole.FIETSKOERIER, organisation="typed on the form"),
        person_pseudonym=PSEUDONYM,
        received_at=AT,
    )
    read = ContactDetailsRead(
        referral_id=REFERRAL,
        person_pseudonym=PSEUDONYM,
        read_by=DetailsReader(username="buurtteam", organisation="buurtteam-overvecht", role="x"),
        purpose=ReadPurpose.CONTACT_OPNEMEN,
        read_at=AT,
    )
    routed = payloads.triaged(REFERRAL, owner_organisation="buurtteam-overvecht")
    accepted = payloads.followed_up(
        ReferralAccepted,
        REFERRAL,
        TaskStatus.ACCEPTED,
        owner="buurtteam-overvecht",
        owner_name="Buurtteam Overvecht",
    )
    moved = payloads.followed_up(
        ReferralTransferred,
        REFERRAL,
        TaskStatus.REQUESTED,
        owner="sociaal-makelaars-overvecht",
        from_organisation="buurtteam-overvecht",
        to_name="Sociaal makelaars Overvecht",
        to_route=Route.SOCIAAL_MAKELAAR,
        reason=TransferReason.ANDERE_ORGANISATIE_PAST_BETER,
    )
    for payload in (signal, routed, read, accepted):
        await track(event(payload), records)
    assert await records.owner(REFERRAL) == "buurtteam-overvecht"
    await track(event(moved), records)
    assert await records.owner(REFERRAL) == "sociaal-makelaars-overvecht"

    timeline = await records.timeline(REFERRAL)
    assert [e.event_type.split(".")[-2] for e in timeline] == [
        "received",
        "triaged",
        "contact-details-read",
        "accepted",
        "transferred",
    ]
    # The form's typed organisation is no referrer: only the role is kept.
    assert timeline[0] == TimelineEntry(event(signal).type, AT, None, "fietskoerier")
    assert (timeline[2].organisation, timeline[2].role) == ("buurtteam-overvecht", "x")


def test_intake_follows_every_event_type_of_the_referral_topic() -> None:
    followed = handlers()
    assert "nl.schakel.referral.triaged" in followed
    assert "nl.schakel.person.erased" in followed and "nl.schakel.referral.viewed" in followed
