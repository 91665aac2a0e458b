"""The archive's hash rule, as an auditor recomputes it with any SHA-256 tool: the entry's
fields as canonical JSON (sorted keys, no spaces, UTF-8 as is). The rule may never change: an
archive written by an earlier release must still verify."""

from __future__ import annotations

import hashlib

from schakel.audit.domain.chain import WrittenEvent, append, verify

GENESIS = "0" * 64
FIRST = WrittenEvent(
    event_id="e-1",
    type="nl.schakel.referral.received.v2",
    subject="ref-1",
    source="/schakel/intake",
    time="2026-11-02T09:15:00+00:00",
    correlationid="c-1",
    causationid=None,
    payload={"referral_id": "ref-1", "naam": "Zoë"},
    topic="schakel.referral-events",
    partition=4,
    offset=17,
    key=b"ref-1",
    headers=(("x-trace", b"not hashed"),),
)
# The first entry as canonical JSON, written out by hand.
FIRST_CANONICAL = (
    '{"causationid":null,"correlationid":"c-1","event_id":"e-1","offset":17,"partition":4,'
    '"payload":{"naam":"Zoë","referral_id":"ref-1"},"prev_hash":"' + GENESIS + '","seq":1,'
    '"source":"/schakel/intake","subject":"ref-1","time":"2026-11-02T09:15:00+00:00",'
    '"topic":"schakel.referral-events","type":"nl.schakel.referral.received.v2"}'
)
# Both hashes as an earlier release wrote them into the archive.
FIRST_HASH = "c564ce8f0ca8323827e7fb4e8e852fb2bdb2dc2ac773713022c5e49c3bedbca5"
SECOND_HASH = "04c6b8a1a4cce5940833eaf4b6ac832e5b5a0db5e7c86cb2cf8a2c0bc917c2d8"


def test_an_auditor_recomputes_an_entry_s_hash_from_its_fields() -> None:
    first = append(None, FIRST)
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert hashlib.sha256(FIRST_CANONICAL.encode()).hexdigest() == first.hash == FIRST_HASH


def test_an_archive_written_by_an_earlier_release_still_verifies() -> None:
    second_event = WrittenEvent(
        event_id="e-2",
        type="nl.schakel.referral.triaged.v2",
        subject="ref-1",
        source="/schakel/triage",
        time="2026-11-02T09:15:01+00:00",
        correlationid="c-1",
        causationid="e-1",
        payload={"referral_id": "ref-1", "grade": None},
        topic="schakel.referral-events",
        partition=4,
        offset=18,
    )
    first = append(None, FIRST)
    second = append(first.head, second_event)
    assert (second.seq, second.prev_hash, second.hash) == (2, FIRST_HASH, SECOND_HASH)
    report = verify([first, second], head=second.head)
    assert (report.intact, report.checked) == (True, 2)
