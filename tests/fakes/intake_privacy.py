"""Intake's privacy port in memory, over the same ``IntakeData`` as the signalling fake, kept
to what ``MongoPrivacyRecords`` does by ``tests/integration/test_intake_privacy_adapters.py``."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from schakel.contracts.envelope import EventEnvelope
from schakel.intake.adapters import ReferralRecord
from schakel.intake.privacy_store import Erasure, PrivacyRecords, TimelineEntry
from schakel.intake.vault import SealedPerson
from tests.fakes.intake import FakeIntakeRecords, IntakeData
from tests.fakes.times import bson_time

T = TypeVar("T")


@dataclass
class PrivacyData:
    intake: IntakeData = field(default_factory=IntakeData)
    owners: dict[str, str] = field(default_factory=dict)
    timelines: dict[str, list[TimelineEntry]] = field(default_factory=dict)
    erasures: dict[str, Erasure] = field(default_factory=dict)


class FakePrivacyRecords:
    def __init__(self, data: PrivacyData) -> None:
        self.data = data
        self._intake = FakeIntakeRecords(data.intake)
        self.emitted = self._intake.emitted

    async def referral(self, referral_id: str) -> ReferralRecord | None:
        return await self._intake.referral(referral_id)

    async def referrals_of(self, pseudonym: str) -> list[ReferralRecord]:
        found = [r for r in self.data.intake.referrals.values() if r.pseudonym == pseudonym]
        return sorted(found, key=lambda r: (r.received_at, r.referral_id))

    async def sealed_person(self, pseudonym: str) -> SealedPerson | None:
        return await self._intake.sealed_person(pseudonym)

    async def shred_person(self, pseudonym: str) -> bool:
        return await self._intake.shred_person(pseudonym)

    async def joined(self, referral_ids: list[str]) -> list[str]:
        return await self._intake.joined(referral_ids)

    async def owner(self, referral_id: str) -> str | None:
        return self.data.owners.get(referral_id)

    async def track(self, referral_id: str, entry: TimelineEntry, owner: str | None) -> None:
        kept = replace(entry, at=bson_time(entry.at))
        self.data.timelines.setdefault(referral_id, []).append(kept)
        if owner is not None:
            self.data.owners[referral_id] = owner

    async def timeline(self, referral_id: str) -> list[TimelineEntry]:
        return list(self.data.timelines.get(referral_id, []))

    async def erasure(self, pseudonym: str) -> Erasure | None:
        return self.data.erasures.get(pseudonym)

    async def record_erasure(self, erasure: Erasure) -> None:
        if erasure.pseudonym in self.data.erasures:
            raise ValueError(f"duplicate erasure {erasure.pseudonym}")
        self.data.erasures[erasure.pseudonym] = replace(
            erasure, erased_at=bson_time(erasure.erased_at)
        )

    def emit(self, event: EventEnvelope[Any]) -> None:
        self._intake.emit(event)


class FakePrivacyUnitOfWork:
    """Runs the work on a copy and keeps it only when the work succeeds."""

    def __init__(self, data: PrivacyData | None = None) -> None:
        self.data = data or PrivacyData()

    async def __call__(self, work: Callable[[PrivacyRecords], Awaitable[T]]) -> T:
        staged = copy.deepcopy(self.data)
        records = FakePrivacyRecords(staged)
        result = await work(records)
        staged.intake.published.extend(records.emitted)
        self.data.__dict__.update(staged.__dict__)
        return result
