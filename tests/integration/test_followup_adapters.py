"""Follow-up's ReferralStore contract, run against the in-memory fake and against MongoDB;
then the HTTP API of owner actions and the inbox over MongoDB."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import bson
import httpx
import pytest

from schakel.contracts.envelope import EventEnvelope, new_event
from schakel.contracts.events import Offer, Signaler
from schakel.contracts.lifecycle import Wishes
from schakel.contracts.receipts import receipt_hash
from schakel.contracts.vocabulary import (
    BusinessStatus,
    Channel,
    DeadlineKind,
    DietNeed,
    EscalationLevel,
    OfferKind,
    Route,
    SignalerRole,
    TaskStatus,
    Urgency,
)
from schakel.followup.adapters import (
    NOTE_KEYS,
    REFERRALS,
    DeadlineStore,
    MongoDeadlines,
    MongoReferrals,
    ReferralStore,
    StaleReferral,
    find_referral,
    prepare,
)
from schakel.followup.app import FollowupSettings, build
from schakel.followup.domain.deadlines import Pending, Within
from schakel.followup.domain.log import LogEntry
from schakel.followup.domain.state import Escalation, Proposal, Referral, Support
from schakel.followup.handlers import Ports, Setup, follow
from schakel.platform.auth import Principal, Role, issue_token
from schakel.platform.mongo import MongoStore, Transaction
from schakel.platform.settings import DEV_AUTH_SECRET
from tests import payloads
from tests.backends import BACKENDS, Backend, FakeBackend, MongoBackend, scratch_store
from tests.fakes.followup import NOTES, FakeDeadlines, FakeReferrals
from tests.unit.test_followup_machine import received

pytestmark = pytest.mark.integration
T0 = datetime(2026, 12, 1, 9, 30, 0, 250_000, tzinfo=UTC)


def complete(referral_id: str = "ref-1") -> Referral:
    """Every field set, with text beyond ASCII."""
    offer = Offer(
        kind=OfferKind.THUISGEKOOKT,
        offer_id="thuisgekookt-kok-7f3a21",
        title="Thuiskok in 3563 — één maaltijd",
        provider_organisation="Thuisgekookt",
        district="overvecht",
    )
    return Referral(
        referral_id=referral_id,
        correlation_id="corr-1",
        status=TaskStatus.ON_HOLD,
        business_status=BusinessStatus.SUPPORT_STARTED,
        status_reason="opname",
        owner_organisation="buurtteam-overvecht",
        owner_name="Buurtteam Overvecht – Dreef",
        route=Route.BUURTTEAM,
        urgency=Urgency.DIRECT,
        district="overvecht",
        district_name="Overvecht",
        triage_reasons=("ernstig: signs of malnutrition", "owner buurtteam"),
        assigned_at=T0,
        accepted_at=T0 + timedelta(hours=1),
        rejected_by=("sociaal-makelaars-overvecht",),
        attempts=2,
        knew_of_signal=False,
        consents_to_support=True,
        wishes=Wishes(
            kinds=[OfferKind.THUISGEKOOKT], languages=["nl", "tr"], diet=[DietNeed.HALAL]
        ),
        proposal=Proposal(offer, 57.5, ("suits grade ernstig", "urgent: a home cook")),
        waitlist_reason=None,
        declined_offers=("maatje-humanitas-bezoek",),
        support=Support(OfferKind.THUISGEKOOKT, offer.offer_id, "Thuisgekookt", T0),
        check_ins=1,
        held_from=(TaskStatus.IN_PROGRESS, BusinessStatus.SUPPORT_STARTED),
        escalations=(Escalation(EscalationLevel.COORDINATOR, "buurtteam-overvecht", T0),),
        concerns=1,
        last_concern_at=T0,
        assign_within_hours=72,
        stage_since=T0 + timedelta(hours=2),
        last_check_in_at=T0 + timedelta(days=1),
        concern_open=True,
        deadline_key="2026.12-1:resume@2026-12-01T11:30:00.250000+00:00",
        deadline_rule="resume",
        next_due_at=T0 + timedelta(days=2),
        next_due_kind=DeadlineKind.RESUME,
        deadline_level=EscalationLevel.HERINNERING,
        next_escalation_at=T0 + timedelta(days=9),
        updated_at=T0,
        version=7,
        history=("ev-1", "ev-2"),
    )


P = TypeVar("P")


@asynccontextmanager
async def either(
    request: pytest.FixtureRequest, fake: P, adapter: Callable[[Transaction], P]
) -> AsyncIterator[Backend[P]]:
    """The fake, or the MongoDB adapter on a database with followup's indexes."""
    if request.param == "fake":
        yield FakeBackend(fake)
        return
    async with scratch_store(request.getfixturevalue("mongodb_uri")) as store:
        await prepare(store)
        yield MongoBackend(store, adapter)


