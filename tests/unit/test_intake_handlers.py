"""Intake's handler against its fake unit of work: accepted once, retries answered alike,
nothing half-kept."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import pytest

from schakel.contracts.vocabulary import Channel, Observation, SignalerRole
from schakel.intake.adapters import KeyAlreadyUsed, Remembered
from schakel.intake.domain import Accepted, Intake
from schakel.intake.handlers import Idempotency, IdempotencyConflict, Submission, submit
from schakel.intake.vault import Sealer
from tests.fakes.intake import FakeIntakeUnitOfWork

SEALER = Sealer(os.urandom(32))
PERSON = {"name": "Mevrouw Bakker", "phone": "030 765 4321", "postcode": "3563 CD"}


def submission(key: str | None = None, fingerprint: str = "fp") -> Submission:
    intake = Intake(
        channel=Channel.WEBFORMULIER,
        signaler_role=SignalerRole.FIETSKOERIER,
        signaler_organisation=None,
        postcode="3563 CD",
        received_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        observations=(Observation.NIET_GESPROKEN,),
        consent_to_contact=True,
    )
    idem = Idempotency(key, fingerprint) if key else None
    return Submission(intake, PERSON, "klonk hees", "corr-1", idem)


def respond(accepted: Accepted) -> dict[str, Any]:
    return {"receipt": accepted.receipt, "referral_id": accepted.referral_id}


async def test_a_signal_is_kept_sealed_and_announced_once() -> None:
    uow = FakeIntakeUnitOfWork()
    answer, new = await submit(uow, SEALER, submission(), respond)
    assert new
    [event] = uow.data.published
    assert event.subject == answer["referral_id"] and event.correlationid == "corr-1"
    pseudonym = event.data.person_pseudonym
    assert SEALER.open(uow.data.persons[pseudonym])["name"] == "Mevrouw Bakker"
    assert uow.data.referrals[answer["referral_id"]].pseudonym == pseudonym
    assert "Bakker" not in event.model_dump_json()


async def test_a_retry_with_its_key_gets_the_first_answer_and_adds_nothing() -> None:
    uow = FakeIntakeUnitOfWork()
    first, new_first = await submit(uow, SEALER, submission("k-1"), respond)
    again, new_again = await submit(uow, SEALER, submission("k-1"), respond)
    assert (new_first, new_again) == (True, False)
    assert again == first
    assert len(uow.data.published) == len(uow.data.referrals) == 1


async def test_the_same_key_with_another_request_is_a_conflict() -> None:
    uow = FakeIntakeUnitOfWork()
    await submit(uow, SEALER, submission("k-1", "fp-a"), respond)
    with pytest.raises(IdempotencyConflict):
        await submit(uow, SEALER, submission("k-1", "fp-b"), respond)
    assert len(uow.data.published) == 1


async def test_a_retry_that_lost_the_race_answers_as_the_winner() -> None:
    """Another attempt with the same key committed between this one's check and its write."""
    winner = {"receipt": "K7QM-4XWD-2P", "referral_id": "ref-winner"}

    class LosesTheRace(FakeIntakeUnitOfWork):
        async def __call__(self, work: Any) -> Any:
            if self.runs == 0:
                self.runs += 1
                self.data.remembered["k-race"] = Remembered("fp", winner)  # the winner commits
                raise KeyAlreadyUsed("k-race")  # so this attempt's write of the key fails
            return await super().__call__(work)

    uow = LosesTheRace()
    answer, new = await submit(uow, SEALER, submission("k-race"), respond)
    assert (answer, new) == (winner, False)
    assert uow.data.published == [] and uow.data.referrals == {}
