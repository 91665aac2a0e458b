"""Verify from outside (issue 14, item 3; issue 13, item 3) on a real MongoDB-protocol server:
the audit archives events of two partitions with its own handler into a chain per partition,
writes head records (roots) across them and signs checkpoints of the roots, an outside party
exports and keeps them with the public key, and ``verify`` finds every tampering with the
archive before a checkpoint, also when the tamperer recomputed the chain and every root."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from schakel.audit import outside
from schakel.audit.adapters import (
    ARCHIVE,
    CHAINS,
    ROOTS,
    MongoArchive,
    ensure_indexes,
    entry_of,
    root_of,
)
from schakel.audit.checkpointing import CheckpointWriter
from schakel.audit.domain.chain import GENESIS_HASH, ChainHead, chain_hash
from schakel.audit.domain.checkpoints import Checkpoint
from schakel.audit.domain.roots import root_hash
from schakel.audit.handlers import on_every_record
from schakel.contracts.kafka_binding import read_raw, to_record
from schakel.platform.handling import Delivery, EventHandling
from schakel.platform.mongo import Document, MongoStore
from tests.backends import scratch_store
from tests.integration.rig import event_for

pytestmark = pytest.mark.integration
KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
AUDIT = EventHandling(every_record=on_every_record)
TOPIC = "schakel.referral-events"
P0, P1 = f"{TOPIC}/0", f"{TOPIC}/1"


async def archive(store: MongoStore, count: int, first: int = 0) -> None:
    """``count`` events archived by the audit's handler, as its consumer applies them,
    alternately on partitions 0 and 1."""
    for n in range(first, first + count):
        key, value, headers = to_record(event_for(f"ref-{n % 4}"))
        raw = read_raw(headers, value)
        await AUDIT.apply(store, Delivery(TOPIC, n % 2, n, key, tuple(headers), value, raw))


@pytest.fixture
async def store(mongodb_uri: str) -> AsyncIterator[MongoStore]:
    async with scratch_store(mongodb_uri) as scratch:
        await ensure_indexes(scratch)
        yield scratch


async def kept_checkpoints(store: MongoStore) -> list[Checkpoint]:
    """Two checkpoints (of root 1, naming entry 2 of each chain, and of root 2, naming entry
    4) written by the audit's writer, exported as JSON lines and read back as an outside party
    keeps them."""
    writer = CheckpointWriter(store, KEY)
    await archive(store, 4)
    assert await writer.write_once() is not None
    assert await writer.write_once() is None  # no chain moved: no root, nothing to sign
    await archive(store, 4, first=4)
    assert await writer.write_once() is not None
    exported = io.StringIO()
    assert await outside.export(store, exported) == 2
    return outside.read_checkpoints(exported.getvalue().splitlines())


async def verified(store: MongoStore, checkpoints: list[Checkpoint]) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = await outside.verify(store, checkpoints, KEY.public_key(), out)
    return code, out.getvalue().splitlines()


async def rewrite(store: MongoStore, change: Callable[[list[Document]], list[Document]]) -> None:
    """What a careful tamperer does: change partition 0's chain, then recompute its every seq,
    prev_hash and hash and its head, and every root (each naming the rewritten chain where it
    named the old one, or its end), so that the chains and roots alone hold again."""
    docs = await store.db[ARCHIVE].find({"chain": P0}).sort("seq", 1).to_list()
    await store.db[ARCHIVE].delete_many({"chain": P0})
    heads, prev = [], GENESIS_HASH
    for seq, doc in enumerate(change(docs), 1):
        doc.update(seq=seq, prev_hash=prev)
        doc["hash"] = prev = chain_hash(seq, prev, entry_of(doc).event)
        heads.append(ChainHead(seq, prev))
        await store.db[ARCHIVE].insert_one(doc)
    await store.db[CHAINS].update_one({"_id": P0}, {"$set": {"seq": seq, "hash": prev}})
    prev = GENESIS_HASH
    for doc in await store.db[ROOTS].find({}).sort("_id", 1).to_list():
        root = root_of(doc)
        named = {**root.heads, P0: heads[min(root.heads[P0].seq, len(heads)) - 1]}
        listed = [{"chain": c, "seq": h.seq, "hash": h.hash} for c, h in sorted(named.items())]
        hashed = root_hash(root.seq, prev, named)
        fields = {"heads": listed, "prev_hash": prev, "hash": hashed}
        await store.db[ROOTS].update_one({"_id": root.seq}, {"$set": fields})
        prev = hashed


CHAIN_LINES = 4  # a line per chain, the head records, the summary; then the checkpoints


async def test_the_untouched_archive_confirms_every_checkpoint(store: MongoStore) -> None:
    kept = await kept_checkpoints(store)

    code, report = await verified(store, kept)

    assert code == 0, report
    assert report[:3] == [
        f"chain {P0}: intact, 4 checked",
        f"chain {P1}: intact, 4 checked",
        "head records: intact, 2 checked",
    ]
    assert report[3].startswith("archive: intact, 8 entries in 2 chains and 2 head records")
    assert [line.split(": ")[0] for line in report[4:6]] == [
        f"checkpoint of head record 1 (signed {kept[0].signed_at}, key {kept[0].key_id})",
        f"checkpoint of head record 2 (signed {kept[1].signed_at}, key {kept[1].key_id})",
    ]
    assert all(line.endswith(": confirmed") for line in report[4:6])


def _changed(docs: list[Document]) -> list[Document]:
    docs[1]["payload"] = {**docs[1]["payload"], "observations": ["alleen_wonend"]}
    return docs


@pytest.mark.parametrize(
    ("tampering", "outcomes"),
    [
        (_changed, ["DIFFERS", "DIFFERS"]),
        (lambda docs: docs[:1] + docs[2:], ["DIFFERS", "DIFFERS"]),  # entry 2 removed
        (lambda docs: [docs[1], docs[0], *docs[2:]], ["DIFFERS", "DIFFERS"]),  # reordered
        (lambda docs: docs[:3], ["confirmed", "DIFFERS"]),  # entry 4, after the first
    ],
    ids=["changed", "removed", "reordered", "removed-after-the-first-checkpoint"],
)
async def test_a_rewritten_archive_fails_the_checkpoints_it_came_before(
    store: MongoStore,
    tampering: Callable[[list[Document]], list[Document]],
    outcomes: list[str],
) -> None:
    kept = await kept_checkpoints(store)
    await rewrite(store, tampering)

    code, report = await verified(store, kept)

    # The chains and roots alone see nothing wrong.
    assert report[3].startswith("archive: intact"), report
    assert [line.split(": ")[1] for line in report[4:6]] == outcomes
    assert code == 1


async def test_an_entry_changed_in_place_breaks_its_chain(store: MongoStore) -> None:
    kept = await kept_checkpoints(store)
    await store.db[ARCHIVE].update_one({"chain": P1, "seq": 3}, {"$set": {"subject": "ref-other"}})

    code, report = await verified(store, kept)

    assert report[1] == f"chain {P1}: BROKEN at 3: content does not match its hash"
    assert [line.split(": ")[1] for line in report[4:6]] == ["confirmed", "confirmed"]
    assert code == 1


async def test_a_tail_cut_off_with_its_head_document_is_named_by_the_roots(
    store: MongoStore,
) -> None:
    kept = await kept_checkpoints(store)
    await store.db[ARCHIVE].delete_many({"chain": P1, "seq": {"$gte": 3}})
    await store.db[CHAINS].delete_one({"_id": P1})

    code, report = await verified(store, kept)

    assert report[1] == (
        f"chain {P1}: BROKEN at 3: entries 3..4 named by head record 2 are missing"
    )
    assert code == 1


async def test_a_checkpoint_whose_signature_does_not_verify_is_reported(
    store: MongoStore,
) -> None:
    first, second = await kept_checkpoints(store)
    forged = Checkpoint.from_line(second.to_line().replace(second.hash, first.hash))

    code, report = await verified(store, [first, forged])

    assert report[5] == (
        f"checkpoint of head record 2 (signed {second.signed_at}, key {second.key_id}): "
        "BAD-SIGNATURE: "
        "its signature does not verify with the given public key"
    )
    assert report[-1] == "verify: 1 of 2 checkpoints confirmed" and code == 1


async def test_an_entry_is_never_archived_before_the_one_before_it_in_its_chain(
    store: MongoStore,
) -> None:
    """Another instance with its clock ahead archived the head: the next entry takes the head's
    time, not an earlier one, so the archive's order keeps the partition's order."""
    await archive(store, 1)
    ahead = datetime.now(UTC) + timedelta(hours=1)
    await store.db[CHAINS].update_one({"_id": P0}, {"$set": {"archived_at": ahead}})
    await archive(store, 2, first=2)  # partition 0, then 1

    ordered = [e async for e in MongoArchive(store).in_order()]

    assert [(e.chain, e.seq) for e in ordered] == [(P0, 1), (P1, 1), (P0, 2)]
    assert ordered[-1].archived_at == ahead.replace(microsecond=ahead.microsecond // 1000 * 1000)
