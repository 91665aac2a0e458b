"""Audit archive: a hash chain over events as written, its verification, and who may read a
referral's timeline."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from schakel.audit.domain.access import Reader, may_see_timeline, parties
from schakel.audit.domain.chain import (
    GENESIS_HASH,
    ArchiveEntry,
    ChainHead,
    WrittenEvent,
    append,
    canonical_json,
    chain_hash,
    verify,
    written_event,
)
from schakel.audit.views import timeline
from schakel.contracts import new_event
from schakel.contracts.envelope import EventPayload
from schakel.contracts.events import (
    ReferralReceived,
    ReferralReceivedV1,
    ReferralTriaged,
    Signaler,
)
from schakel.contracts.kafka_binding import read_raw, to_record
from schakel.contracts.lifecycle import Actor, ReferralRejected, ReferralTransferred
from schakel.contracts.vocabulary import (
    ActorRole,
    Channel,
    RejectReason,
    Route,
    SignalerRole,
    TaskStatus,
    TransferReason,
    Urgency,
)
from tests import payloads

PRACTICE = "huisartsenpraktijk-overvecht"
OTHER_PRACTICE = "huisartsenpraktijk-zuilen"
OWNER = "buurtteam-overvecht"
PSEUDONYM = "ps-" + "a" * 32
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def received(referral_id: str, organisation: str = PRACTICE) -> ReferralReceived:
    return ReferralReceived(
        referral_id=referral_id,
        channel=Channel.WELZIJN_OP_RECEPT,
        signaler=Signaler(role=SignalerRole.HUISARTS, organisation=organisation),
        person_pseudonym=PSEUDONYM,
        postcode_area="3562",
        received_at=NOW,
    )


def received_v1(referral_id: str, organisation: str = PRACTICE) -> ReferralReceivedV1:
    return ReferralReceivedV1(
        referral_id=referral_id,
        channel=Channel.WELZIJN_OP_RECEPT,
        signaler_role=SignalerRole.HUISARTS,
        signaler_organisation=organisation,
        person_pseudonym=PSEUDONYM,
        received_at=NOW,
    )


def triaged(referral_id: str, owner: str = OWNER) -> ReferralTriaged:
    return payloads.triaged(
        referral_id, urgency=Urgency.DIRECT, route=Route.BUURTTEAM, owner_organisation=owner
    )


def written(payload: EventPayload, offset: int = 0) -> WrittenEvent:
    """The event as the consumer would find it in a Kafka record."""
    subject = str(payload.model_dump()["referral_id"])
    key, value, headers = to_record(new_event(payload, source="/schakel/test", subject=subject))
    return written_event(
        read_raw(headers, value),
        topic="schakel.referral-events",
        partition=2,
        offset=offset,
        key=key,
        headers=tuple(headers),
    )


def chain(*payloads: EventPayload) -> list[ArchiveEntry]:
    entries: list[ArchiveEntry] = []
    for offset, payload in enumerate(payloads):
        entries.append(append(entries[-1].head if entries else None, written(payload, offset)))
    return entries


def with_payload(entry: ArchiveEntry, **changes: Any) -> ArchiveEntry:
    event = dataclasses.replace(entry.event, payload={**entry.event.payload, **changes})
    return dataclasses.replace(entry, event=event)


def test_a_chain_of_three_verifies() -> None:
    entries = chain(received("r-1"), triaged("r-1"), received("r-2"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS_HASH
    assert entries[1].prev_hash == entries[0].hash
    report = verify(entries, head=entries[-1].head)
    assert report.intact
    assert (report.checked, report.last_seq, report.first_broken_seq) == (3, 3, None)


def test_a_changed_payload_is_found_at_its_seq() -> None:
    entries = chain(received("r-1"), triaged("r-1"), received("r-2"))
    entries[1] = with_payload(entries[1], owner_organisation="someone-else")
    report = verify(entries)
    assert not report.intact
    assert report.first_broken_seq == 2
    assert report.checked == 2
    assert report.last_seq == 1
    assert report.reason == "content does not match its hash"


def test_a_changed_payload_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = chain(received("r-1"), triaged("r-1"), received("r-2"))
    forged = with_payload(entries[1], owner_organisation="someone-else")
    entries[1] = dataclasses.replace(
        forged, hash=chain_hash(forged.seq, forged.prev_hash, forged.event)
    )
    report = verify(entries)
    assert report.first_broken_seq == 3
    assert report.reason == "prev_hash does not match the previous entry's hash"


def test_a_removed_entry_is_found() -> None:
    entries = chain(received("r-1"), triaged("r-1"), received("r-2"))
    report = verify([entries[0], entries[2]])
    assert report.first_broken_seq == 2
    assert report.reason is not None and "missing" in report.reason


def test_entries_removed_from_the_end_are_found_against_the_head() -> None:
    entries = chain(received("r-1"), triaged("r-1"), received("r-2"))
    assert verify(entries[:2]).intact  # without the head the cut is invisible
    report = verify(entries[:2], head=entries[2].head)
    assert not report.intact
    assert report.first_broken_seq == 3


def test_a_head_naming_another_hash_is_found() -> None:
    entries = chain(received("r-1"), triaged("r-1"))
    report = verify(entries, head=ChainHead(2, "f" * 64))
    assert report.first_broken_seq == 2


def test_canonical_json_is_sorted_and_compact_so_key_order_does_not_matter() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": None, "c": "é"}]}) == (
        '{"a":[1,{"c":"é","d":null}],"b":1}'.encode()
    )
    event = written(received("r-1"))
    reordered = dataclasses.replace(event, payload=dict(reversed(list(event.payload.items()))))
    assert chain_hash(1, GENESIS_HASH, event) == chain_hash(1, GENESIS_HASH, reordered)


def test_a_v1_event_is_kept_as_written() -> None:
    event = written(received_v1("r-1"))
    assert event.type == "nl.schakel.referral.received.v1"
    assert event.payload["signaler_organisation"] == PRACTICE
    assert "signaler" not in event.payload
    assert (event.topic, event.partition, event.offset) == ("schakel.referral-events", 2, 0)
    assert event.key == b"r-1"


def test_written_event_keeps_the_value_and_the_time_exactly_as_written() -> None:
    _, value, headers = to_record(new_event(received("r-1"), source="/s", subject="r-1"))
    written_time = "2026-11-23T10:30:00.123456+01:00"  # another producer's rendering
    headers = [(n, written_time.encode() if n == "ce_time" else v) for n, v in headers]
    event = written_event(read_raw(headers, value), topic="t", partition=0, offset=7)
    assert event.payload == json.loads(value)
    assert event.time == written_time  # the hash covers this text, not a re-rendering


def gp(organisation: str) -> Reader:
    return Reader("dr-jansen", organisation, ("huisarts",), auditor=False)


def test_the_referring_gp_practice_sees_its_referral_and_another_practice_does_not() -> None:
    entries = chain(received("r-1"), triaged("r-1"))
    assert may_see_timeline(gp(PRACTICE), entries)
    assert not may_see_timeline(gp(OTHER_PRACTICE), entries)


def test_the_referrer_of_a_v1_event_is_known_too() -> None:
    entries = chain(received_v1("r-1"))
    assert parties(entries).referrers == {PRACTICE}
    assert may_see_timeline(gp(PRACTICE), entries)
    assert not may_see_timeline(gp(OTHER_PRACTICE), entries)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_an_organisation_typed_on_the_public_form_sees_no_timeline(version: str) -> None:
    """Public signals carried the form's free text as their organisation (v1, and v2 until
    2026-12): history written then grants nothing to whoever bears that name."""
    if version == "v1":
        payload: EventPayload = received_v1("r-1").model_copy(
            update={"channel": Channel.WEBFORMULIER, "signaler_role": SignalerRole.APOTHEKER}
        )
    else:
        signaler = Signaler(role=SignalerRole.APOTHEKER, organisation=PRACTICE)
        payload = received("r-1").model_copy(
            update={"channel": Channel.WEBFORMULIER, "signaler": signaler}
        )
    entries = chain(payload, triaged("r-1"))

    assert parties(entries).referrers == frozenset()
    assert not may_see_timeline(gp(PRACTICE), entries)
    assert may_see_timeline(Reader("m", OWNER, ("sociaal_makelaar",), auditor=False), entries)


def test_the_owner_sees_the_referral() -> None:
    entries = chain(received("r-1"), triaged("r-1"))
    broker = Reader("makelaar", OWNER, ("sociaal_makelaar",), auditor=False)
    assert parties(entries).owners == {OWNER}
    assert may_see_timeline(broker, entries)


def test_every_organisation_that_owned_a_referral_keeps_reading_its_timeline() -> None:
    """Rejected (the coordination point holds it), re-routed by triage, then transferred:
    each owner in turn may read what happened, nobody else."""
    point, brokers, other = (
        "coordinatiepunt-eenzaamheid",
        "sociaal-makelaars-overvecht",
        "sociaal-makelaars-noordwest",
    )
    rejected = payloads.followed_up(
        ReferralRejected,
        "r-1",
        TaskStatus.REJECTED,
        status_reason="geen_capaciteit",
        owner=point,
        actor=Actor(organisation=OWNER, role=ActorRole.SOCIAAL_MAKELAAR),
        reason=RejectReason.GEEN_CAPACITEIT,
        excluded_organisations=[OWNER],
    )
    transferred = payloads.followed_up(
        ReferralTransferred,
        "r-1",
        TaskStatus.REQUESTED,
        owner=other,
        actor=Actor(organisation=brokers, role=ActorRole.SOCIAAL_MAKELAAR),
        from_organisation=brokers,
        to_name="Sociaal makelaars Noordwest",
        to_route=Route.SOCIAAL_MAKELAAR,
        reason=TransferReason.ANDERE_WIJK,
    )
    entries = chain(
        received("r-1"), triaged("r-1"), rejected, triaged("r-1", owner=brokers), transferred
    )

    assert parties(entries).owners == {OWNER, point, brokers, other}
    for organisation in (OWNER, point, brokers, other):
        assert may_see_timeline(Reader("m", organisation, ("sociaal_makelaar",), False), entries)
    assert not may_see_timeline(
        Reader("m", "buurtteam-zuid", ("sociaal_makelaar",), False), entries
    )


def test_an_auditor_sees_every_referral() -> None:
    entries = chain(received("r-1", organisation=OTHER_PRACTICE))
    auditor = Reader("auditor", "gemeente-utrecht", ("auditor",), auditor=True)
    assert may_see_timeline(auditor, entries)


def test_the_timeline_shows_one_referral_in_seq_order_as_written() -> None:
    entries = chain(received_v1("r-1"), received("r-2"), triaged("r-1"))
    view = timeline("r-1", reversed(entries))
    assert view.referral_id == "r-1"
    assert [e.seq for e in view.events] == [1, 3]
    first = view.events[0]
    assert first.type == "nl.schakel.referral.received.v1"
    assert first.data["signaler_organisation"] == PRACTICE
    assert first.event_id == entries[0].event.event_id
    assert first.correlation_id == entries[0].event.correlationid
