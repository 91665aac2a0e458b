"""Intake's storage port in memory, kept to what ``MongoIntakeRecords`` does by
``tests/integration/test_intake_adapters.py``; the unit of work commits all or nothing, as a
MongoDB transaction does."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from schakel.contracts.envelope import EventEnvelope
from schakel.intake.adapters import IntakeRecords, KeyAlreadyUsed, ReferralRecord, Remembered
from schakel.intake.keys import ApiKey
from schakel.intake.person_index import IndexEntry
from schakel.intake.vault import SealedPerson
from tests.fakes.intake_index import FakePersonIndex
from tests.fakes.times import bson_time

T = TypeVar("T")


@dataclass
class IntakeData:
    """Everything intake keeps, and the events that were published (committed)."""

    remembered: dict[str, Remembered] = field(default_factory=dict)
    referrals: dict[str, ReferralRecord] = field(default_factory=dict)
    persons: dict[str, SealedPerson] = field(default_factory=dict)
    person_keys: set[str] = field(default_factory=set)
    api_keys: dict[str, ApiKey] = field(default_factory=dict)
    published: list[EventEnvelope[Any]] = field(default_factory=list)
    person_index: dict[str, IndexEntry] = field(default_factory=dict)
    joined: dict[str, str] = field(default_factory=dict)  # signal id -> referral it joined


class FakeIntakeRecords(FakePersonIndex):
    def __init__(self, data: IntakeData) -> None:
        self.data = data
        self.person_index = data.person_index
        self.emitted: list[EventEnvelope[Any]] = []

    async def remembered(self, key_id: str) -> Remembered | None:
        found = self.data.remembered.get(key_id)
        return None if found is None else copy.deepcopy(found)

    async def remember(self, key_id: str, remembered: Remembered) -> None:
        if key_id in self.data.remembered:
            raise KeyAlreadyUsed(key_id)
        self.data.remembered[key_id] = copy.deepcopy(remembered)

    async def add_referral(self, referral: ReferralRecord) -> None:
        if referral.referral_id in self.data.referrals:
            raise ValueError(f"duplicate referral {referral.referral_id}")
        self.data.referrals[referral.referral_id] = replace(
            referral, received_at=bson_time(referral.received_at)
        )

    async def referral(self, referral_id: str) -> ReferralRecord | None:
        return self.data.referrals.get(referral_id)

    async def keep_person(self, person: SealedPerson) -> None:
        self.data.persons[person.pseudonym] = replace(person, sealed_at=bson_time(person.sealed_at))
        self.data.person_keys.add(person.pseudonym)

    async def sealed_person(self, pseudonym: str) -> SealedPerson | None:
        if pseudonym not in self.data.person_keys:
            return None
        return self.data.persons.get(pseudonym)

    async def join(self, signal_id: str, referral_id: str) -> None:
        if signal_id in self.data.referrals:
            self.data.joined[signal_id] = referral_id

    async def joined(self, referral_ids: list[str]) -> list[str]:
        signals = sorted(s for s, r in self.data.joined.items() if r in referral_ids)
        return [self.data.referrals[s].pseudonym for s in signals]

    async def shred_person(self, pseudonym: str) -> bool:
        had_key = pseudonym in self.data.person_keys
        self.data.person_keys.discard(pseudonym)
        self.data.persons.pop(pseudonym, None)
        for entry_id, entry in list(self.person_index.items()):
            if entry.pseudonym == pseudonym:
                del self.person_index[entry_id]
        return had_key

    async def add_api_key(self, key: ApiKey) -> None:
        if key.key_id in self.data.api_keys:
            raise ValueError(f"duplicate key id {key.key_id}")
        self.data.api_keys[key.key_id] = replace(key, created_at=bson_time(key.created_at))

    async def api_key(self, key_id: str) -> ApiKey | None:
        return self.data.api_keys.get(key_id)

    async def api_keys(self) -> list[ApiKey]:
        return sorted(self.data.api_keys.values(), key=lambda k: (k.created_at, k.key_id))

    async def revoke_api_key(self, key_id: str, at: datetime, by: str) -> ApiKey | None:
        key = self.data.api_keys.get(key_id)
        if key is not None and not key.revoked:
            key = self.data.api_keys[key_id] = replace(key, revoked_at=bson_time(at), revoked_by=by)
        return key

    def emit(self, event: EventEnvelope[Any]) -> None:
        self.emitted.append(event)


class FakeIntakeUnitOfWork:
    """Runs the work on a copy and keeps it only when the work succeeds."""

    def __init__(self, data: IntakeData | None = None) -> None:
        self.data = data or IntakeData()
        self.runs = 0

    async def __call__(self, work: Callable[[IntakeRecords], Awaitable[T]]) -> T:
        self.runs += 1
        staged = copy.deepcopy(self.data)
        records = FakeIntakeRecords(staged)
        result = await work(records)
        staged.published.extend(records.emitted)
        self.data.__dict__.update(staged.__dict__)
        return result
