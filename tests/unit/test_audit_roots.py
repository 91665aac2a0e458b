"""A hash chain per partition, tied together by a chain of head records (roots): what verify
detects when an entry is removed, reordered or moved, when one chain's tail is cut off
together with its head document, and when a root is forged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from schakel.audit.domain.chain import (
    ArchiveEntry,
    ChainHead,
    VerifyReport,
    WrittenEvent,
    chain_hash,
    chained,
)
from schakel.audit.domain.roots import ROOTS, HeadBehind, Root, RootVerifier, next_root, root_hash
from schakel.audit.handlers import ArchiveCheck, verify_archive
from tests.fakes.audit import FakeArchive

TOPIC = "schakel.referral-events"
AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def event(n: int, partition: int) -> WrittenEvent:
    return WrittenEvent(
        event_id=f"e-{partition}-{n}",
        type="nl.schakel.referral.received.v2",
        subject=f"r-{partition}",
        source="/schakel/test",
        time="2026-12-01T10:00:00+00:00",
        correlationid=f"c-{n}",
        causationid=None,
        payload={"n": n},
        topic=TOPIC,
        partition=partition,
        offset=n,
    )


def chain_of(events: list[WrittenEvent]) -> list[ArchiveEntry]:
    """The chain of ``events``, every hash computed: what a careful forger writes too."""
    return chained(events)


async def archive_of(partitions: dict[int, int], *, root_each: bool = False) -> FakeArchive:
    """``partitions``: partition → how many entries; a root written after all of them (and
    after each one: ``root_each``)."""
    fake = FakeArchive()
    for partition, count in partitions.items():
        for entry in chain_of([event(n, partition) for n in range(count)]):
            await fake.append(entry, after=fake.current.get(entry.chain))
            if root_each:
                await write_root(fake)
    if not root_each:
        await write_root(fake)
    return fake


async def write_root(fake: FakeArchive) -> Root:
    root = next_root(await fake.last_root(), await fake.heads())
    assert root is not None
    assert await fake.add_root(root, AT)
    return root


def rechain(fake: FakeArchive, chain: str, entries: list[ArchiveEntry]) -> None:
    """Replace one chain's entries and head by ``entries``, every hash recomputed."""
    rewritten = chain_of([e.event for e in entries])
    others = [e for e in fake.entries if e.chain != chain]
    fake.entries = others + rewritten
    if rewritten:
        fake.current[chain] = rewritten[-1].head
    else:
        fake.current.pop(chain, None)


def broken(check: ArchiveCheck) -> tuple[str | None, int | None]:
    assert not check.report.intact
    return check.report.chain, check.report.first_broken_seq


P0, P1 = f"{TOPIC}/0", f"{TOPIC}/1"


async def test_chains_of_two_partitions_and_their_root_verify() -> None:
    fake = await archive_of({0: 3, 1: 2})
    check = await verify_archive(fake)
    assert check.report == VerifyReport(True, 5, 1)
    assert [(r.chain, r.checked, r.intact) for r in check.chains] == [(P0, 3, True), (P1, 2, True)]
    assert (check.roots.chain, check.roots.checked, check.head_seq) == (ROOTS, 1, 1)


async def test_appends_in_different_partitions_each_start_their_own_chain() -> None:
    fake = await archive_of({0: 2, 1: 2})
    assert fake.current == {
        P0: fake.entries[1].head,
        P1: fake.entries[3].head,
    }
    assert [(e.chain, e.seq) for e in fake.entries] == [(P0, 1), (P0, 2), (P1, 1), (P1, 2)]


async def test_a_removed_entry_is_named_by_chain_and_seq() -> None:
    fake = await archive_of({0: 4, 1: 2})
    fake.entries = [e for e in fake.entries if (e.chain, e.seq) != (P0, 2)]
    assert broken(await verify_archive(fake)) == (P0, 2)


async def test_a_removed_entry_with_its_chain_recomputed_disagrees_with_the_roots() -> None:
    fake = await archive_of({0: 4, 1: 2}, root_each=True)
    mine = [e for e in fake.entries if e.chain == P0]
    rechain(fake, P0, mine[:1] + mine[2:])
    check = await verify_archive(fake)
    assert broken(check) == (P0, 2)
    assert check.report.reason == "head record 2 names another hash for this entry"
    # With one root after them all, the chain is now one entry short of what it names.
    fake = await archive_of({0: 4, 1: 2})
    mine = [e for e in fake.entries if e.chain == P0]
    rechain(fake, P0, mine[:1] + mine[2:])
    check = await verify_archive(fake)
    assert broken(check) == (P0, 4)
    assert check.report.reason == "entries 4..4 named by head record 1 are missing"


async def test_reordered_entries_are_named() -> None:
    fake = await archive_of({0: 4})
    first, second, *rest = fake.entries
    swapped = [replace(first, seq=2), replace(second, seq=1), *rest]
    fake.entries = swapped
    assert broken(await verify_archive(fake)) == (P0, 1)
    # Reordered with every hash recomputed: the roots still name the old order's hashes.
    fake = await archive_of({0: 4}, root_each=True)
    first, second, *rest = fake.entries
    rechain(fake, P0, [second, first, *rest])
    assert broken(await verify_archive(fake)) == (P0, 1)


