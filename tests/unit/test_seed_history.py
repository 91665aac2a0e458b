"""The replay benchmark's seeded history: every record is one the contracts' CloudEvents
reader and upcasters accept, each referral's events come in the order the services write
them, the signaler is told what feedback's live handler tells, and the same seed gives the
same history."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from itertools import pairwise
from typing import Any

from aiokafka.structs import RecordMetadata

from schakel.audit.domain.chain import ChainVerifier
from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.kafka_binding import read_raw, upcast
from schakel.contracts.topics import REFERRAL_EVENTS
from schakel.feedback.handlers import follow
from schakel_dev.seed_history import Chains, written
from schakel_dev.seed_referrals import Record, Referrals, interleaved
from tests.fakes.feedback import FakeReferrals

EVENTS = 1_500
RECEIVED = "nl.schakel.referral.received.v2"
TRIAGED = "nl.schakel.referral.triaged.v2"
CLOSED = "nl.schakel.referral.closed.v1"
FEEDBACK = "nl.schakel.referral.feedback-recorded.v2"


@cache
def _history(seed: int = 1) -> list[Record]:
    return list(interleaved(Referrals(seed), EVENTS))


def test_every_record_reads_as_a_schakel_event_of_the_contracts() -> None:
    for record in _history():
        event = upcast(read_raw(record.headers, record.value))
        assert event.subject == record.event.subject == event.data.referral_id
        assert event.id == record.event.id
        assert event.data.model_dump(mode="json") == record.event.data


def test_each_referral_begins_received_then_triaged_and_every_event_follows_its_cause() -> None:
    by_referral: dict[str, list[Record]] = defaultdict(list)
    history = _history()
    for record in history:
        by_referral[record.event.subject].append(record)
    # The history's first and last referrals may be cut by its ends.
    whole = [e for e in by_referral.values() if e[0].event.type == RECEIVED and len(e) > 3]
    assert len(whole) > 50
    for events in whole:
        assert [e.event.type for e in events[:2]] == [RECEIVED, TRIAGED]
        for cause, effect in pairwise(events):
            effect_is, cause_is = effect.event.attributes, cause.event.attributes
            assert effect_is.causationid == cause_is.id
            assert effect_is.correlationid == events[0].event.id
            assert effect_is.time > cause_is.time
    # Referrals are interleaved as live, and some get all the way to closed.
    assert history[1].event.subject != history[0].event.subject
    assert any(events[-2].event.type == CLOSED for events in whole)


async def test_the_signaler_is_told_what_feedbacks_live_handler_tells_and_no_more() -> None:
    seeded: dict[str, list[Any]] = defaultdict(list)
    told: dict[str, list[Any]] = defaultdict(list)
    referrals = FakeReferrals()

    def emit(event: EventEnvelope[Any], topic: str = REFERRAL_EVENTS) -> None:
        if topic == REFERRAL_EVENTS:
            told[event.subject].append(event.data.model_dump(mode="json"))

    whole = Referrals(3)
    for record in (record for _ in range(300) for record in whole.next()):
        if record.event.type == FEEDBACK:
            seeded[record.event.subject].append(record.event.data)
        else:
            await follow(upcast(read_raw(record.headers, record.value)), referrals, emit)

    assert seeded == told
    stages = [news["stage"] for referral in seeded.values() for news in referral]
    assert "ontvangen" not in stages  # the receipt says it; live no longer sends it
    assert {"doorgezet", "hulp_gestart", "afgesloten"} <= set(stages)


def test_the_same_seed_gives_the_same_history_and_another_seed_another() -> None:
    assert _history(7) == _history(7)
    assert _history(7)[0].event.id != _history(8)[0].event.id


def test_the_archived_records_form_an_intact_chain_per_partition() -> None:
    chains = Chains()
    verifiers: dict[str, ChainVerifier] = {}
    for offset, record in enumerate(_history()[:500]):
        where = RecordMetadata("t", offset % 6, None, offset, -1, 0, 0)
        entry = chains.append(written(record, where))
        assert verifiers.setdefault(entry.chain, ChainVerifier()).feed(entry)
    assert sorted(verifiers) == [f"t/{p}" for p in range(6)]
    assert all(v.report().intact for v in verifiers.values())
    assert sum(head.seq for head in chains.heads.values()) == 500