@pytest.fixture(params=BACKENDS)
async def referrals(request: pytest.FixtureRequest) -> AsyncIterator[Backend[ReferralStore]]:
    fake: ReferralStore = FakeReferrals()
    async with either(request, fake, lambda tx: MongoReferrals(tx, NOTES)) as backend:
        yield backend


def entry(event_id: str) -> LogEntry:
    return LogEntry(
        event_id,
        "nl.schakel.referral.accepted.v1",
        T0,
        "buurtteam-overvecht",
        "sociaal_makelaar",
        TaskStatus.ACCEPTED,
        None,
        note="Gebeld: mevrouw is blij ☺",
    )


async def test_a_referral_comes_back_field_for_field(referrals: Backend[ReferralStore]) -> None:
    state = complete()
    assert await referrals.run(lambda port: port.get("ref-1")) is None

    await referrals.run(lambda port: port.save(state, 0, [entry("ev-1")]))

    got = await referrals.run(lambda port: port.get("ref-1"))
    assert got == state
    assert await referrals.run(lambda port: port.log("ref-1")) == [entry("ev-1")]


async def test_a_save_on_a_stale_read_is_refused(referrals: Backend[ReferralStore]) -> None:
    state = complete()
    await referrals.run(lambda port: port.save(state, 0, [entry("ev-1")]))
    newer = replace(state, version=8, attempts=3)

    with pytest.raises(StaleReferral):
        await referrals.run(lambda port: port.save(newer, 6, [entry("ev-2")]))
    with pytest.raises(StaleReferral):
        await referrals.run(lambda port: port.save(replace(state, version=1), 0, []))
    await referrals.run(lambda port: port.save(newer, 7, [entry("ev-2")]))

    got = await referrals.run(lambda port: port.get("ref-1"))
    assert got is not None and got.attempts == 3
    log = await referrals.run(lambda port: port.log("ref-1"))
    assert [e.event_id for e in log] == ["ev-1", "ev-2"]


async def test_after_an_erasure_the_notes_are_gone_and_the_log_stays(
    referrals: Backend[ReferralStore],
) -> None:
    await referrals.run(lambda port: port.save(complete(), 0, [entry("ev-1"), entry("ev-2")]))
    other = complete("ref-2")
    await referrals.run(lambda port: port.save(other, 0, [entry("ev-3")]))

    assert await referrals.run(lambda port: port.forget_notes("ref-1")) == 2
    log = await referrals.run(lambda port: port.log("ref-1"))
    assert log == [replace(entry("ev-1"), note=None), replace(entry("ev-2"), note=None)]
    assert await referrals.run(lambda port: port.get("ref-1")) == complete()
    assert await referrals.run(lambda port: port.log("ref-2")) == [entry("ev-3")]
    # Again, and for a referral followup never saw: nothing to drop.
    assert await referrals.run(lambda port: port.forget_notes("ref-1")) == 0
    assert await referrals.run(lambda port: port.forget_notes("ref-unknown")) == 0


async def test_a_note_is_stored_only_sealed_and_cannot_be_opened_after_the_erasure(
    mongodb_uri: str,
) -> None:
    """The owner's views show the note, the database holds only ciphertext; erasure destroys
    the referral's key, so a copy left behind (as in MongoDB's oplog) opens to nothing."""
    note = entry("ev-1").note or ""
    async with scratch_store(mongodb_uri) as store:
        await prepare(store)
        saved = complete()
        await store.transaction(
            lambda tx: MongoReferrals(tx, NOTES).save(saved, 0, [entry("ev-1")])
        )
        raw = await store.db[REFERRALS].find_one({"_id": "ref-1"})
        assert raw is not None and note.encode() not in bson.encode(raw)
        assert await find_referral(store, NOTES, "ref-1") == (saved, [entry("ev-1")])
        sealed = raw["log"][0]["note"]

        await store.transaction(lambda tx: MongoReferrals(tx, NOTES).forget_notes("ref-1"))
        assert await store.db[NOTE_KEYS].count_documents({"_id": "ref-1"}) == 0
        # The sealed copy put back, as a restored write log would have it: unreadable.
        await store.db[REFERRALS].update_one({"_id": "ref-1"}, {"$set": {"log.0.note": sealed}})
        found = await find_referral(store, NOTES, "ref-1")
        assert found is not None and [e.note for e in found[1]] == [None]


