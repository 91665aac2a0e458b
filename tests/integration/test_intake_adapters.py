"""Intake's storage port and unit of work, run against the in-memory fake and MongoDB."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from schakel.contracts.envelope import new_event
from schakel.contracts.vocabulary import Channel, SignalerRole
from schakel.intake.adapters import (
    IntakeRecords,
    IntakeUnitOfWork,
    KeyAlreadyUsed,
    MongoIntakeRecords,
    MongoIntakeUnitOfWork,
    ReferralRecord,
    Remembered,
    create_indexes,
)
from schakel.intake.domain import Intake, accept
from schakel.intake.duplicates import BlindIndex, PersonKeys, features
from schakel.intake.keys import new_key
from schakel.intake.person_index import PERSON_INDEX, EntryState, IndexEntry
from schakel.intake.vault import Sealer
from schakel.platform.mongo import OUTBOX, MongoStore
from tests.backends import BACKENDS, Backend, FakeBackend, MongoBackend, scratch_store
from tests.fakes.intake import FakeIntakeRecords, FakeIntakeUnitOfWork, IntakeData

pytestmark = pytest.mark.integration
SEALER = Sealer(os.urandom(32))
RECEIVED_AT = datetime(2026, 11, 20, 9, 30, 12, 345678, tzinfo=UTC)
ISSUED = datetime(2026, 11, 20, 9, 30, 12, 345000, tzinfo=UTC)  # whole ms, as BSON keeps
REFERRAL = ReferralRecord(
    referral_id="ref-1",
    pseudonym="ps-" + "a" * 32,
    receipt_hash="b" * 64,
    channel="webformulier",
    referrer_organisation=None,
    received_at=RECEIVED_AT,
)


@pytest.fixture(params=BACKENDS)
async def records(
    request: pytest.FixtureRequest, mongodb_uri: str
) -> AsyncIterator[Backend[IntakeRecords]]:
    if request.param == "fake":
        yield FakeBackend(FakeIntakeRecords(IntakeData()))
        return
    async with scratch_store(mongodb_uri) as store:
        await create_indexes(store, timedelta(days=7))
        yield MongoBackend(store, MongoIntakeRecords)


async def test_an_answer_is_kept_once_per_key(records: Backend[IntakeRecords]) -> None:
    first = Remembered("fp-1", {"receipt": "K7QM-4XWD-2P", "message": {"nl": "Dank u"}})
    await records.run(lambda r: r.remember("key-1", first))
    with pytest.raises(KeyAlreadyUsed):
        await records.run(lambda r: r.remember("key-1", Remembered("fp-2", {})))
    assert await records.run(lambda r: r.remembered("key-1")) == first
    assert await records.run(lambda r: r.remembered("key-2")) is None


async def test_a_referral_comes_back_to_the_millisecond(records: Backend[IntakeRecords]) -> None:
    await records.run(lambda r: r.add_referral(REFERRAL))
    found = await records.run(lambda r: r.referral("ref-1"))
    assert found is not None
    assert found.received_at == RECEIVED_AT.replace(microsecond=345000)
    assert found.pseudonym == REFERRAL.pseudonym and found.channel == "webformulier"
    assert await records.run(lambda r: r.referral("ref-unknown")) is None


async def test_a_shredded_person_cannot_be_opened_again(records: Backend[IntakeRecords]) -> None:
    sealed = SEALER.seal("ps-" + "c" * 32, {"name": "Mevrouw Bakker", "phone": "030 765 4321"})
    await records.run(lambda r: r.keep_person(sealed))
    found = await records.run(lambda r: r.sealed_person(sealed.pseudonym))
    assert found is not None and SEALER.open(found)["name"] == "Mevrouw Bakker"
    assert await records.run(lambda r: r.shred_person(sealed.pseudonym)) is True
    assert await records.run(lambda r: r.sealed_person(sealed.pseudonym)) is None
    assert await records.run(lambda r: r.shred_person(sealed.pseudonym)) is False


@pytest.fixture(params=BACKENDS)
async def unit_of_work(
    request: pytest.FixtureRequest, mongodb_uri: str
) -> AsyncIterator[tuple[IntakeUnitOfWork, MongoStore | FakeIntakeUnitOfWork]]:
    if request.param == "fake":
        fake = FakeIntakeUnitOfWork()
        yield fake, fake
        return
    async with scratch_store(mongodb_uri) as store:
        await create_indexes(store, timedelta(days=7))
        yield MongoIntakeUnitOfWork(store, within=5.0), store


async def published(where: MongoStore | FakeIntakeUnitOfWork) -> int:
    if isinstance(where, FakeIntakeUnitOfWork):
        return len(where.data.published)
    return await where.db[OUTBOX].count_documents({})


async def test_a_failed_unit_of_work_keeps_nothing_and_publishes_nothing(
    unit_of_work: tuple[IntakeUnitOfWork, MongoStore | FakeIntakeUnitOfWork],
) -> None:
    uow, where = unit_of_work
    event = new_event(accept(_intake()).event, source="/schakel/intake", subject="ref-1")

    async def breaks_halfway(records: IntakeRecords) -> None:
        await records.add_referral(REFERRAL)
        records.emit(event)
        raise RuntimeError("the vault refused")

    with pytest.raises(RuntimeError, match="vault refused"):
        await uow(breaks_halfway)
    assert await uow(lambda r: r.referral("ref-1")) is None
    assert await published(where) == 0

    async def completes(records: IntakeRecords) -> None:
        await records.add_referral(REFERRAL)
        records.emit(event)

    await uow(completes)
    assert await uow(lambda r: r.referral("ref-1")) is not None
    assert await published(where) == 1


def _intake() -> Intake:
    return Intake(
        channel=Channel.WEBFORMULIER,
        signaler_role=SignalerRole.BUURTBEWONER,
        signaler_organisation=None,
        postcode="3563 CD",
        received_at=RECEIVED_AT,
    )


async def test_api_keys_are_kept_as_hashes_listed_and_revoked_once(
    records: Backend[IntakeRecords],
) -> None:
    made = new_key("apotheek-overvecht", SignalerRole.APOTHEKER, "beheerder", ISSUED)
    other = new_key("fietskoerier-utrecht", SignalerRole.FIETSKOERIER, "beheerder", ISSUED)
    await records.run(lambda r: r.add_api_key(made.record))
    await records.run(lambda r: r.add_api_key(other.record))
    found = await records.run(lambda r: r.api_key(made.record.key_id))
    assert found == made.record and made.key not in repr(found)
    assert await records.run(lambda r: r.api_key("00000000")) is None
    listed = await records.run(lambda r: r.api_keys())
    assert {k.key_id for k in listed} == {made.record.key_id, other.record.key_id}

    later = datetime(2026, 11, 21, 9, 30, 12, tzinfo=UTC)  # whole milliseconds, as BSON keeps
    revoked = await records.run(lambda r: r.revoke_api_key(made.record.key_id, later, "b1"))
    assert revoked is not None and (revoked.revoked_at, revoked.revoked_by) == (later, "b1")
    again = await records.run(
        lambda r: r.revoke_api_key(made.record.key_id, later + timedelta(days=1), "b2")
    )
    assert again == revoked  # the first revocation stays
    assert await records.run(lambda r: r.revoke_api_key("00000000", later, "b1")) is None
    still = await records.run(lambda r: r.api_key(other.record.key_id))
    assert still is not None and not still.revoked


# --- the blind index of open referrals (one person, one open referral) ---------------------

INDEX = BlindIndex(os.urandom(32))
PINAS = INDEX.blind(features("Truus Pinas", phone="06 1234 5678", birth_date=date(1941, 3, 7)))
BAKKER = INDEX.blind(features("Jan Bakker", birth_date=date(1950, 1, 2)))


def entry(entry_id: str, keys: PersonKeys = PINAS, **changes: Any) -> IndexEntry:
    return replace(IndexEntry(entry_id, "ps-" + "a" * 32, keys), **changes)


async def test_an_open_referral_is_found_by_any_of_its_identifiers(
    records: Backend[IntakeRecords],
) -> None:
    await records.run(lambda r: r.index(entry("ref-pinas")))
    await records.run(lambda r: r.index(entry("ref-bakker", BAKKER)))
    phone_only = INDEX.blind(features("T. Pinas", phone="+31612345678"))
    found = await records.run(lambda r: r.open_candidates(phone_only.blocks))
    assert found == {"ref-pinas": PINAS}
    assert await records.run(lambda r: r.open_candidates(())) == {}


async def test_a_held_signal_is_no_candidate_until_it_is_opened(
    records: Backend[IntakeRecords],
) -> None:
    held = entry(
        "ref-held",
        state=EntryState.HELD,
        suspected_of="ref-pinas",
        received={"referral_id": "ref-held"},
        correlation_id="corr-1",
        matched_on=("name_partial", "phone"),
    )
    await records.run(lambda r: r.index(held))
    assert await records.run(lambda r: r.open_candidates(PINAS.blocks)) == {}
    assert await records.run(lambda r: r.held_for("ref-pinas")) == [held]
    assert await records.run(lambda r: r.index_entry("ref-held")) == held

    await records.run(lambda r: r.open_entry("ref-held"))
    assert await records.run(lambda r: r.held_for("ref-pinas")) == []
    assert await records.run(lambda r: r.open_candidates(PINAS.blocks)) == {"ref-held": PINAS}


async def test_a_closed_referral_is_matched_no_more(records: Backend[IntakeRecords]) -> None:
    await records.run(lambda r: r.index(entry("ref-pinas")))
    await records.run(lambda r: r.unindex("ref-pinas"))
    await records.run(lambda r: r.unindex("ref-pinas"))  # a replayed close changes nothing
    assert await records.run(lambda r: r.open_candidates(PINAS.blocks)) == {}
    assert await records.run(lambda r: r.index_entry("ref-pinas")) is None


async def test_only_keyed_hashes_are_stored(mongodb_uri: str) -> None:
    async with scratch_store(mongodb_uri) as store:
        await create_indexes(store, timedelta(days=7))
        backend = MongoBackend(store, MongoIntakeRecords)
        await backend.run(lambda r: r.index(entry("ref-1")))
        stored = str(await store.db[PERSON_INDEX].find_one({"_id": "ref-1"}))
    for plain in ("truus", "pinas", "612345678", "1941"):
        assert plain not in stored.lower()


async def test_an_erased_person_s_hashes_leave_the_index(records: Backend[IntakeRecords]) -> None:
    erased = entry("ref-pinas", pseudonym="ps-" + "e" * 32)
    await records.run(lambda r: r.index(erased))
    await records.run(lambda r: r.index(entry("ref-bakker", BAKKER)))
    await records.run(lambda r: r.keep_person(SEALER.seal(erased.pseudonym, {"name": "T. Pinas"})))
    await records.run(lambda r: r.shred_person(erased.pseudonym))
    # A later signal about her attaches to nothing; another person's entry stays.
    assert await records.run(lambda r: r.open_candidates(PINAS.blocks)) == {}
    assert await records.run(lambda r: r.index_entry("ref-pinas")) is None
    assert await records.run(lambda r: r.open_candidates(BAKKER.blocks)) == {"ref-bakker": BAKKER}
