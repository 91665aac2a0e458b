"""Verify from outside (issue 14, item 3) on a real MongoDB-protocol server: the audit
archives events with its own handler, signs checkpoints of the chain head, an outside party
exports and keeps them with the public key, and ``verify`` finds every tampering with the
archive before a checkpoint, also when the tamperer recomputed the whole chain."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from schakel.audit import outside
from schakel.audit.adapters import ARCHIVE, CHAIN, HEAD_ID, ensure_indexes, entry_of
from schakel.audit.checkpointing import CheckpointWriter
from schakel.audit.domain.chain import chain_hash
from schakel.audit.domain.checkpoints import Checkpoint
from schakel.audit.handlers import on_every_record
from schakel.contracts.kafka_binding import read_raw, to_record
from schakel.platform.handling import Delivery, EventHandling
from schakel.platform.mongo import Document, MongoStore
from tests.backends import scratch_store
from tests.integration.rig import event_for

pytestmark = pytest.mark.integration
KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
AUDIT = EventHandling(every_record=on_every_record)


async def archive(store: MongoStore, count: int, first: int = 0) -> None:
    """``count`` events archived by the audit's handler, as its consumer applies them."""
    for n in range(first, first + count):
        key, value, headers = to_record(event_for(f"ref-{n % 4}"))
        raw = read_raw(headers, value)
        await AUDIT.apply(
            store, Delivery("schakel.referral-events", 0, n, key, tuple(headers), value, raw)
        )


@pytest.fixture
async def store(mongodb_uri: str) -> AsyncIterator[MongoStore]:
    async with scratch_store(mongodb_uri) as scratch:
        await ensure_indexes(scratch)
        yield scratch


async def kept_checkpoints(store: MongoStore) -> list[Checkpoint]:
    """Two checkpoints (after entry 4 and 8) signed by the audit's writer, exported as JSON
    lines and read back as an outside party keeps them."""
    writer = CheckpointWriter(store, KEY)
    await archive(store, 4)
    assert await writer.write_once() is not None
    assert await writer.write_once() is None  # the chain did not grow: nothing to sign
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
    """What a careful tamperer does: change the archive, then recompute every seq, prev_hash
    and hash and the chain head, so that the chain alone holds again."""
    docs = await store.db[ARCHIVE].find({}).sort("seq", 1).to_list()
    await store.db[ARCHIVE].delete_many({})
    prev = "0" * 64
    for seq, doc in enumerate(change(docs), 1):
        doc.update(seq=seq, prev_hash=prev)
        doc["hash"] = prev = chain_hash(seq, prev, entry_of(doc).event)
        await store.db[ARCHIVE].insert_one(doc)
    await store.db[CHAIN].replace_one({"_id": HEAD_ID}, {"seq": seq, "hash": prev})


async def test_the_untouched_archive_confirms_every_checkpoint(store: MongoStore) -> None:
    kept = await kept_checkpoints(store)

    code, report = await verified(store, kept)

    assert code == 0, report
    assert report[0].startswith("chain: intact, 8 entries checked")
    assert [line.split(": ")[0] for line in report[1:3]] == [
        f"checkpoint 4 (signed {kept[0].signed_at}, key {kept[0].key_id})",
        f"checkpoint 8 (signed {kept[1].signed_at}, key {kept[1].key_id})",
    ]
    assert all(line.endswith(": confirmed") for line in report[1:3])


def _changed(docs: list[Document]) -> list[Document]:
    docs[2]["payload"] = {**docs[2]["payload"], "observations": ["alleen_wonend"]}
    return docs


@pytest.mark.parametrize(
    ("tampering", "outcomes"),
    [
        (_changed, ["DIFFERS", "DIFFERS"]),
        (lambda docs: docs[:1] + docs[2:], ["DIFFERS", "MISSING"]),  # entry 2 removed
        (lambda docs: [docs[1], docs[0], *docs[2:]], ["DIFFERS", "DIFFERS"]),  # reordered
        (lambda docs: docs[:5] + docs[6:], ["confirmed", "MISSING"]),  # after the first
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

    assert report[0].startswith("chain: intact"), report  # the chain alone sees nothing
    assert [line.split(": ")[1] for line in report[1:3]] == outcomes
    assert code == 1


async def test_an_entry_changed_in_place_breaks_the_chain_before_the_checkpoints(
    store: MongoStore,
) -> None:
    kept = await kept_checkpoints(store)
    await store.db[ARCHIVE].update_one({"seq": 3}, {"$set": {"subject": "ref-other"}})

    code, report = await verified(store, kept)

    assert report[0] == "chain: BROKEN at entry 3: content does not match its hash"
    assert [line.split(": ")[1] for line in report[1:3]] == ["UNCONFIRMED", "UNCONFIRMED"]
    assert code == 1


async def test_a_checkpoint_whose_signature_does_not_verify_is_reported(
    store: MongoStore,
) -> None:
    first, second = await kept_checkpoints(store)
    forged = Checkpoint.from_line(second.to_line().replace(second.hash, first.hash))

    code, report = await verified(store, [first, forged])

    assert report[2] == (
        f"checkpoint 8 (signed {second.signed_at}, key {second.key_id}): BAD-SIGNATURE: "
        "its signature does not verify with the given public key"
    )
    assert report[-1] == "verify: 1 of 2 checkpoints confirmed" and code == 1