# --- the DeadlineStore contract -------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
async def deadlines(request: pytest.FixtureRequest) -> AsyncIterator[Backend[DeadlineStore]]:
    fake: DeadlineStore = FakeDeadlines()
    async with either(request, fake, MongoDeadlines) as backend:
        yield backend


def level(deadline_id: str, referral_id: str = "ref-1", due: timedelta = timedelta()) -> Pending:
    return Pending(
        deadline_id=deadline_id,
        referral_id=referral_id,
        key="2026.12-1:accept@2026-12-01T09:30:00.250000+00:00",
        rule_id="accept",
        kind=DeadlineKind.ACCEPT,
        level=EscalationLevel.COORDINATOR,
        due_at=T0 + due,
        deadline_due_at=T0,
        escalate_after=Within(working_days=2),
        policy_version="2026.12-1",
    )


async def test_a_level_is_claimed_once_and_only_when_due(
    deadlines: Backend[DeadlineStore],
) -> None:
    await deadlines.run(lambda port: port.add(level("dl-1", due=timedelta(hours=1))))

    early = await deadlines.run(lambda port: port.claim("dl-1", T0))
    due = await deadlines.run(lambda port: port.claim("dl-1", T0 + timedelta(hours=1)))
    again = await deadlines.run(lambda port: port.claim("dl-1", T0 + timedelta(hours=2)))

    assert early is None and again is None
    assert due == level("dl-1", due=timedelta(hours=1))
    assert await deadlines.run(lambda port: port.claim("dl-unknown", T0)) is None


async def test_cancelled_levels_never_fire_and_other_referrals_keep_theirs(
    deadlines: Backend[DeadlineStore],
) -> None:
    levels = (level("dl-1"), level("dl-2", due=timedelta(days=1)), level("dl-3", "ref-2"))

    async def add_all(port: DeadlineStore) -> None:
        for pending in levels:
            await port.add(pending)

    await deadlines.run(add_all)

    await deadlines.run(lambda port: port.cancel_pending("ref-1"))

    later = T0 + timedelta(days=2)
    assert await deadlines.run(lambda port: port.claim("dl-1", later)) is None
    assert await deadlines.run(lambda port: port.pending_for("ref-1")) == []
    assert await deadlines.run(lambda port: port.pending_for("ref-2")) == [level("dl-3", "ref-2")]


# --- the HTTP API over MongoDB --------------------------------------------------------------

OWNER = "sociaal-makelaars-overvecht"


def token(organisation: str, *roles: Role) -> dict[str, str]:
    principal = Principal("tester", organisation, frozenset(roles or (Role.SOCIAAL_MAKELAAR,)))
    return {"Authorization": f"Bearer {issue_token(principal, DEV_AUTH_SECRET)}"}


MAKELAAR = token(OWNER)


class Api:
    def __init__(self, store: MongoStore, client: httpx.AsyncClient, setup: Setup) -> None:
        self.store = store
        self.client = client
        self.setup = setup

    async def routed(
        self, urgency: Urgency = Urgency.ROUTINE, consent: bool = True, **signal: Any
    ) -> str:
        referral_id = f"ref-{uuid.uuid4().hex[:10]}"
        first = new_event(
            received(consent).model_copy(update={"referral_id": referral_id, **signal}),
            source="/schakel/intake",
            subject=referral_id,
        )
        triaged = payloads.triaged(referral_id, urgency=urgency, consent_to_contact=consent)
        for event in (
            first,
            new_event(triaged, source="/schakel/triage", subject=referral_id, cause=first),
        ):
            await self.follow(event)
        return referral_id

    async def follow(self, event: EventEnvelope[Any]) -> None:
        await self.store.transaction(
            lambda tx: follow(event, Ports.of(tx, self.setup), self.setup, tx.emit, T0)
        )

    async def post(
        self,
        referral_id: str,
        action: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/referrals/{referral_id}/{action}",
            json=body,
            headers=MAKELAAR if headers is None else headers,
        )


