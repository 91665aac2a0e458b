"""Feedback's ReferralStore contract, run against the in-memory fake and against MongoDB; then
the HTTP app's lookups, which only MongoDB offers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import fields, is_dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.events import FeedbackRecorded, ReferrerUpdated
from schakel.contracts.topics import REFERRAL_EVENTS
from schakel.contracts.vocabulary import (
    ActorRole,
    BusinessStatus,
    Channel,
    CloseOutcome,
    Grade,
    OfferKind,
    SignalerRole,
    SignalerStage,
    SignalerStatus,
    TaskStatus,
    Urgency,
)
from schakel.feedback.adapters import (
    LIST_LIMIT,
    REFERRALS,
    MongoReferrals,
    ReferralStore,
    find_by_receipt,
    find_referral,
    prepare,
    referrals_of,
    state_to_doc,
)
from schakel.feedback.domain import (
    Acceptance,
    HistoryEntry,
    Lifecycle,
    ProposedSupport,
    ReferralState,
    ReferralStatus,
    StageReached,
    receipt_hash,
)
from schakel.feedback.handlers import follow
from schakel.platform.mongo import MongoStore
from tests.backends import BACKENDS, Backend, FakeBackend, MongoBackend, scratch_store
from tests.fakes.feedback import FakeReferrals
from tests.unit.test_feedback_domain import (
    GP,
    OWNER,
    PSEUDONYM,
    REFERRAL,
    match_proposed,
    received,
    triaged,
)
from tests.unit.test_feedback_lifecycle import accepted, talked

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 20, 9, 30, 0, 250_000, tzinfo=UTC)  # BSON keeps milliseconds
RECEIVED = "nl.schakel.referral.received.v2"
TRIAGED = "nl.schakel.referral.triaged.v2"
PROPOSED = "nl.schakel.referral.match-proposed.v1"


def bare(referral_id: str = REFERRAL, at: datetime = T0) -> ReferralState:
    """A referral first seen after *received*: every optional field unset."""
    return ReferralState(referral_id, ReferralStatus.RECEIVED, SignalerStatus.ONTVANGEN, at, at)


def complete(referral_id: str = REFERRAL, at: datetime = T0) -> ReferralState:
    """Every optional field set, with text beyond ASCII."""
    later = at + timedelta(minutes=42, milliseconds=7)
    return ReferralState(
        referral_id=referral_id,
        status=ReferralStatus.MATCH_PROPOSED,
        signaler_status=SignalerStatus.HULP_VOORGESTELD,
        signaler_status_since=later,
        updated_at=later,
        receipt_hash=receipt_hash("K7QM-4XPD"),
        channel=Channel.WELZIJN_OP_RECEPT,
        referrer_organisation=GP,
        signaler_role=SignalerRole.POH_GGZ,
        person_pseudonym=PSEUDONYM,
        received_at=at,
        grade=Grade.LICHT_TOT_MATIG,
        urgency=Urgency.DIRECT,
        district="Noordoost – Tuinwijk",
        owner_organisation=OWNER,
        proposal=ProposedSupport(
            OfferKind.ACTIVITEIT, "Koffie & café-ochtend ☕ bij de Wijkplaats", "Stichting Één"
        ),
        waitlist_reason="geen plek vóór januari — wachtlijst",
        lifecycle=Lifecycle(
            task_status=TaskStatus.COMPLETED,
            business_status=BusinessStatus.SUPPORT_STARTED,
            status_reason="hulp_gekregen",
            stages=(
                StageReached(SignalerStage.ONTVANGEN, at),
                StageReached(SignalerStage.AFGESLOTEN, later),
            ),
            accepted_by=Acceptance(
                OWNER, "Buurtteam Noordoost – Tuinwijk", ActorRole.COORDINATOR, at
            ),
            support_kind=OfferKind.THUISGEKOOKT,
            support_started_at=at,
            outcome=CloseOutcome.HULP_GEKREGEN,
            closed_at=later,
            djg_score=0,
            owners=("coordinatiepunt-eenzaamheid", OWNER),
        ),
        history=(
            HistoryEntry("ev-1", RECEIVED, at),
            HistoryEntry("ev-2", TRIAGED, at + timedelta(minutes=5)),
            HistoryEntry("ev-3", PROPOSED, later),
        ),
    )


def typed(value: object) -> object:
    """``value`` with the type of every part beside it: a StrEnum equals its plain string, so
    ``==`` alone would pass an enum that comes back as a ``str``."""
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value), tuple(typed(getattr(value, f.name)) for f in fields(value)))
    if isinstance(value, tuple | list):
        return (type(value), tuple(typed(v) for v in value))
    return (type(value), value)


def assert_same(got: ReferralState | None, want: ReferralState) -> None:
    assert got is not None
    for name in ReferralState.__dataclass_fields__:
        assert typed(getattr(got, name)) == typed(getattr(want, name)), name


def saving(*states: ReferralState) -> Callable[[ReferralStore], Awaitable[None]]:
    async def op(port: ReferralStore) -> None:
        for state in states:
            await port.save(state)

    return op


def getting(referral_id: str) -> Callable[[ReferralStore], Awaitable[ReferralState | None]]:
    return lambda port: port.get(referral_id)


def following(
    event: EventEnvelope[Any], emitted: list[EventEnvelope[Any]]
) -> Callable[[ReferralStore], Awaitable[None]]:
    def emit(caused: EventEnvelope[Any], topic: str = REFERRAL_EVENTS) -> None:
        emitted.append(caused)

    return lambda port: follow(event, port, emit)


@asynccontextmanager
async def feedback_database(mongodb_uri: str) -> AsyncIterator[MongoStore]:
    async with scratch_store(mongodb_uri) as store:
        await prepare(store)  # the indexes feedback creates on start
        yield store


@pytest.fixture
async def mongo(mongodb_uri: str) -> AsyncIterator[MongoStore]:
    async with feedback_database(mongodb_uri) as store:
        yield store


@pytest.fixture(params=BACKENDS)
async def referrals(request: pytest.FixtureRequest) -> AsyncIterator[Backend[ReferralStore]]:
    if request.param == "fake":
        yield FakeBackend(FakeReferrals())
        return
    # Only the Mongo run asks for the server, so ``-k fake`` runs without one.
    async with feedback_database(request.getfixturevalue("mongodb_uri")) as store:
        yield MongoBackend(store, MongoReferrals)


# --- the contract: fake and MongoDB alike -------------------------------------------------


async def test_a_referral_never_saved_is_not_found(referrals: Backend[ReferralStore]) -> None:
    assert await referrals.run(getting(REFERRAL)) is None

    await referrals.run(saving(complete("ref-1")))

    assert await referrals.run(getting("ref-2")) is None


@pytest.mark.parametrize("state", [bare(), complete()], ids=["fields-unset", "fields-set"])
async def test_a_saved_referral_comes_back_field_for_field(
    referrals: Backend[ReferralStore], state: ReferralState
) -> None:
    await referrals.run(saving(state))

    assert_same(await referrals.run(getting(state.referral_id)), state)


async def test_times_come_back_as_the_same_instant_in_utc_to_the_millisecond(
    referrals: Backend[ReferralStore],
) -> None:
    cet = datetime(2026, 11, 20, 10, 30, 15, 123_456, tzinfo=timezone(timedelta(hours=1)))
    naive = datetime(2026, 11, 20, 9, 45, 0, 999_999)  # pymongo reads a naive time as UTC
    state = replace(
        complete(),
        signaler_status_since=cet,
        updated_at=naive,
        received_at=cet,
        history=(HistoryEntry("ev-1", RECEIVED, cet), HistoryEntry("ev-2", TRIAGED, naive)),
    )

    await referrals.run(saving(state))
    got = await referrals.run(getting(REFERRAL))

    assert got is not None and got.received_at is not None
    times = [got.signaler_status_since, got.updated_at, got.received_at]
    times += [h.time for h in got.history]
    # The views show isoformat(): the zone and the digits are what a reader sees.
    assert [t.isoformat() for t in times] == [
        "2026-11-20T09:30:15.123000+00:00",
        "2026-11-20T09:45:00.999000+00:00",
        "2026-11-20T09:30:15.123000+00:00",
        "2026-11-20T09:30:15.123000+00:00",
        "2026-11-20T09:45:00.999000+00:00",
    ]


@pytest.mark.parametrize(
    ("first", "latest"),
    [
        (complete(), replace(bare(at=T0 + timedelta(hours=1)), district="Zuilen")),
        (bare(), complete(at=T0 + timedelta(hours=1))),
    ],
    ids=["fields-cleared", "fields-filled"],
)
async def test_saving_again_replaces_the_referral_with_the_latest_state(
    referrals: Backend[ReferralStore], first: ReferralState, latest: ReferralState
) -> None:
    await referrals.run(saving(first))
    await referrals.run(saving(latest))

    assert_same(await referrals.run(getting(REFERRAL)), latest)


async def test_each_referral_keeps_its_own_state(referrals: Backend[ReferralStore]) -> None:
    one, other = complete("ref-1"), replace(bare("ref-2"), district="Ondiep")
    await referrals.run(saving(one, other))
    waiting = replace(
        one,
        status=ReferralStatus.WAITLISTED,
        signaler_status=SignalerStatus.WACHTLIJST,
        proposal=None,
    )

    await referrals.run(saving(waiting))

    assert_same(await referrals.run(getting("ref-1")), waiting)
    assert_same(await referrals.run(getting("ref-2")), other)


async def test_the_handler_finds_its_earlier_steps_and_records_a_redelivery_once(
    referrals: Backend[ReferralStore],
) -> None:
    steps = [received(), triaged(), accepted(), talked(), match_proposed()]
    emitted: list[EventEnvelope[Any]] = []

    for step in [*steps, steps[0], steps[2]]:  # each in its own unit of work, as consumed
        await referrals.run(following(step, emitted))

    got = await referrals.run(getting(REFERRAL))
    assert got is not None and got.status is ReferralStatus.MATCH_PROPOSED
    assert got.lifecycle.accepted_by is not None
    assert [h.event_id for h in got.history] == [s.id for s in steps]
    assert [e.data.stage for e in emitted if isinstance(e.data, FeedbackRecorded)] == [
        SignalerStage.DOORGEZET,
        SignalerStage.OPGEPAKT,
        SignalerStage.IN_CONTACT,
    ]
    assert [e.type for e in emitted if isinstance(e.data, ReferrerUpdated)] == [
        "nl.schakel.referral.referrer-updated.v1"
    ]


# --- the HTTP app's lookups: MongoDB only (the fake has no such queries) ------------------


async def save_in_mongo(store: MongoStore, *states: ReferralState) -> None:
    await store.transaction(lambda tx: saving(*states)(MongoReferrals(tx)))


async def test_a_signaler_finds_the_referral_by_the_hash_of_the_receipt_code(
    mongo: MongoStore,
) -> None:
    mine = complete("ref-1")
    await save_in_mongo(mongo, mine, bare("ref-2"))

    assert mine.receipt_hash is not None
    assert_same(await find_by_receipt(mongo, mine.receipt_hash), mine)
    assert await find_by_receipt(mongo, receipt_hash("ZZZZ-ZZZZ")) is None


async def test_a_referral_is_looked_up_by_its_id_once_saved(mongo: MongoStore) -> None:
    state = complete("ref-1")
    await save_in_mongo(mongo, state)

    assert_same(await find_referral(mongo, "ref-1"), state)
    assert await find_referral(mongo, "ref-2") is None


async def test_an_organisation_lists_what_it_referred_or_owns_newest_first(
    mongo: MongoStore,
) -> None:
    def at(hours: int) -> datetime:
        return T0 + timedelta(hours=hours)

    await save_in_mongo(
        mongo,
        replace(complete("ref-a", at(1)), owner_organisation="buurtteam-zuilen"),
        replace(complete("ref-b", at(3)), owner_organisation=OWNER),
        replace(complete("ref-c", at(2)), referrer_organisation="apotheek-overvecht"),
        replace(complete("ref-d", at(3)), referrer_organisation=OWNER),  # same time as ref-b
        replace(bare("ref-e"), owner_organisation=OWNER),  # never received: no received_at
        replace(complete("ref-f", at(4)), referrer_organisation="x", owner_organisation="y"),
    )

    async def listed(organisation: str) -> list[str]:
        return [s.referral_id for s in await referrals_of(mongo, organisation)]

    assert await listed(GP) == ["ref-b", "ref-a"]
    assert await listed(OWNER) == ["ref-b", "ref-d", "ref-c", "ref-e"]
    assert await listed("buurtteam-noordwest") == []


async def test_a_public_signals_typed_organisation_stored_before_2026_12_grants_nothing(
    mongo: MongoStore,
) -> None:
    """Read models folded before intake stopped sending the form's free text hold it as the
    referrer: it is neither listed for, nor shown as, that organisation."""
    typed = replace(complete("ref-typed"), channel=Channel.WEBFORMULIER, referrer_organisation=GP)
    await mongo.db[REFERRALS].insert_one(state_to_doc(typed))

    assert [s.referral_id for s in await referrals_of(mongo, GP)] == []
    found = await find_referral(mongo, "ref-typed")
    assert found is not None and found.referrer_organisation is None
    assert [s.referral_id for s in await referrals_of(mongo, OWNER)] == ["ref-typed"]


async def test_a_referral_saved_again_is_listed_once_as_it_is_now(mongo: MongoStore) -> None:
    await save_in_mongo(mongo, bare("ref-1"))
    latest = replace(complete("ref-1"), status=ReferralStatus.WAITLISTED)

    await save_in_mongo(mongo, latest)

    found = await referrals_of(mongo, OWNER)
    assert len(found) == 1
    assert_same(found[0], latest)


async def test_the_list_shows_only_the_newest_referrals_up_to_the_limit(
    mongo: MongoStore,
) -> None:
    many = [complete(f"ref-{i:03}", T0 + timedelta(minutes=i)) for i in range(LIST_LIMIT + 1)]
    await save_in_mongo(mongo, *many)

    found = await referrals_of(mongo, GP)

    assert [s.referral_id for s in found] == [s.referral_id for s in reversed(many[1:])]
