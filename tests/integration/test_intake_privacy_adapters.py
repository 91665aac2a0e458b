"""Intake's privacy port (owners, timelines, erasures) against the in-memory fake and MongoDB,
and the rules of ``privacy`` run through it: who may erase, export and read contact details."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from schakel.contracts.persons import ErasureReason, ReadPurpose
from schakel.intake import privacy
from schakel.intake.adapters import (
    IntakeRecords,
    MongoIntakeRecords,
    ReferralRecord,
    create_indexes,
)
from schakel.intake.privacy_store import (
    Erasure,
    MongoPrivacyRecords,
    PrivacyRecords,
    TimelineEntry,
    create_privacy_collections,
)
from schakel.intake.vault import Sealer
from schakel.platform.mongo import OUTBOX
from tests.backends import BACKENDS, Backend, FakeBackend, MongoBackend, scratch_store
from tests.fakes.intake import FakeIntakeRecords
from tests.fakes.intake_privacy import FakePrivacyRecords, PrivacyData

pytestmark = pytest.mark.integration
SEALER = Sealer(os.urandom(32))
AT = datetime(2026, 12, 1, 10, 0, 0, 123000, tzinfo=UTC)
PERSON = "ps-" + "d" * 32
OWNER = "sociaal-makelaars-overvecht"
DETAILS = {"name": "Mevrouw Kwekkeboom", "phone": "030 111 2233", "date_of_birth": "1941-03-17"}


def _referral(referral_id: str, minutes: int) -> ReferralRecord:
    return ReferralRecord(
        referral_id=referral_id,
        pseudonym=PERSON,
        receipt_hash=f"{minutes:064x}",
        channel="webformulier",
        referrer_organisation=None,
        received_at=AT + timedelta(minutes=minutes),
    )


@dataclass(frozen=True)
class Ports:
    """The privacy port, and intake's signalling port on the same data (to accept signals)."""

    privacy: Backend[PrivacyRecords]
    signals: Backend[IntakeRecords]

    async def published(self) -> int:
        if isinstance(self.signals, MongoBackend):
            return await self.signals.store.db[OUTBOX].count_documents({})
        assert isinstance(self.privacy, FakeBackend)
        return len(self.privacy.fake.emitted)


@pytest.fixture(params=BACKENDS)
async def ports(request: pytest.FixtureRequest, mongodb_uri: str) -> AsyncIterator[Ports]:
    if request.param == "fake":
        data = PrivacyData()
        yield Ports(
            FakeBackend(FakePrivacyRecords(data)), FakeBackend(FakeIntakeRecords(data.intake))
        )
        return
    async with scratch_store(mongodb_uri) as store:
        await create_indexes(store, timedelta(days=7))
        await create_privacy_collections(store)
        yield Ports(
            MongoBackend(store, MongoPrivacyRecords), MongoBackend(store, MongoIntakeRecords)
        )


@pytest.fixture
def records(ports: Ports) -> Backend[PrivacyRecords]:
    return ports.privacy


async def _person_with_two_referrals(ports: Ports) -> None:
    async def add(r: IntakeRecords) -> None:
        await r.add_referral(_referral("ref-late", 5))
        await r.add_referral(_referral("ref-early", 1))
        await r.keep_person(SEALER.seal(PERSON, DETAILS))

    await ports.signals.run(add)
    received = TimelineEntry("nl.schakel.referral.received.v2", AT)
    await ports.privacy.run(lambda r: r.track("ref-early", received, None))


async def test_owner_and_timeline_follow_the_events(records: Backend[PrivacyRecords]) -> None:
    assert await records.run(lambda r: r.owner("ref-1")) is None
    received = TimelineEntry("nl.schakel.referral.received.v2", AT, None, "fietskoerier")
    triaged = TimelineEntry("nl.schakel.referral.triaged.v2", AT + timedelta(seconds=1))
    moved = TimelineEntry("nl.schakel.referral.transferred.v1", AT, OWNER, "sociaal_makelaar")
    await records.run(lambda r: r.track("ref-1", received, None))
    await records.run(lambda r: r.track("ref-1", triaged, "buurtteam-overvecht"))
    await records.run(lambda r: r.track("ref-1", moved, OWNER))
    assert await records.run(lambda r: r.owner("ref-1")) == OWNER
    assert await records.run(lambda r: r.timeline("ref-1")) == [received, triaged, moved]
    assert await records.run(lambda r: r.timeline("ref-2")) == []


async def test_an_erasure_is_kept_without_details(records: Backend[PrivacyRecords]) -> None:
    erasure = Erasure(PERSON, AT, "beheerder", "schakel-beheer", "administrator", "x", ("r",))
    assert await records.run(lambda r: r.erasure(PERSON)) is None
    await records.run(lambda r: r.record_erasure(erasure))
    assert await records.run(lambda r: r.erasure(PERSON)) == erasure


async def test_a_persons_referrals_oldest_first(
    ports: Ports, records: Backend[PrivacyRecords]
) -> None:
    await _person_with_two_referrals(ports)
    found = await records.run(lambda r: r.referrals_of(PERSON))
    assert [r.referral_id for r in found] == ["ref-early", "ref-late"]
    assert await records.run(lambda r: r.referrals_of("ps-" + "e" * 32)) == []


