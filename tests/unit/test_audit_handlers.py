"""Audit handlers with in-memory fakes: archiving every delivery once, as written, and the
queries on the archive (timeline reads are recorded, existence is not revealed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError, PyMongoError

from schakel.audit.checkpointing import RootWriter
from schakel.audit.domain.access import Reader
from schakel.audit.domain.chain import ChainHead, verify
from schakel.audit.handlers import (
    read_correlation,
    read_timeline,
    verify_archive,
)
from schakel.contracts import new_event
from schakel.contracts.envelope import EventEnvelope, EventPayload
from schakel.contracts.events import (
    HelperProfile,
    HelperRegistered,
    MatchProposed,
    Offer,
    ReferralReceived,
    ReferralReceivedV1,
    ReferralTriaged,
    Signaler,
)
from schakel.contracts.kafka_binding import from_record, read_raw, to_record
from schakel.contracts.vocabulary import BuddyType, Channel, OfferKind, SignalerRole
from schakel.platform.auth import Role
from schakel.platform.consumer import Delivery
from tests import payloads
from tests.fakes.audit import FakeArchive

TOPIC = "schakel.referral-events"
PRACTICE = "huisartsenpraktijk-overvecht"
PSEUDONYM = "ps-" + "b" * 32
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def record_of(event: EventEnvelope[Any], offset: int, partition: int = 1) -> Delivery:
    key, value, headers = to_record(event)
    return Delivery(TOPIC, partition, offset, key, tuple(headers), value, read_raw(headers, value))


def received(referral_id: str) -> ReferralReceived:
    return ReferralReceived(
        referral_id=referral_id,
        channel=Channel.WELZIJN_OP_RECEPT,
        signaler=Signaler(role=SignalerRole.HUISARTS, organisation=PRACTICE),
        person_pseudonym=PSEUDONYM,
        received_at=NOW,
    )


def triaged(referral_id: str) -> ReferralTriaged:
    return payloads.triaged(referral_id, owner_organisation="sociaal-makelaars-overvecht")


def event(payload: EventPayload, cause: EventEnvelope[Any] | None = None) -> EventEnvelope[Any]:
    subject = str(payload.model_dump()["referral_id"])
    return new_event(payload, source="/schakel/test", subject=subject, cause=cause)


async def archived_referral(fake: FakeArchive, referral_id: str = "r-1") -> list[Delivery]:
    first = event(received(referral_id))
    deliveries = [record_of(first, 0), record_of(event(triaged(referral_id), cause=first), 1)]
    for delivery in deliveries:
        await fake.deliver(delivery)
    return deliveries


HELPER_TOPIC = "schakel.helper-events"


def helper_registered(helper_id: str) -> EventEnvelope[Any]:
    profile = HelperProfile(
        kind=OfferKind.MAATJE, buddy_type=BuddyType.BEZOEKMAATJE, postcode_area="3581", capacity=2
    )
    registered = HelperRegistered(
        helper_id=helper_id, organisation="vrijwilligers-oost", profile=profile
    )
    return new_event(registered, source="/schakel/matching", subject=helper_id)


def helper_record(event: EventEnvelope[Any], offset: int) -> Delivery:
    key, value, headers = to_record(event)
    raw = read_raw(headers, value)
    return Delivery(HELPER_TOPIC, 0, offset, key, tuple(headers), value, raw)


def proposed(referral_id: str, helper_id: str, cause: EventEnvelope[Any]) -> EventEnvelope[Any]:
    offer = Offer(
        kind=OfferKind.MAATJE,
        offer_id=helper_id,
        title="Maatje (bezoekmaatje)",
        provider_organisation="vrijwilligers-oost",
    )
    return event(
        MatchProposed(referral_id=referral_id, offer=offer, score=3.0, reasons=[]), cause=cause
    )


def principal(organisation: str, *roles: Role) -> Reader:
    return Reader(f"user-{organisation}", organisation, tuple(sorted(roles)), Role.AUDITOR in roles)


async def test_each_partition_s_events_are_appended_to_the_partition_s_own_chain() -> None:
    fake = FakeArchive()
    await archived_referral(fake, "r-1")
    await fake.deliver(record_of(event(received("r-2")), 0, partition=4))
    await fake.deliver(record_of(event(received("r-3")), 2))
    chains = [(e.chain, e.seq) for e in fake.entries]
    assert chains == [(f"{TOPIC}/1", 1), (f"{TOPIC}/1", 2), (f"{TOPIC}/4", 1), (f"{TOPIC}/1", 3)]
    assert fake.current == {f"{TOPIC}/1": fake.entries[3].head, f"{TOPIC}/4": fake.entries[2].head}
    mine = [e for e in fake.entries if e.chain == f"{TOPIC}/1"]
    assert verify(mine, head=fake.current[f"{TOPIC}/1"], chain=f"{TOPIC}/1").intact


async def test_a_helper_s_change_is_an_entry_of_its_own_topic_s_chain() -> None:
    """schakel.helper-events is archived too (replay rebuilds matching's registry from it):
    its partition's chain, the topic kept and covered by the hash."""
    fake = FakeArchive()
    await archived_referral(fake, "r-1")
    registered = helper_registered("helper-oost-1")
    await fake.deliver(helper_record(registered, 0))
    await fake.deliver(record_of(proposed("r-1", "helper-oost-1", registered), 2))

    kept = fake.entries[2].event
    assert (kept.topic, kept.type, kept.subject) == (
        HELPER_TOPIC,
        "nl.schakel.helper.registered.v1",
        "helper-oost-1",
    )
    helpers = f"{HELPER_TOPIC}/0"
    assert [(e.chain, e.seq) for e in fake.entries][2:] == [(helpers, 1), (f"{TOPIC}/1", 3)]
    assert verify([fake.entries[2]], head=fake.current[helpers], chain=helpers).intact
    moved = replace(fake.entries[2], event=replace(kept, topic="schakel.referral-events"))
    assert not verify([moved], head=fake.current[helpers], chain=helpers).intact


async def test_an_event_archived_before_is_refused_not_appended_again() -> None:
    """Behind the processed-events marker (tested on the real servers in
    tests/integration/test_redelivery.py), the archive's key refuses a second copy of an event
    and the whole transaction fails: the chain does not grow. The contract suite holds this
    fake to MongoChain's refusal."""
    fake = FakeArchive()
    delivery = record_of(event(received("r-1")), 0)
    redelivered_elsewhere = record_of(from_record(delivery.headers, delivery.value), 9)
    await fake.deliver(delivery)
    with pytest.raises(DuplicateKeyError):
        await fake.deliver(redelivered_elsewhere)  # same event id, another offset
    assert len(fake.entries) == 1
    assert fake.current == {f"{TOPIC}/1": ChainHead(1, fake.entries[0].hash)}


async def test_a_v1_event_is_archived_with_its_original_type_and_payload() -> None:
    v1 = ReferralReceivedV1(
        referral_id="r-1",
        channel=Channel.WEBFORMULIER,
        signaler_role=SignalerRole.APOTHEKER,
        signaler_organisation="apotheek-kanaleneiland",
        person_pseudonym=PSEUDONYM,
        received_at=NOW,
    )
    delivery = record_of(event(v1), 4, partition=3)
    assert from_record(delivery.headers, delivery.value).type.endswith(".v2")  # as read
    fake = FakeArchive()
    await fake.deliver(delivery)
    kept = fake.entries[0].event
    assert kept.type == "nl.schakel.referral.received.v1"
    assert kept.payload["signaler_organisation"] == "apotheek-kanaleneiland"
    assert (kept.topic, kept.partition, kept.offset) == (TOPIC, 3, 4)
    assert kept.headers == delivery.headers


async def test_an_append_after_a_stale_head_is_retried_as_a_transient_conflict() -> None:
    fake = FakeArchive()
    await archived_referral(fake)
    stale = fake.entries[0].head
    with pytest.raises(PyMongoError) as raised:
        await fake.append(fake.entries[-1], after=stale)
    # pymongo's with_transaction runs the whole transaction again on this label.
    assert raised.value.has_error_label("TransientTransactionError")


def newer_record(referral_id: str, offset: int) -> Delivery:
    """A type and version this build does not know, as a producer deployed first writes it."""
    known = event(received(referral_id))
    _, _, headers = to_record(known)
    headers = [(n, b"nl.schakel.referral.reopened.v1" if n == "ce_type" else v) for n, v in headers]
    value = b'{"referral_id": "%s", "reason": "mevrouw belde zelf terug"}' % referral_id.encode()
    return Delivery(
        TOPIC, 1, offset, referral_id.encode(), tuple(headers), value, read_raw(headers, value)
    )


async def test_an_event_this_build_does_not_know_is_archived_as_written() -> None:
    fake = FakeArchive()
    await archived_referral(fake)
    await fake.deliver(newer_record("r-1", 2))
    kept = fake.entries[-1].event
    assert (kept.type, kept.offset) == ("nl.schakel.referral.reopened.v1", 2)
    assert kept.payload["reason"] == "mevrouw belde zelf terug"
    assert verify(fake.entries, head=fake.current[f"{TOPIC}/1"]).intact


async def test_a_referrer_gets_no_payload_this_build_cannot_read_an_auditor_does() -> None:
    fake = FakeArchive()
    await archived_referral(fake)
    await fake.deliver(newer_record("r-1", 2))
    practice = await read_timeline(fake, principal(PRACTICE, Role.HUISARTS), "r-1", NOW)
    auditor = await read_timeline(fake, principal("gemeente", Role.AUDITOR), "r-1", NOW)
    assert practice is not None and auditor is not None
    assert practice.events[-1].type == "nl.schakel.referral.reopened.v1"
    assert practice.events[-1].data == {}
    assert practice.events[1].data["owner_organisation"] == "sociaal-makelaars-overvecht"
    assert auditor.events[-1].data["reason"] == "mevrouw belde zelf terug"


async def test_the_referrer_reads_the_timeline_and_the_read_is_recorded() -> None:
    fake = FakeArchive()
    await archived_referral(fake)
    practice = principal(PRACTICE, Role.HUISARTS)
    shown = await read_timeline(fake, practice, "r-1", NOW)
    assert shown is not None
    assert [e.seq for e in shown.events] == [1, 2]
    assert shown.events[1].causation_id == shown.events[0].event_id
    assert [(r.kind, r.target, r.organisation, r.outcome, r.at) for r in fake.reads] == [
        ("timeline", "r-1", PRACTICE, "shown", NOW)
    ]


async def test_only_owner_and_auditor_see_the_persons_pseudonym_in_the_timeline() -> None:
    fake = FakeArchive()
    await archived_referral(fake)
    readers = {
        "referrer": principal(PRACTICE, Role.HUISARTS),
        "owner": principal("sociaal-makelaars-overvecht", Role.SOCIAAL_MAKELAAR),
        "auditor": principal("rekenkamer-utrecht", Role.AUDITOR),
    }
    seen: dict[str, object] = {}
    for who, reader in readers.items():
        shown = await read_timeline(fake, reader, "r-1", NOW)
        assert shown is not None
        seen[who] = shown.events[0].data.get("person_pseudonym")
    assert seen == {"referrer": None, "owner": PSEUDONYM, "auditor": PSEUDONYM}


async def test_another_practice_gets_nothing_as_for_an_unknown_referral() -> None:
    fake = FakeArchive()
    await archived_referral(fake)
    other = principal("huisartsenpraktijk-zuilen", Role.HUISARTS)
    assert await read_timeline(fake, other, "r-1", NOW) is None
    assert await read_timeline(fake, other, "r-unknown", NOW) is None
    assert [r.outcome for r in fake.reads] == ["denied", "unknown"]


async def test_auditors_see_who_asked_for_a_timeline_others_do_not() -> None:
    fake = FakeArchive()
    await archived_referral(fake)
    practice = principal(PRACTICE, Role.HUISARTS)
    shown = await read_timeline(fake, practice, "r-1", NOW)
    assert shown is not None and shown.reads == []
    await read_timeline(fake, principal("huisartsenpraktijk-zuilen", Role.HUISARTS), "r-1", NOW)
    auditor = principal("rekenkamer-utrecht", Role.AUDITOR)
    seen = await read_timeline(fake, auditor, "r-1", NOW)
    assert seen is not None
    assert [(r.organisation, r.outcome) for r in seen.reads] == [
        (PRACTICE, "shown"),
        ("huisartsenpraktijk-zuilen", "denied"),
        ("rekenkamer-utrecht", "shown"),
    ]


async def test_an_auditor_reads_any_timeline_and_follows_a_correlation() -> None:
    fake = FakeArchive()
    deliveries = await archived_referral(fake)
    auditor = principal("gemeente-utrecht", Role.AUDITOR)
    assert await read_timeline(fake, auditor, "r-1", NOW) is not None
    correlation_id = from_record(deliveries[0].headers, deliveries[0].value).correlationid
    found = await read_correlation(fake, auditor, correlation_id, NOW)
    assert found is not None
    assert [(e.seq, e.referral_id) for e in found.events] == [(1, "r-1"), (2, "r-1")]
    assert await read_correlation(fake, auditor, "nothing", NOW) is None
    assert [r.kind for r in fake.reads] == ["timeline", "correlation", "correlation"]


async def test_verify_reports_counts_and_the_chain_and_seq_that_broke() -> None:
    fake = FakeArchive()
    await archived_referral(fake)
    await fake.deliver(record_of(event(received("r-2")), 2))
    await RootWriter(fake).write_once()
    check = await verify_archive(fake)
    assert check.report.intact
    assert (check.report.checked, check.archived, check.head_seq) == (3, 3, 1)
    fake.entries[1].event.payload["owner_organisation"] = "someone-else"
    broken = await verify_archive(fake)
    assert not broken.report.intact
    assert (broken.report.chain, broken.report.first_broken_seq) == (f"{TOPIC}/1", 2)
