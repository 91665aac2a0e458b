"""One person, one open referral in intake's unit of work (fakes): a second signal about the
same person attaches, an uncertain one waits for the owner, a closed referral is matched no
more."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from schakel.contracts.envelope import EventEnvelope, EventPayload, new_event
from schakel.contracts.events import (
    DuplicateConfirmed,
    DuplicateRejected,
    DuplicateSuspected,
    ReferralReceived,
    SignalAttached,
)
from schakel.contracts.lifecycle import Actor, ReferralClosed
from schakel.contracts.vocabulary import (
    ActorRole,
    Channel,
    CloseOutcome,
    Observation,
    SignalerRole,
    TaskStatus,
)
from schakel.intake import openness
from schakel.intake.domain import Accepted, Intake
from schakel.intake.duplicates import BlindIndex
from schakel.intake.handlers import Submission, submit
from schakel.intake.vault import Sealer
from tests.fakes.intake import FakeIntakeUnitOfWork

SEALER = Sealer(os.urandom(32))
INDEX = BlindIndex(os.urandom(32))
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PINAS = {"name": "Truus Pinas", "postcode": "3563 AB", "date_of_birth": "1941-03-07"}


def signal(person: dict[str, Any], role: SignalerRole = SignalerRole.FIETSKOERIER) -> Submission:
    intake = Intake(
        channel=Channel.WEBFORMULIER,
        signaler_role=role,
        signaler_organisation=None,
        postcode=person["postcode"],
        received_at=NOW,
        observations=(Observation.NIET_GESPROKEN,),
    )
    return Submission(intake, person, None, f"corr-{role.value}")


def respond(accepted: Accepted) -> dict[str, Any]:
    return {"receipt": accepted.receipt, "referral_id": accepted.referral_id}


async def signalled(uow: FakeIntakeUnitOfWork, person: dict[str, Any]) -> EventEnvelope[Any]:
    await submit(uow, SEALER, signal(person), respond, INDEX)
    return uow.data.published[-1]


def owner_says(payload: type[DuplicateConfirmed | DuplicateRejected], about: Any) -> Any:
    data = payload(
        referral_id=about.referral_id,
        signal_id=about.signal_id,
        decided_by="sociaal-makelaars-overvecht",
        decided_at=NOW,
    )
    return new_event(data, source="/schakel/followup", subject=about.referral_id)


def closing(referral_id: str) -> EventEnvelope[Any]:
    closed = ReferralClosed(
        referral_id=referral_id,
        actor=Actor(organisation="sociaal-makelaars-overvecht", role=ActorRole.SOCIAAL_MAKELAAR),
        status=TaskStatus.COMPLETED,
        owner_organisation="sociaal-makelaars-overvecht",
        occurred_at=NOW,
        outcome=CloseOutcome.HULP_GEKREGEN,
    )
    return new_event(closed, source="/schakel/followup", subject=referral_id)


async def consume(uow: FakeIntakeUnitOfWork, event: EventEnvelope[Any]) -> None:
    handlers: dict[type[EventPayload], Any] = {
        ReferralClosed: openness.closed,
        DuplicateConfirmed: openness.confirmed,
        DuplicateRejected: openness.rejected,
    }
    handle = handlers[type(event.data)]
    await uow(lambda records: handle(event, records))


async def test_a_second_signal_about_the_same_person_attaches_and_keeps_its_receipt() -> None:
    uow = FakeIntakeUnitOfWork()
    first = await signalled(uow, PINAS)
    answer, _ = await submit(uow, SEALER, signal({**PINAS, "name": "Truus Pinas "}), respond, INDEX)

    attached = uow.data.published[-1]
    assert isinstance(attached.data, SignalAttached)
    assert attached.subject == first.subject == attached.data.referral_id
    assert answer["referral_id"] == first.subject  # it answers with the referral it joined
    assert attached.data.receipt_hash != first.data.receipt_hash  # but its own receipt
    assert set(attached.data.matched_on) == {"name", "birth_date"}
    # No second referral to triage: one received event only.
    assert [type(e.data) for e in uow.data.published] == [ReferralReceived, SignalAttached]
    assert "Pinas" not in attached.model_dump_json()


async def test_an_uncertain_match_waits_for_the_owner_who_confirms() -> None:
    uow = FakeIntakeUnitOfWork()
    first = await signalled(uow, PINAS)
    maybe = await signalled(uow, {**PINAS, "name": "Mevrouw Pinas"})
    assert isinstance(maybe.data, DuplicateSuspected)
    assert maybe.data.referral_id == first.subject

    await consume(uow, owner_says(DuplicateConfirmed, maybe.data))

    attached = uow.data.published[-1]
    assert isinstance(attached.data, SignalAttached) and attached.data.confirmed_by_owner
    assert attached.data.signal_id == maybe.data.signal_id
    assert attached.data.receipt_hash == maybe.data.receipt_hash
    received = [e for e in uow.data.published if isinstance(e.data, ReferralReceived)]
    assert len(received) == 1


async def test_an_uncertain_match_the_owner_rejects_becomes_a_referral_of_its_own() -> None:
    uow = FakeIntakeUnitOfWork()
    await signalled(uow, PINAS)
    maybe = await signalled(uow, {**PINAS, "name": "Mevrouw Pinas"})

    await consume(uow, owner_says(DuplicateRejected, maybe.data))
    await consume(uow, owner_says(DuplicateConfirmed, maybe.data))  # too late: ignored

    released = uow.data.published[-1]
    assert isinstance(released.data, ReferralReceived)
    assert released.subject == released.data.referral_id == maybe.data.signal_id
    assert released.data.receipt_hash == maybe.data.receipt_hash
    assert not any(isinstance(e.data, SignalAttached) for e in uow.data.published)


async def test_after_the_referral_closed_a_new_signal_starts_a_new_referral() -> None:
    uow = FakeIntakeUnitOfWork()
    first = await signalled(uow, PINAS)
    await consume(uow, closing(first.subject))
    again = await signalled(uow, PINAS)
    assert isinstance(again.data, ReferralReceived) and again.subject != first.subject


async def test_a_signal_still_waiting_when_its_referral_closes_goes_its_own_way() -> None:
    uow = FakeIntakeUnitOfWork()
    first = await signalled(uow, PINAS)
    maybe = await signalled(uow, {**PINAS, "name": "Mevrouw Pinas"})
    await consume(uow, closing(first.subject))
    released = uow.data.published[-1]
    assert isinstance(released.data, ReferralReceived)
    assert released.subject == maybe.data.signal_id


async def test_someone_else_at_the_same_address_is_no_duplicate() -> None:
    uow = FakeIntakeUnitOfWork()
    home = {"postcode": "3563 AB", "street_address": "Kastanjelaan 12"}
    await signalled(uow, {"name": "Jan Jansen", **home})
    other = await signalled(uow, {"name": "Piet Jansen", **home})
    assert isinstance(other.data, ReferralReceived)
    assert len(uow.data.person_index) == 2