@pytest.fixture
async def api(mongodb_uri: str) -> AsyncIterator[Api]:
    database = f"followup_{uuid.uuid4().hex[:12]}"
    config = FollowupSettings(mongodb_uri=mongodb_uri, mongodb_database=database)
    app = build(config, clock=lambda: T0 + timedelta(hours=1))
    store: MongoStore = app.state.runtime.store
    await prepare(store)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://followup") as client:
            yield Api(store, client, app.state.setup)
    finally:
        await store.client.drop_database(database)
        await store.close()


async def test_the_owner_accepts_and_a_second_accept_is_refused_with_the_reason(api: Api) -> None:
    referral_id = await api.routed()

    accepted = await api.post(referral_id, "accept", {"note": "Pak ik op"})
    again = await api.post(referral_id, "accept")

    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert (body["status"], body["owner_organisation"]) == ("accepted", OWNER)
    assert body["history"][-1]["note"] == "Pak ik op"
    assert "record_first_conversation" in body["allowed_actions"]
    assert again.status_code == 409
    assert again.json()["detail"] == "accept is not possible while the referral is accepted"
    outbox = await api.store.db["outbox"].find({}).to_list()
    assert [r["event_type"] for r in outbox].count("nl.schakel.referral.accepted.v1") == 1


async def test_another_organisation_neither_sees_nor_acts(api: Api) -> None:
    referral_id = await api.routed()
    other = token("sociaal-makelaars-noordwest")

    assert (await api.post(referral_id, "accept", headers=other)).status_code == 404
    assert (await api.client.get(f"/api/v1/inbox/{referral_id}", headers=other)).status_code == 404
    listed = await api.client.get("/api/v1/inbox", headers=other)
    assert listed.json()["count"] == 0
    gp = token("huisartsenpraktijk-overvecht", Role.HUISARTS)
    assert (await api.post(referral_id, "accept", headers=gp)).status_code == 403
    assert (await api.post(referral_id, "accept", headers={})).status_code == 401


async def test_a_retried_contact_attempt_counts_once(api: Api) -> None:
    referral_id = await api.routed()
    await api.post(referral_id, "accept")
    key = {**MAKELAAR, "Idempotency-Key": "attempt-1"}

    first = await api.post(referral_id, "contact-attempts", {}, headers=key)
    retry = await api.post(referral_id, "contact-attempts", {}, headers=key)
    other_body = await api.post(referral_id, "contact-attempts", {"note": "x"}, headers=key)

    assert first.status_code == retry.status_code == 200
    assert retry.json()["attempts"] == first.json()["attempts"] == 1
    assert other_body.status_code == 409


async def test_bad_values_are_refused_with_field_and_reason(api: Api) -> None:
    referral_id = await api.routed()
    await api.post(referral_id, "accept")

    other = await api.post(referral_id, "close", {"outcome": "anders"})
    unknown = await api.post(referral_id, "reject", {"reason": "geen zin"})

    assert other.status_code == 422
    assert "needs a note" in other.json()["errors"][0]["reason"]
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "reason"
    closed = await api.post(
        referral_id, "close", {"outcome": "anders", "note": "Verhuisd naar familie"}
    )
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["status_reason"]) == ("cancelled", "anders")


async def test_the_inbox_puts_the_most_urgent_first(api: Api) -> None:
    routine = await api.routed(Urgency.ROUTINE)
    direct = await api.routed(Urgency.DIRECT)
    soon = await api.routed(Urgency.SPOEDIG)
    no_consent = await api.routed(Urgency.ROUTINE, consent=False)

    listed = (await api.client.get("/api/v1/inbox", headers=MAKELAAR)).json()

    assert [r["referral_id"] for r in listed["referrals"]] == [direct, soon, routine, no_consent]
    assert listed["referrals"][-1]["consent_to_contact"] is False
    detail = (await api.client.get(f"/api/v1/inbox/{direct}", headers=MAKELAAR)).json()
    assert (detail["facts"]["postcode_area"], detail["facts"]["signaler_role"]) == (
        "3562",
        "apotheker",
    )
    assert detail["triage_reasons"] == ["a reason"]
    assert [h["type"] for h in detail["history"]] == [
        "nl.schakel.referral.received.v2",
        "nl.schakel.referral.triaged.v2",
    ]


