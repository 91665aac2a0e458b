"""The audit ports' contract: every test body runs against the in-memory ``FakeArchive`` the unit
tests use and against ``MongoChain``/``MongoArchive`` on a real MongoDB-protocol server, so the
fake cannot drift from the adapter the service runs."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError, PyMongoError

from schakel.audit import adapters
from schakel.audit.adapters import (
    READS,
    ArchiveReader,
    ChainStore,
    MongoArchive,
    MongoChain,
    RootStore,
)
from schakel.audit.domain.access import ArchiveRead, ReadKind, ReadOutcome
from schakel.audit.domain.chain import ArchiveEntry, ChainHead, WrittenEvent, append
from schakel.audit.domain.roots import Root
from schakel.platform.mongo import Document
from tests.backends import BACKENDS, Backend, FakeBackend, MongoBackend, scratch_store
from tests.fakes.audit import FakeArchive

pytestmark = pytest.mark.integration

TOPIC = "schakel.referral-events"
CHAIN_1 = f"{TOPIC}/1"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Archive:
    """One backend's archive as the test bodies see it: the write side as units of work (one
    transaction each on MongoDB, as the consumer runs a handler), the read side as the HTTP
    API holds it, and the reads recorded so far."""

    chain: Backend[ChainStore]
    reader: ArchiveReader
    roots: RootStore
    recorded_reads: Callable[[], Awaitable[list[ArchiveRead]]]


def read_of(doc: Document) -> ArchiveRead:
    target = doc["referral_id" if doc["kind"] == "timeline" else "correlation_id"]
    return ArchiveRead(
        doc["kind"],
        target,
        doc["username"],
        doc["organisation"],
        tuple(doc["roles"]),
        doc["outcome"],
        doc["at"],
    )


@pytest.fixture(params=BACKENDS)
async def archive(request: pytest.FixtureRequest) -> AsyncIterator[Archive]:
    if request.param == "fake":
        fake = FakeArchive()

        async def fake_reads() -> list[ArchiveRead]:
            return list(fake.reads)

        yield Archive(FakeBackend[ChainStore](fake), fake, fake, fake_reads)
        return
    # Looked up here, not requested: fake-only runs start no MongoDB server.
    async with scratch_store(request.getfixturevalue("mongodb_uri")) as store:
        await adapters.ensure_indexes(store)

        async def mongo_reads() -> list[ArchiveRead]:
            # ObjectIds grow within a process: _id order is the order of recording.
            return [read_of(d) async for d in store.db[READS].find({}).sort("_id", ASCENDING)]

        mongo = MongoArchive(store)
        yield Archive(MongoBackend[ChainStore](store, MongoChain), mongo, mongo, mongo_reads)


def written(
    n: int,
    referral_id: str = "r-1",
    correlation_id: str = "c-1",
    causation_id: str | None = None,
    partition: int = 1,
) -> WrittenEvent:
    return WrittenEvent(
        event_id=f"e-{1000 - n}",  # ids sort against seq: no backend gets seq order for free
        type="nl.schakel.referral.received.v2",
        subject=referral_id,
        source="/schakel/test",
        time=f"2026-11-23T09:30:{n:02d}+00:00",
        correlationid=correlation_id,
        causationid=causation_id,
        payload={"referral_id": referral_id, "n": n},
        topic=TOPIC,
        partition=partition,
        offset=n,
        key=referral_id.encode(),
    )


async def append_next(chain: ChainStore, event: WrittenEvent) -> ArchiveEntry:
    """What the archive handler does: read its chain's head, append after it."""
    head = await chain.head(event.chain)
    entry = append(head, event)
    await chain.append(entry, after=head)
    return entry


async def archived(archive: Archive, *events: WrittenEvent) -> list[ArchiveEntry]:
    """Each event appended in a unit of work of its own, as each delivery is."""
    return [await archive.chain.run(partial(append_next, event=e)) for e in events]


class Refused(Exception):
    """Carries an append's error out of the unit of work. Raised as it is, a transient error
    would make ``with_transaction`` run the transaction again for two minutes."""

    def __init__(self, error: PyMongoError) -> None:
        super().__init__(error)
        self.error = error


async def refusal(archive: Archive, entry: ArchiveEntry, after: ChainHead | None) -> PyMongoError:
    async def attempt(chain: ChainStore) -> None:
        try:
            await chain.append(entry, after=after)
        except PyMongoError as exc:
            raise Refused(exc) from exc

    with pytest.raises(Refused) as refused:
        await archive.chain.run(attempt)
    return refused.value.error