def _request(username: str, organisation: str, *roles: str) -> privacy.Request:
    caller = privacy.Caller(username, organisation, frozenset(roles))
    return privacy.Request(caller, "ref-early", "corr-1", AT)


MAKELAAR = _request("makelaar", OWNER, "sociaal_makelaar")
ADMIN = _request("beheerder", "schakel-beheer", "administrator")


async def _refused(records: Backend[PrivacyRecords], request: privacy.Request) -> list[int]:
    """What reading contact details and exporting answer ``request`` (200 when allowed)."""
    calls: tuple[Callable[[PrivacyRecords], Awaitable[object]], ...] = (
        lambda r: privacy.contact_details(r, SEALER, request, ReadPurpose.CONTACT_OPNEMEN),
        lambda r: privacy.export(r, SEALER, request),
    )
    statuses = []
    for call in calls:
        try:
            await records.run(call)
            statuses.append(200)
        except privacy.Refused as refused:
            statuses.append(refused.status)
    return statuses


async def test_who_may_read_contact_details_and_export(
    ports: Ports, records: Backend[PrivacyRecords]
) -> None:
    await _person_with_two_referrals(ports)
    # Before triage named an owner only the administrator exports; nobody reads contact.
    assert await _refused(records, MAKELAAR) == [404, 404]
    assert await _refused(records, ADMIN) == [403, 200]
    owned = TimelineEntry("nl.schakel.referral.triaged.v2", AT)
    await records.run(lambda r: r.track("ref-early", owned, OWNER))
    assert await _refused(records, MAKELAAR) == [200, 200]
    other = _request("makelaar-zuilen", "sociaal-makelaars-noordwest", "sociaal_makelaar")
    assert await _refused(records, other) == [404, 404]
    for role in ("auditor", "gemeente", "huisarts"):
        assert await _refused(records, _request(role, OWNER, role)) == [403, 403]
    # Each opening of the details was one event: the administrator's export, then the
    # owner's read and export; nothing for what was refused.
    assert await ports.published() == 3


async def test_contact_details_hold_what_reaching_takes(
    ports: Ports, records: Backend[PrivacyRecords]
) -> None:
    await _person_with_two_referrals(ports)
    owned = TimelineEntry("nl.schakel.referral.triaged.v2", AT)
    await records.run(lambda r: r.track("ref-early", owned, OWNER))
    answer = await records.run(
        lambda r: privacy.contact_details(r, SEALER, MAKELAAR, ReadPurpose.AFSPRAAK_MAKEN)
    )
    assert answer["contact"] == {"name": DETAILS["name"], "phone": DETAILS["phone"]}
    assert await ports.published() == 1


async def test_erasure_shreds_once_and_tells_each_referral(
    ports: Ports, records: Backend[PrivacyRecords]
) -> None:
    await _person_with_two_referrals(ports)
    first = await records.run(lambda r: privacy.erase(r, ADMIN, ErasureReason.ONTERECHT_GEMELD))
    assert first["new"] is True and first["referral_ids"] == ["ref-early", "ref-late"]
    again = await records.run(lambda r: privacy.erase(r, ADMIN, ErasureReason.VERZOEK_BETROKKENE))
    assert again == {**first, "new": False}
    assert await ports.published() == 2  # one erased event per referral, none the second time
    assert await records.run(lambda r: r.sealed_person(PERSON)) is None
    exported = await records.run(lambda r: privacy.export(r, SEALER, ADMIN))
    assert exported["person"] == {"erased": True, "erased_at": AT.isoformat(), "details": None}
    assert [r["referral_id"] for r in exported["referrals"]] == ["ref-early", "ref-late"]
    assert exported["referrals"][0]["timeline"][0]["event_type"].endswith("received.v2")


async def test_erasure_shreds_the_signals_that_joined_the_person_s_referrals(
    ports: Ports, records: Backend[PrivacyRecords]
) -> None:
    await _person_with_two_referrals(ports)
    joined, other = "ps-" + "j" * 32, "ps-" + "k" * 32

    async def second_signals(r: IntakeRecords) -> None:
        # A neighbour's signal about her joined ref-late; another person's signal joined none.
        await r.add_referral(replace(_referral("sig-neighbour", 9), pseudonym=joined))
        await r.keep_person(SEALER.seal(joined, {"name": "mevr. Kwekkeboom"}))
        await r.join("sig-neighbour", "ref-late")
        await r.add_referral(replace(_referral("sig-other", 10), pseudonym=other))
        await r.keep_person(SEALER.seal(other, {"name": "Dhr. Bakker"}))

    await ports.signals.run(second_signals)
    await records.run(lambda r: privacy.erase(r, ADMIN, ErasureReason.VERZOEK_BETROKKENE))
    assert await records.run(lambda r: r.sealed_person(joined)) is None
    assert await records.run(lambda r: r.sealed_person(other)) is not None