async def test_an_entry_moved_to_another_chain_is_named() -> None:
    fake = await archive_of({0: 2, 1: 2})
    moved = fake.entries[3]  # P1 #2, given P0's next seq and hash chain
    p0_head = fake.current[P0]
    forged = ArchiveEntry(3, p0_head.hash, chain_hash(3, p0_head.hash, moved.event), moved.event)
    fake.entries[3] = forged
    check = await verify_archive(fake)
    # Stored under P1 still (its event names partition 1): P1 lost entry 2 the root names.
    assert broken(check) == (P1, 2)


async def test_a_tail_cut_off_with_its_head_document_is_named_by_the_root() -> None:
    fake = await archive_of({0: 3, 1: 5})
    fake.entries = [e for e in fake.entries if not (e.chain == P1 and e.seq >= 3)]
    del fake.current[P1]
    check = await verify_archive(fake)
    assert broken(check) == (P1, 3)
    assert check.report.reason == "entries 3..5 named by head record 1 are missing"


async def test_a_whole_chain_removed_with_its_head_is_named_by_the_root() -> None:
    fake = await archive_of({0: 3, 1: 2})
    rechain(fake, P1, [])
    assert broken(await verify_archive(fake)) == (P1, 1)


async def test_a_tail_cut_off_after_the_last_root_is_not_detected() -> None:
    """The limit docs/audit.md states: what no root names yet, only its head vouches for."""
    fake = await archive_of({0: 2})
    for entry in chain_of([event(n, 0) for n in range(4)])[2:]:
        await fake.append(entry, after=fake.current[P0])
    rechain(fake, P0, [e for e in fake.entries if e.seq <= 2])
    assert (await verify_archive(fake)).report.intact


async def test_a_forged_root_is_named_in_the_head_records() -> None:
    fake = await archive_of({0: 2, 1: 2})
    await fake.append(chain_of([event(n, 0) for n in range(3)])[2], after=fake.current[P0])
    await write_root(fake)
    first = fake.stored_roots[0]
    heads = {**first.heads, P1: ChainHead(1, first.heads[P1].hash)}
    fake.stored_roots[0] = replace(first, heads=heads)  # its hash not recomputed
    check = await verify_archive(fake)
    assert broken(check) == (ROOTS, 1)
    assert check.roots.reason == "content does not match its hash"


async def test_a_forged_root_with_its_hash_recomputed_breaks_the_next_one() -> None:
    fake = await archive_of({0: 2})
    await fake.append(chain_of([event(n, 0) for n in range(3)])[2], after=fake.current[P0])
    await write_root(fake)
    first = fake.stored_roots[0]
    heads = {P0: ChainHead(2, "f" * 64)}
    fake.stored_roots[0] = replace(first, heads=heads, hash=root_hash(1, first.prev_hash, heads))
    check = await verify_archive(fake)
    assert broken(check) == (ROOTS, 2)
    assert check.roots.reason == "prev_hash does not match the previous head record's hash"


def test_roots_follow_the_heads_and_refuse_a_head_gone_back() -> None:
    a, b = ChainHead(2, "a" * 64), ChainHead(1, "b" * 64)
    first = next_root(None, {P0: a})
    assert first is not None and (first.seq, dict(first.heads)) == (1, {P0: a})
    assert next_root(first, {P0: a}) is None  # nothing moved
    second = next_root(first, {P1: b})  # a chain not read keeps what the last root named
    assert second is not None and dict(second.heads) == {P0: a, P1: b}
    assert second.prev_hash == first.hash
    with pytest.raises(HeadBehind):
        next_root(second, {P0: ChainHead(1, "c" * 64)})


FIRST_HEADS = {P0: ChainHead(2, "a" * 64), P1: ChainHead(1, "b" * 64)}
FORGED_HEADS = {
    "a_chain_dropped": {P0: ChainHead(3, "c" * 64)},
    "a_chain_moved_back": {P0: ChainHead(1, "c" * 64), P1: ChainHead(1, "b" * 64)},
    "a_chain_given_another_hash": {P0: ChainHead(2, "c" * 64), P1: ChainHead(1, "b" * 64)},
}


@pytest.mark.parametrize("heads", FORGED_HEADS.values(), ids=FORGED_HEADS.keys())
def test_a_root_that_drops_a_chain_or_moves_it_back_breaks_the_head_records(
    heads: dict[str, ChainHead],
) -> None:
    first = next_root(None, FIRST_HEADS)
    assert first is not None
    forged = Root(2, first.hash, heads, root_hash(2, first.hash, heads))
    verifier = RootVerifier()
    assert verifier.feed(first)
    assert not verifier.feed(forged)
    assert verifier.report().first_broken_seq == 2