async def heads(
    archive: Archive, chain: str = CHAIN_1
) -> tuple[ChainHead | None, ChainHead | None]:
    """The chain's head as the write side and as the read side see it."""
    return await archive.chain.run(lambda c: c.head(chain)), (await archive.reader.heads()).get(
        chain
    )


async def everything(archive: Archive) -> list[ArchiveEntry]:
    return [entry async for entry in archive.reader.in_order()]


async def test_an_empty_archive_has_no_head_and_no_entries(archive: Archive) -> None:
    assert await heads(archive) == (None, None)
    assert await archive.reader.count() == 0
    assert await everything(archive) == []
    assert await archive.reader.by_referral("r-1") == []
    assert await archive.reader.by_correlation("c-1") == []


async def test_each_entry_appended_after_the_head_becomes_the_head(archive: Archive) -> None:
    for n in (1, 2, 3):
        [entry] = await archived(archive, written(n))
        assert entry.seq == n
        assert await heads(archive) == (entry.head, entry.head)
        assert await archive.reader.count() == n


STALE_HEADS: dict[str, Callable[[list[ArchiveEntry]], ChainHead | None]] = {
    "an_older_head": lambda entries: entries[0].head,
    "no_head_while_the_chain_has_one": lambda entries: None,
    "the_heads_seq_with_another_hash": lambda entries: ChainHead(entries[-1].seq, "f" * 64),
    "a_head_beyond_the_chain": lambda entries: replace(entries[-1].head, seq=9),
}


@pytest.mark.parametrize("stale", STALE_HEADS.values(), ids=STALE_HEADS.keys())
async def test_an_append_after_a_stale_head_is_refused_as_transient_and_changes_nothing(
    archive: Archive, stale: Callable[[list[ArchiveEntry]], ChainHead | None]
) -> None:
    entries = await archived(archive, written(1), written(2))
    after = stale(entries)
    error = await refusal(archive, append(after, written(3)), after)
    # The label makes with_transaction run the handler again, which then reads the new head.
    assert error.has_error_label("TransientTransactionError")
    assert await heads(archive) == (entries[-1].head, entries[-1].head)
    assert await everything(archive) == entries


async def test_an_event_already_archived_is_refused_for_good_and_changes_nothing(
    archive: Archive,
) -> None:
    entries = await archived(archive, written(1), written(2))
    head = entries[-1].head
    again = append(head, entries[0].event)  # the same event after the right head
    error = await refusal(archive, again, head)
    assert isinstance(error, DuplicateKeyError)
    # Not transient: running the transaction again could never succeed.
    assert not error.has_error_label("TransientTransactionError")
    assert await heads(archive) == (head, head)
    assert await everything(archive) == entries


