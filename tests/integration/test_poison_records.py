"""Records no consumer can read, on the real broker: each ends in the service's dead-letter
topic with its reason, the partition moves on past it, and the records after it are handled.
A readable event with a foreign header in any encoding is handled, and archived, as written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from schakel.audit.adapters import ARCHIVE, MongoArchive, ensure_indexes
from schakel.audit.handlers import on_every_record, verify_archive
from schakel.contracts import EventEnvelope
from schakel.contracts.kafka_binding import to_record
from tests.integration.rig import Recorder, Rig, event_for

pytestmark = pytest.mark.integration

Headers = list[tuple[str, bytes | None]]
Record = tuple[bytes, bytes | None, Headers]
DEEP = b"[" * 10_000 + b"]" * 10_000


def written(
    event: EventEnvelope[Any],
    *,
    value: bytes | None = b"",
    content_type: bytes | None = None,
    replace: dict[str, bytes] | None = None,
    extra: Headers | None = None,
) -> Record:
    """``event``'s record as a producer might have written it: another value (``b""`` keeps
    the event's own), header values replaced, foreign headers added."""
    key, own_value, headers = to_record(event)
    changed: Headers = [(name, (replace or {}).get(name, raw)) for name, raw in headers]
    if content_type is not None:
        changed = [(name, content_type if name == "content-type" else raw) for name, raw in changed]
    return key, own_value if value == b"" else value, changed + (extra or [])


@dataclass(frozen=True)
class Poison:
    name: str
    record: Record
    error: str  # part of the dlq-error header that names what is wrong


def poisons(referral_id: str) -> list[Poison]:
    def envelope(**changes: Any) -> Record:
        return written(event_for(referral_id), **changes)

    return [
        Poison("ce_id not UTF-8", envelope(replace={"ce_id": b"\xff\xfe-id"}), "'ce_id'"),
        Poison("null value", envelope(value=None, extra=[("x-empty", None)]), "no value"),
        Poison(
            "not JSON though application/json",
            envelope(value=b"{this is not json", content_type=b"application/json"),
            "not JSON",
        ),
        Poison(
            "10,000-deep JSON as cloudevents+json",
            envelope(value=DEEP, content_type=b"application/cloudevents+json"),
            "nested deeper",
        ),
        Poison(
            "10,000-deep JSON as octet-stream",
            envelope(value=DEEP, content_type=b"application/octet-stream"),
            "nested deeper",
        ),
        Poison(
            "5,000-digit number as cloudevents+json",
            envelope(value=b"9" * 5_000, content_type=b"application/cloudevents+json"),
            "not JSON",
        ),
        Poison(
            "5,000-digit number as octet-stream",
            envelope(value=b"9" * 5_000, content_type=b"application/octet-stream"),
            "not JSON",
        ),
    ]


POISON_NAMES = [p.name for p in poisons("ref")]
# Readable events whose records carry a foreign header no decoder of ours may choke on.
FOREIGN_HEADERS: list[tuple[str, bytes | None]] = [
    ("x-trace", b"\xc3\x28 latin-1 \xe9"),
    ("x-empty", None),
]


@pytest.mark.parametrize("kind", POISON_NAMES)
async def test_a_poison_record_is_dead_lettered_and_the_partition_moves_on(
    rig: Rig, kind: str
) -> None:
    [poison] = [p for p in poisons("ref-poison") if p.name == kind]
    after = event_for("ref-poison")  # same key: the same partition, right behind it
    await rig.publish(poison.record, to_record(after))

    async def both_done() -> bool:
        return await rig.committed() == 2

    handler = Recorder()
    await rig.consume(handler, both_done)
    [dead] = await rig.dead_letters(1)
    reasons = dict(dead.headers)
    assert reasons["dlq-reason"] == b"unreadable"
    assert poison.error in reasons["dlq-error"].decode()
    assert (dead.key, dead.value) == (poison.record[0], poison.record[1])
    # The record's own headers travel with it, byte for byte.
    assert [h for h in dead.headers if not h[0].startswith("dlq-")] == poison.record[2]
    assert handler.calls == 1
    applied = await rig.effects.find_one({})
    assert applied is not None and applied["event_id"] == after.id


@pytest.mark.parametrize(("header", "raw"), FOREIGN_HEADERS)
async def test_a_readable_event_with_a_foreign_header_is_handled_not_dropped(
    rig: Rig, header: str, raw: bytes | None
) -> None:
    event, after = event_for("ref-foreign"), event_for("ref-foreign")
    await rig.publish(written(event, extra=[(header, raw)]), to_record(after))

    async def both_done() -> bool:
        return await rig.committed() == 2

    await rig.consume(Recorder(), both_done)
    assert await rig.effects.distinct("event_id") == [event.id, after.id]
    assert await rig.published(rig.dead_letter_topic) == 0


async def test_the_audit_keeps_every_readable_event_and_dead_letters_the_rest(rig: Rig) -> None:
    """The audit's own record handler, consuming as the audit app does: no hole in history."""
    await ensure_indexes(rig.store)
    first = event_for("ref-audit")
    foreign = [event_for("ref-audit") for _ in FOREIGN_HEADERS]
    last = event_for("ref-audit")
    unreadable = poisons("ref-audit")
    await rig.publish(
        to_record(first),
        *(p.record for p in unreadable),
        *(written(e, extra=[h]) for e, h in zip(foreign, FOREIGN_HEADERS, strict=True)),
        to_record(last),
    )
    total = 2 + len(unreadable) + len(foreign)

    async def all_done() -> bool:
        return await rig.committed() == total

    await rig.consume(on_every_record, all_done)
    archived = await rig.store.db[ARCHIVE].find({}, sort=[("seq", 1)]).to_list()
    assert [a["_id"] for a in archived] == [first.id, *(e.id for e in foreign), last.id]
    for entry, (name, raw) in zip(archived[1:-1], FOREIGN_HEADERS, strict=True):
        assert [name, raw or b""] in entry["headers"]  # kept as written (null as empty)
    check = await verify_archive(MongoArchive(rig.store))
    assert (check.report.intact, check.report.checked) == (True, len(archived))
    dead = await rig.dead_letters(len(unreadable))
    assert len(dead) == len(unreadable)
    assert {dict(d.headers)["dlq-reason"] for d in dead} == {b"unreadable"}
