"""GP prescriptions on the inbound topic ``schakel.gp-referrals.inbound``, on the real broker
with intake's own consumer: a valid message becomes a referral once, however often it is
sent; what intake cannot read or refuses goes to ``schakel.dlq.intake`` with the reason, and
no personal detail of it reaches the dead letter's reason."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI

from schakel.contracts.envelope import EventEnvelope
from schakel.contracts.inbound import GpReferralSubmitted
from schakel.contracts.kafka_binding import to_record
from schakel.contracts.topics import GP_REFERRALS_INBOUND, dead_letter_topic
from schakel.intake.adapters import REFERRALS
from schakel.platform.mongo import OUTBOX

pytestmark = pytest.mark.integration
Record = tuple[bytes, bytes, list[tuple[str, bytes]]]
PATIENTS = itertools.count()  # each message's patient another Henk Visser (birth date, phone)


def message(practice: str, **changes: Any) -> GpReferralSubmitted:
    """A prescription for a Henk Visser of 1939 of the practice's own: a patient with an open
    referral already would have the message attach to it (one person, one open referral)."""
    day = next(PATIENTS)
    payload: dict[str, Any] = {
        "gp_practice": practice,
        "patient": {
            "name": "Henk Visser",
            "postcode": "3563 AB",
            "date_of_birth": (date(1939, 1, 1) + timedelta(days=day)).isoformat(),
            "phone": f"030 111 {day:04d}",
        },
        "prescribed_to": "sociaal_makelaar",
        "observations": ["weinig_contact", "recent_verlies"],
        "consent_to_contact": True,
        "note": "Weduwnaar sinds de zomer.",
    }
    payload.update(changes)
    return GpReferralSubmitted.model_validate(payload)


def record(payload: GpReferralSubmitted, message_id: str | None = None) -> Record:
    message_id = message_id or str(uuid.uuid4())
    envelope: EventEnvelope[Any] = EventEnvelope[Any](
        id=message_id,
        source=f"/gp/{payload.gp_practice}",
        type=GpReferralSubmitted.event_type(),
        subject=message_id,
        time="2026-12-01T09:00:00+01:00",
        correlationid=f"gp-{message_id}",
        data=payload,
    )
    key, value, headers = to_record(envelope)
    return key, value, list(headers)


async def publish(bootstrap: str, *records: Record) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(GP_REFERRALS_INBOUND, value, key=key, headers=headers)
    finally:
        await producer.stop()


async def dead_letters(bootstrap: str, keys: set[bytes], within: float = 60) -> dict[bytes, Any]:
    """The dead letters of intake with these keys (other runs' may be on the topic too)."""
    consumer = AIOKafkaConsumer(
        dead_letter_topic("intake"),
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
        enable_auto_commit=False,
    )
    await consumer.start()
    found: dict[bytes, Any] = {}
    try:
        deadline = asyncio.get_running_loop().time() + within
        while set(found) != keys and asyncio.get_running_loop().time() < deadline:
            for part in (await consumer.getmany(timeout_ms=500)).values():
                found.update({r.key: r for r in part if r.key in keys})
    finally:
        await consumer.stop()
    return found


async def referrals_of(app: FastAPI, practice: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (
        await app.state.runtime.store.db[REFERRALS]
        .find({"referrer_organisation": practice})
        .to_list()
    )
    return found


async def until(probe: Any, within: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await probe():
        assert asyncio.get_running_loop().time() < deadline, "not within the time"
        await asyncio.sleep(0.2)


async def test_a_gp_message_becomes_one_referral_however_often_it_is_sent(
    intake: FastAPI, kafka_bootstrap_servers: str
) -> None:
    practice = f"huisartsenpraktijk-{uuid.uuid4().hex[:8]}"
    sent = record(message(practice))
    later = record(message(practice, prescribed_to="beweegmakelaar"))
    # Last, on the same partition (same key): once it is handled, so is everything before.
    marker_practice = f"huisartsenpraktijk-{uuid.uuid4().hex[:8]}"
    _, value, headers = record(message(marker_practice))
    marker = (sent[0], value, headers)
    # The GP system sent the first message three times.
    await publish(kafka_bootstrap_servers, sent, sent, later, sent, marker)

    async def marker_handled() -> bool:
        return len(await referrals_of(intake, marker_practice)) == 1

    await until(marker_handled)
    assert len(await referrals_of(intake, practice)) == 2
    rows = await intake.state.runtime.store.db[OUTBOX].find().to_list()
    events = [json.loads(bytes(r["value"])) for r in rows]
    mine = [e for e in events if e.get("signaler", {}).get("organisation") == practice]
    assert sorted(e["prescribed_to"] for e in mine) == ["beweegmakelaar", "sociaal_makelaar"]
    assert {e["channel"] for e in mine} == {"welzijn_op_recept"}
    for personal in ("Visser", "1939", "111 ", "Weduwnaar"):
        assert personal not in json.dumps(mine)


async def test_unreadable_and_refused_gp_messages_are_dead_lettered_with_their_reasons(
    intake: FastAPI, kafka_bootstrap_servers: str
) -> None:
    practice = f"huisartsenpraktijk-{uuid.uuid4().hex[:8]}"
    good = record(message(practice))
    no_consent = record(message(practice, consent_to_contact=False))
    foreign_postcode = record(
        message(practice, patient={"name": "Henk Visser", "postcode": "10115 Berlin"})
    )
    key, value, headers = record(message(practice))
    without_consent_field = json.loads(value)
    del without_consent_field["consent_to_contact"]
    unreadable = (key, json.dumps(without_consent_field).encode(), headers)
    not_an_event: Record = (uuid.uuid4().hex.encode(), b"Henk Visser, 3563 AB", [])
    bad = {
        no_consent[0]: ("handler-failed", "consent"),
        foreign_postcode[0]: ("handler-failed", "patient.postcode"),
        unreadable[0]: ("unreadable", "consent_to_contact"),
        not_an_event[0]: ("unreadable", "ce_"),
    }
    await publish(
        kafka_bootstrap_servers, no_consent, foreign_postcode, unreadable, not_an_event, good
    )

    dead = await dead_letters(kafka_bootstrap_servers, set(bad))
    assert set(dead) == set(bad)
    for key, (reason, names) in bad.items():
        said = {name: bytes(raw).decode() for name, raw in dead[key].headers}
        assert said["dlq-reason"] == reason
        assert names in said["dlq-error"], said["dlq-error"]
        for personal in ("Visser", "10115", "Berlin"):
            assert personal not in said["dlq-error"]

    async def only_the_good_one() -> bool:
        return len(await referrals_of(intake, practice)) == 1

    await until(only_the_good_one)