def every_field(causation_id: str | None) -> WrittenEvent:
    return WrittenEvent(
        event_id="0193a1c2-7e4f-7d21-9c3b-5a8e2f1d0b6c",
        type="nl.schakel.referral.reopened.v1",
        subject="r-ë",
        source="/schakel/intake",
        time="2026-11-23T09:30:00.123456+01:00",
        correlationid="c-één",
        causationid=causation_id,
        payload={
            "reden": "mevrouw Çelik belde zelf terug — ‘graag één gesprek’ 😔",
            "geneste": {"lijst": [1, -2, 2.5, None, True, False, "ü", {"diep": ["日本"]}]},
            "leeg": {},
            "niets": None,
            "groot": 2**53 + 1,
        },
        topic=TOPIC,
        partition=5,
        offset=2**40,
        key=b"r-\xc3\xab\x00\xff",  # a Kafka key is bytes, not necessarily UTF-8
        headers=(
            ("ce_id", b"0193a1c2-7e4f-7d21-9c3b-5a8e2f1d0b6c"),
            ("ce_subject", "r-ë".encode()),
            ("traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            ("leeg", b""),
            ("ce_id", b"twice"),  # a header name may repeat; order and both values are kept
        ),
    )


ROUND_TRIPS = {
    "with_every_field": every_field(causation_id="0193a1c2-0000-7000-8000-000000000001"),
    "without_causation_key_or_headers": replace(
        every_field(causation_id=None), key=None, headers=()
    ),
}


@pytest.mark.parametrize("event", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
async def test_an_entry_comes_back_exactly_as_appended(
    archive: Archive, event: WrittenEvent
) -> None:
    [entry] = await archived(archive, event)
    assert await archive.reader.by_referral("r-ë") == [entry]
    assert await archive.reader.by_correlation("c-één") == [entry]
    assert await everything(archive) == [entry]


async def test_changing_an_appended_or_returned_entry_changes_nothing_archived(
    archive: Archive,
) -> None:
    event = written(1)
    [entry] = await archived(archive, event)
    kept = copy.deepcopy(entry)
    event.payload["n"] = "changed by the writer"
    reader = archive.reader
    returned = [*await reader.by_referral("r-1"), *await reader.by_correlation("c-1")]
    for each in [*returned, *await everything(archive)]:
        each.event.payload["n"] = "changed by a reader"
    assert await everything(archive) == [kept]


async def test_by_referral_gives_that_referrals_entries_in_seq_order(archive: Archive) -> None:
    entries = await archived(
        archive, written(1, "r-1"), written(2, "r-2"), written(3, "r-1"), written(4, "r-11")
    )
    assert await archive.reader.by_referral("r-1") == [entries[0], entries[2]]
    assert await archive.reader.by_referral("r-2") == [entries[1]]
    assert await archive.reader.by_referral("r") == []  # whole ids only, no prefixes


async def test_by_correlation_gives_entries_sharing_it_across_referrals_in_seq_order(
    archive: Archive,
) -> None:
    first = written(1, "r-1", "c-1")
    then = written(3, "r-1", "c-1", causation_id=first.event_id)
    elsewhere = written(4, "r-2", "c-1", causation_id=then.event_id)  # led to another referral
    entries = await archived(archive, first, written(2, "r-2", "c-2"), then, elsewhere)
    assert await archive.reader.by_correlation("c-1") == [entries[0], entries[2], entries[3]]
    assert await archive.reader.by_correlation("c-2") == [entries[1]]
    assert await archive.reader.by_correlation(first.event_id) == []  # causation is not matched


async def test_by_receipt_hash_gives_the_entries_whose_payload_carries_it(
    archive: Archive,
) -> None:
    received = replace(written(1, "r-1"), payload={"referral_id": "r-1", "receipt_hash": "h-1"})
    other = replace(written(2, "r-2"), payload={"referral_id": "r-2", "receipt_hash": "h-2"})
    entries = await archived(archive, received, other, written(3, "r-1"))
    assert await archive.reader.by_receipt_hash("h-1") == [entries[0]]
    assert await archive.reader.by_receipt_hash("h") == []  # whole hashes only


async def test_in_order_after_a_position_streams_only_what_follows_it(archive: Archive) -> None:
    await archived(archive, *(written(n, partition=n % 2) for n in range(1, 7)))
    ordered = [e async for e in archive.reader.in_order()]
    after = ordered[2].position
    followed = [e async for e in archive.reader.in_order(after=after)]
    assert followed == ordered[3:]
    assert await archive.reader.count(after=after) == 3
    assert await archive.reader.count() == 6


async def test_a_long_history_read_a_few_entries_at_a_time_keeps_the_order(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replay's reading: chains read a page at a time and merged, resumed anywhere."""
    monkeypatch.setattr(adapters, "SCAN_BATCH", 2)
    entries = await archived(archive, *(written(n, partition=n % 3) for n in range(1, 12)))
    ordered = [e async for e in archive.reader.in_order()]
    assert ordered == sorted(ordered, key=lambda e: e.position)
    assert sorted(ordered, key=lambda e: (e.chain, e.seq)) == sorted(
        entries, key=lambda e: (e.chain, e.seq)
    )
    for cut in (0, 4, 9, 10):
        after = ordered[cut].position
        assert [e async for e in archive.reader.in_order(after=after)] == ordered[cut + 1 :]
        assert await archive.reader.count(after=after) == len(ordered) - cut - 1
    chain = f"{TOPIC}/2"
    assert [e async for e in archive.reader.in_chain(chain)] == [
        e for e in entries if e.chain == chain
    ]


async def test_each_partition_has_its_own_chain_and_head(archive: Archive) -> None:
    entries = await archived(
        archive, *(written(n, partition=p) for n, p in [(1, 1), (2, 2), (3, 1), (4, 2), (5, 2)])
    )
    assert [(e.chain, e.seq) for e in entries] == [
        (CHAIN_1, 1),
        (f"{TOPIC}/2", 1),
        (CHAIN_1, 2),
        (f"{TOPIC}/2", 2),
        (f"{TOPIC}/2", 3),
    ]
    assert await archive.reader.heads() == {CHAIN_1: entries[2].head, f"{TOPIC}/2": entries[4].head}
    assert await archive.reader.chains() == [CHAIN_1, f"{TOPIC}/2"]
    assert [e async for e in archive.reader.in_chain(f"{TOPIC}/2")] == [
        entries[1],
        entries[3],
        entries[4],
    ]


async def test_an_append_to_one_chain_does_not_touch_another_s_head(archive: Archive) -> None:
    """Partitions applied in parallel: an append after partition 2's head succeeds whatever
    partition 1's head became meanwhile."""
    first = await archived(archive, written(1, partition=2))
    head = first[0].head
    await archived(archive, written(2, partition=1))
    error_free = append(head, written(3, partition=2))
    await archive.chain.run(lambda c: c.append(error_free, after=head))
    assert await heads(archive, f"{TOPIC}/2") == (error_free.head, error_free.head)


async def test_in_order_keeps_each_chain_s_order_and_times_them_to_the_millisecond(
    archive: Archive,
) -> None:
    entries = await archived(archive, *(written(n, partition=n % 3) for n in range(1, 10)))
    ordered = [e async for e in archive.reader.in_order()]
    assert sorted(ordered, key=lambda e: e.event.event_id) == sorted(
        entries, key=lambda e: e.event.event_id
    )
    for chain in {e.chain for e in entries}:
        assert [e.seq for e in ordered if e.chain == chain] == [1, 2, 3]
    positions = [e.position for e in ordered]
    assert positions == sorted(positions)
    assert all(p.at.microsecond % 1000 == 0 and p.at.tzinfo is not None for p in positions)


async def test_roots_are_kept_in_seq_order_once_per_seq(archive: Archive) -> None:
    roots = archive.roots
    assert await roots.last_root() is None
    first = Root(1, "0" * 64, {CHAIN_1: ChainHead(2, "a" * 64)}, "b" * 64)
    second = Root(
        2, "b" * 64, {CHAIN_1: ChainHead(3, "c" * 64), "t/0": ChainHead(1, "d" * 64)}, "e" * 64
    )
    assert await roots.add_root(second, NOW)
    assert await roots.add_root(first, NOW)
    assert not await roots.add_root(replace(first, hash="f" * 64), NOW)  # another instance's
    assert await roots.last_root() == second
    assert [r async for r in archive.reader.roots()] == [first, second]


async def test_in_order_streams_every_entry_in_seq_order_across_batches(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches, so that a few entries already take several round trips on MongoDB.
    monkeypatch.setattr(adapters, "SCAN_BATCH", 2)
    entries = await archived(archive, *(written(n) for n in range(1, 8)))
    assert await everything(archive) == entries
    assert await archive.reader.count() == 7


def read(kind: ReadKind, target: str, outcome: ReadOutcome, at: datetime = NOW) -> ArchiveRead:
    roles = ("auditor", "huisarts")
    return ArchiveRead(kind, target, "user-gemeente", "gemeente-utrecht", roles, outcome, at)


async def test_every_read_is_recorded_with_who_asked_for_what_and_the_outcome(
    archive: Archive,
) -> None:
    asked = [
        read("timeline", "r-1", "shown"),
        read("correlation", "c-1", "unknown"),
        read("timeline", "r-2", "denied"),
    ]
    for each in asked:
        await archive.reader.record_read(each)
    assert await archive.recorded_reads() == asked


async def test_a_timelines_reads_come_back_oldest_first(archive: Archive) -> None:
    later, earlier = (
        read("timeline", "r-1", "denied", NOW),
        read("timeline", "r-1", "shown", NOW - timedelta(minutes=5)),
    )
    for each in (
        later,
        read("correlation", "r-1", "shown"),
        earlier,
        read("timeline", "r-2", "shown"),
    ):
        await archive.reader.record_read(each)
    assert await archive.reader.timeline_reads("r-1") == [earlier, later]
    assert await archive.reader.timeline_reads("r-3") == []


async def test_the_time_of_a_read_is_kept_to_the_millisecond(archive: Archive) -> None:
    await archive.reader.record_read(
        read("timeline", "r-1", "shown", NOW.replace(microsecond=1999))
    )
    [kept] = await archive.recorded_reads()
    assert kept.at == NOW.replace(microsecond=1000)
