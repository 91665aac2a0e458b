"""A person's rights through the running stack (issue 11 items 5 and 6, issue 14 items 2 and
4): contact details only for the owner, with a purpose, each read an event the audit keeps;
the export (inzage); erasure, after which the person's name, phone, e-mail, birth date and
the notes typed about them are in no topic record, no database document and no service's log,
and replay still rebuilds every read model with 0 differences."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient

from schakel_dev.stack import Stack
from tests.e2e.conftest import (
    OWNER_ACCOUNTS,
    eventually,
    in_inbox,
    login,
    owner_action,
    referral_id_of,
    whole_topic,
)
from tests.e2e.test_replay import _drop as drop_databases
from tests.e2e.test_replay import replay, settle

pytestmark = pytest.mark.e2e
# Distinctive enough that no other test, demo or log line could contain them by chance.
NAME = "Wilhelmina Zwaluwstaart-Kwekkeboom"
PHONE = "06 1357 9246"
EMAIL = "w.zwaluwstaart@erasure-proef.example"
BORN = "1941-03-17"
SIGNALER_NOTE = "Mevrouw Kwekkeboom groet niemand meer sinds de winter"
OWNER_NOTE = "Zwaluwstaart belde terug, spreekt liever Fries"
SECRETS = (NAME, PHONE, EMAIL, BORN, SIGNALER_NOTE, OWNER_NOTE)
# MongoDB's own log of writes: a capped collection that rolls over, not something a service
# keeps or can delete from. Followup writes an owner's note only sealed, so no copy there
# can be read once erasure destroyed the referral's key.
WRITE_LOG = "local.oplog.rs"


@dataclass(frozen=True)
class Person:
    referral_id: str
    owner: dict[str, str]  # the owning organisation's staff account's headers
    owner_organisation: str


# Someone else, for the tests of who may do what: a signal about the same person would join
# the open referral of the module's person (one person, one open referral).
SOMEONE_ELSE = {
    "name": "Gerrit Proefhuis",
    "phone": "06 2468 1357",
    "email": "g.proefhuis@erasure-proef.example",
    "date_of_birth": "1950-06-01",
}


def _signal(gateway: httpx.Client, correlation: str, who: dict[str, str] | None = None) -> None:
    answer = gateway.post(
        "/api/v1/signals",
        headers={"X-Correlation-ID": correlation},
        json={
            "signaler_role": "fietskoerier",
            "person": {
                "name": NAME,
                "phone": PHONE,
                "email": EMAIL,
                "postcode": "3563 AB",
                "date_of_birth": BORN,
                **(who or {}),
            },
            "observations": ["niet_gesproken", "alleen_wonend"],
            "consent_to_contact": True,
            "note": SIGNALER_NOTE,
        },
    )
    assert answer.status_code == 202, answer.text


def _owner_of(gateway: httpx.Client, auditor: dict[str, str], referral_id: str) -> str:
    def triaged() -> str | None:
        found = gateway.get(f"/api/v1/referrals/{referral_id}/timeline", headers=auditor)
        for event in found.json().get("events", []) if found.is_success else []:
            if event["type"].startswith("nl.schakel.referral.triaged."):
                return str(event["data"]["owner_organisation"])
        return None

    return eventually(triaged, what=f"{referral_id} triaged")


def _person(gateway: httpx.Client, correlation: str, who: dict[str, str] | None = None) -> Person:
    auditor = login(gateway, "auditor")
    _signal(gateway, correlation, who)
    referral_id = referral_id_of(gateway, auditor, correlation)
    organisation = _owner_of(gateway, auditor, referral_id)
    return Person(referral_id, login(gateway, OWNER_ACCOUNTS[organisation]), organisation)


def _contact(gateway: httpx.Client, headers: dict[str, str], referral_id: str) -> httpx.Response:
    return gateway.post(
        f"/api/v1/referrals/{referral_id}/person/contact-details",
        json={"purpose": "contact_opnemen"},
        headers=headers,
    )


def _owner_reads_contact(gateway: httpx.Client, person: Person) -> dict[str, Any]:
    """Once intake has learnt the owner from the triaged event."""

    def read() -> dict[str, Any] | None:
        answer = _contact(gateway, person.owner, person.referral_id)
        return answer.json() if answer.status_code == 200 else None

    return eventually(read, what="intake knows the owner")


@pytest.fixture(scope="module")
def person(gateway: httpx.Client) -> Person:
    return _person(gateway, f"erasure-{uuid.uuid4().hex[:8]}")


def test_only_the_owner_gets_contact_details_with_a_purpose(
    gateway: httpx.Client, person: Person
) -> None:
    contact = _owner_reads_contact(gateway, person)["contact"]
    assert contact["name"] == NAME and contact["phone"] == PHONE and contact["email"] == EMAIL
    assert "date_of_birth" not in contact and "note" not in contact  # not needed to reach them

    path = f"/api/v1/referrals/{person.referral_id}/person/contact-details"
    for user, refused in (
        ("auditor", 403),
        ("gemeente", 403),
        ("beheerder", 403),  # the administrator erases and exports, but does not contact
        ("huisarts", 403),
        ("makelaar-zuilen", 404),  # an owner's role, not this referral's owner
    ):
        answer = _contact(gateway, login(gateway, user), person.referral_id)
        assert answer.status_code == refused, (user, answer.text)
        assert NAME not in answer.text
    assert gateway.post(path, json={"purpose": "contact_opnemen"}).status_code == 401
    assert gateway.post(path, json={}, headers=person.owner).status_code == 422
    assert (
        gateway.post(path, json={"purpose": "nieuwsgierig"}, headers=person.owner).status_code
        == 422
    )
    unknown = _contact(gateway, person.owner, "ref-" + "0" * 24)
    assert unknown.status_code == 404


def test_reads_are_in_the_referrals_timeline_for_auditors(
    gateway: httpx.Client, person: Person
) -> None:
    _owner_reads_contact(gateway, person)
    opened = gateway.get(f"/api/v1/inbox/{person.referral_id}", headers=person.owner)
    assert opened.status_code == 200
    auditor = login(gateway, "auditor")
    path = f"/api/v1/referrals/{person.referral_id}/timeline"

    def archived(kind: str) -> Callable[[], list[dict[str, Any]] | None]:
        def found() -> list[dict[str, Any]] | None:
            answer = gateway.get(path, headers=auditor)
            events = answer.json().get("events", []) if answer.is_success else []
            return [e["data"] for e in events if kind in e["type"]] or None

        return found

    username = OWNER_ACCOUNTS[person.owner_organisation]
    read = eventually(archived("contact-details-read"), what="the read archived")[0]
    assert read["read_by"]["username"] == username
    assert read["read_by"]["organisation"] == person.owner_organisation
    assert read["purpose"] == "contact_opnemen" and read["read_at"]
    assert NAME not in str(read) and PHONE not in str(read)
    viewed = eventually(archived("referral.viewed"), what="the owner's view archived")
    assert [(v["view"], v["viewed_by"]["username"]) for v in viewed] == [("inbox", username)]
    # Opened again the same day: no second event.
    gateway.get(f"/api/v1/inbox/{person.referral_id}", headers=person.owner)
    # The audit's own reads of the timeline are shown to auditors, this one included.
    reads = gateway.get(path, headers=auditor).json()["reads"]
    assert {"username": "auditor", "organisation": "rekenkamer-utrecht"}.items() <= reads[
        -1
    ].items()
    assert gateway.get(path, headers=person.owner).json()["reads"] == []  # auditors only


def test_erasure_and_export_need_an_administrator_or_the_owner_and_a_reason(
    gateway: httpx.Client,
) -> None:
    other = _person(gateway, f"erasure-rights-{uuid.uuid4().hex[:8]}", SOMEONE_ELSE)
    erase = f"/api/v1/referrals/{other.referral_id}/person/erasure"
    export = f"/api/v1/referrals/{other.referral_id}/person/export"
    for user, refused in (("auditor", 403), ("gemeente", 403), ("makelaar-zuilen", 404)):
        headers = login(gateway, user)
        answer = gateway.post(erase, json={"reason": "verzoek_betrokkene"}, headers=headers)
        assert answer.status_code == refused, (user, answer.text)
        assert gateway.post(export, headers=headers).status_code == refused, user
    admin = login(gateway, "beheerder")
    assert gateway.post(erase, json={}, headers=admin).status_code == 422
    assert gateway.post(erase, json={"reason": "zomaar"}, headers=admin).status_code == 422

    # The owner may erase too (the person asked them); asked again, nothing happens twice.
    _owner_reads_contact(gateway, other)  # intake knows the owner
    first = gateway.post(erase, json={"reason": "verzoek_betrokkene"}, headers=other.owner)
    assert first.status_code == 200 and first.json()["new"] is True, first.text
    again = gateway.post(erase, json={"reason": "verzoek_betrokkene"}, headers=admin)
    assert again.status_code == 200 and again.json()["new"] is False
    assert again.json()["erased_at"] == first.json()["erased_at"]
    assert _contact(gateway, other.owner, other.referral_id).status_code == 410


def _export(gateway: httpx.Client, referral_id: str) -> dict[str, Any]:
    admin = login(gateway, "beheerder")
    answer = gateway.post(f"/api/v1/referrals/{referral_id}/person/export", headers=admin)
    assert answer.status_code == 200, answer.text
    exported: dict[str, Any] = answer.json()
    return exported


# --- the scan -------------------------------------------------------------------------------


async def _topics(bootstrap: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return sorted(t for t in await admin.list_topics() if not t.startswith("__"))
    finally:
        await admin.close()


def _in_topics(bootstrap: str, needles: tuple[str, ...]) -> dict[str, list[str]]:
    """Where each needle occurs: every record of every topic (key, value, headers) as bytes."""
    found: dict[str, list[str]] = {n: [] for n in needles}
    for topic in asyncio.run(_topics(bootstrap)):
        for record in whole_topic(bootstrap, topic):
            raw = b"\x00".join(
                [record.key or b"", record.value or b""]
                + [name.encode() + b"=" + (value or b"") for name, value in record.headers]
            )
            for needle in needles:
                if needle.encode() in raw:
                    found[needle].append(record.where)
    return found


async def _in_databases(uri: str, needles: tuple[str, ...]) -> dict[str, list[str]]:
    """Every document of every collection of every database, as its raw BSON bytes."""
    found: dict[str, list[str]] = {n: [] for n in needles}
    client: AsyncMongoClient[RawBSONDocument] = AsyncMongoClient(
        uri, document_class=RawBSONDocument
    )
    try:
        for database in await client.list_database_names():
            for name in await client[database].list_collection_names():
                async for doc in client[database][name].find({}):
                    for needle in needles:
                        if needle.encode() in doc.raw:
                            found[needle].append(f"{database}.{name}")
    finally:
        await client.close()
    return found


def _in_logs(run_dir: Path, needles: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {n: [] for n in needles}
    for log in sorted(run_dir.glob("*.log")):
        text = log.read_bytes()
        for needle in needles:
            if needle.encode() in text:
                found[needle].append(log.name)
    return found


def _nowhere(found: dict[str, list[str]]) -> dict[str, list[str]]:
    return {needle: places for needle, places in found.items() if places}


@pytest.fixture(scope="module")
def replay_prefix(stack: Stack) -> Iterator[str]:
    prefix = f"schakel_replay_erasure_{uuid.uuid4().hex[:6]}_"
    yield prefix
    asyncio.run(drop_databases(stack.mongodb_uri, prefix))


@pytest.mark.timeout(1200)
def test_after_erasure_the_person_is_in_no_topic_database_or_log_and_replay_agrees(
    stack: Stack, gateway: httpx.Client, person: Person, replay_prefix: str
) -> None:
    _owner_reads_contact(gateway, person)
    in_inbox(gateway, person.owner, person.referral_id, status="requested")
    owner_action(gateway, person.owner, person.referral_id, "accept", {"note": OWNER_NOTE})
    shown = in_inbox(gateway, person.owner, person.referral_id, status="accepted")
    assert OWNER_NOTE in str(shown)  # the owner's note is kept in followup, readable

    before = _export(gateway, person.referral_id)
    details = before["person"]["details"]
    assert before["person"]["erased"] is False
    assert (details["name"], details["phone"], details["email"]) == (NAME, PHONE, EMAIL)
    assert details["date_of_birth"] == BORN and details["note"] == SIGNALER_NOTE
    [mine] = [r for r in before["referrals"] if r["referral_id"] == person.referral_id]
    assert mine["owner_organisation"] == person.owner_organisation
    assert any(
        e["event_type"].startswith("nl.schakel.referral.received.") for e in mine["timeline"]
    )

    admin = login(gateway, "beheerder")
    erased = gateway.post(
        f"/api/v1/referrals/{person.referral_id}/person/erasure",
        json={"reason": "verzoek_betrokkene"},
        headers=admin,
    )
    assert erased.status_code == 200 and erased.json()["new"] is True, erased.text
    in_inbox(gateway, person.owner, person.referral_id, status="accepted")

    def notes_gone() -> bool:
        found = gateway.get(f"/api/v1/inbox/{person.referral_id}", headers=person.owner)
        return found.status_code == 200 and OWNER_NOTE not in found.text

    eventually(notes_gone, what="followup dropped the owner's note")
    after = _export(gateway, person.referral_id)
    assert after["person"] == {
        "erased": True,
        "erased_at": erased.json()["erased_at"],
        "details": None,
    }
    assert _contact(gateway, person.owner, person.referral_id).status_code == 410
    settle(stack.kafka_bootstrap_servers)

    timeline = gateway.get(
        f"/api/v1/referrals/{person.referral_id}/timeline", headers=login(gateway, "auditor")
    ).json()["events"]
    views = [e for e in timeline if e["type"] == "nl.schakel.referral.viewed.v1"]
    # The owner's page was polled many times today: one view recorded.
    assert [e["data"]["view"] for e in views] == ["inbox"]
    assert any(e["type"] == "nl.schakel.person.erased.v1" for e in timeline)

    code, report = replay(stack, replay_prefix)
    assert "DIFF" not in report and code == 0, report

    # The scan reaches every source: the referral id (no personal detail) is in each.
    handles = (person.referral_id,)
    assert _nowhere(_in_topics(stack.kafka_bootstrap_servers, handles)), "topics not scanned"
    scanned = asyncio.run(_in_databases(stack.mongodb_uri, handles))
    assert WRITE_LOG in scanned[person.referral_id], "the write log was not scanned"
    assert _nowhere(_in_logs(stack.run_dir, handles)), "no log scanned"
    # ... and the person is in none of them, the replay's databases included.
    assert _nowhere(_in_topics(stack.kafka_bootstrap_servers, SECRETS)) == {}
    assert _nowhere(asyncio.run(_in_databases(stack.mongodb_uri, SECRETS))) == {}
    assert _nowhere(_in_logs(stack.run_dir, SECRETS)) == {}
    assert re.search(r"compare: followup \(.+\): 0 differences", report), report