# --- concerns ---------------------------------------------------------------------------------

GP = "huisartsenpraktijk-overvecht"
RECEIPT = "K7QM-4XPD"


async def concern(api: Api, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return await api.client.post(
        "/api/v1/concerns",
        json={"observations": ["ondervoeding"], **body},
        headers=headers or {},
    )


async def test_a_helper_reports_with_the_code_the_owner_got_and_learns_nothing_more(
    api: Api,
) -> None:
    referral_id = await api.routed()
    await api.post(referral_id, "accept")
    await api.post(referral_id, "first-conversation", {"consents_to_support": True})
    started = await api.post(referral_id, "support/start", {"kind": "maatje"})
    assert started.status_code == 200, started.text
    code = started.json()["helper_code"]
    assert code.startswith("H")

    reported = await concern(
        api, {"helper_code": f" {code.lower()} ", "note": "Eet niet, ziet grauw"}
    )

    assert reported.status_code == 202, reported.text
    assert set(reported.json()) == {"concern_id", "received"}  # not even the referral id
    shown = (await api.client.get(f"/api/v1/inbox/{referral_id}", headers=MAKELAAR)).json()
    assert (shown["concern_open"], shown["concerns"]) == (True, 1)
    assert shown["history"][-1]["note"] == "Eet niet, ziet grauw"
    assert shown["history"][-1]["actor_role"] == "hulpverlener"
    rows = await api.store.db["outbox"].find({"event_type": {"$regex": "concern"}}).to_list()
    assert len(rows) == 1 and b"grauw" not in bytes(rows[0]["value"])  # the note stays here
    stored = await api.store.db["referrals"].find_one({"_id": referral_id})
    assert stored is not None and code not in str(stored)  # only its hash is kept


async def test_the_referring_gp_and_a_receipt_holder_report_the_owner_too(api: Api) -> None:
    referral_id = await api.routed(
        channel=Channel.WELZIJN_OP_RECEPT,
        signaler=Signaler(role=SignalerRole.HUISARTS, organisation=GP),
        receipt_hash=receipt_hash(RECEIPT),
    )
    gp = token(GP, Role.HUISARTS)

    by_gp = await concern(api, {"referral_id": referral_id}, gp)
    by_receipt = await concern(api, {"receipt": RECEIPT.lower()})
    by_owner = await concern(api, {"referral_id": referral_id}, MAKELAAR)

    assert [r.status_code for r in (by_gp, by_receipt, by_owner)] == [202, 202, 202]
    assert by_gp.json()["referral_id"] == referral_id
    assert "referral_id" not in by_receipt.json()
    shown = (await api.client.get(f"/api/v1/inbox/{referral_id}", headers=MAKELAAR)).json()
    assert [h["actor_role"] for h in shown["history"][-3:]] == [
        "huisarts",
        "signaler",
        "sociaal_makelaar",
    ]


async def test_no_one_else_finds_a_referral_to_report_on(api: Api) -> None:
    referral_id = await api.routed()
    other = token("sociaal-makelaars-noordwest")

    answers = [
        await concern(api, {"referral_id": referral_id}, other),
        await concern(api, {"referral_id": referral_id}),  # anonymous: an id is not enough
        await concern(api, {"helper_code": "HAAAA-BBBB"}),
        await concern(api, {"receipt": "NOPE-NOPE"}),
    ]

    assert [a.status_code for a in answers] == [404] * 4
    assert len({a.json()["detail"] for a in answers}) == 1  # told alike
    both = await concern(api, {"referral_id": referral_id, "receipt": RECEIPT}, MAKELAAR)
    assert both.status_code == 422


async def test_a_concern_about_a_closed_referral_asks_for_a_new_signal(api: Api) -> None:
    referral_id = await api.routed()
    await api.post(referral_id, "accept")
    await api.post(referral_id, "close", {"outcome": "hulp_gekregen"})

    late = await concern(api, {"referral_id": referral_id}, MAKELAAR)

    assert late.status_code == 409 and "new signal" in late.json()["detail"]
