"""Follow-up's ports in memory, kept to what the MongoDB adapters do by
``tests/integration/test_followup_adapters.py``: each value makes the same round trip
through the adapters' codec."""

from __future__ import annotations

from dataclasses import dataclass, field

from schakel.followup.adapters import (
    Remembered,
    StaleReferral,
    log_from_docs,
    log_to_docs,
    state_from_doc,
    state_to_doc,
)
from schakel.followup.domain.log import LogEntry
from schakel.followup.domain.state import Referral


@dataclass
class FakeReferrals:
    docs: dict[str, Referral] = field(default_factory=dict)
    logs: dict[str, list[LogEntry]] = field(default_factory=dict)

    async def get(self, referral_id: str) -> Referral | None:
        return self.docs.get(referral_id)

    async def log(self, referral_id: str) -> list[LogEntry]:
        return list(self.logs.get(referral_id, []))

    async def save(self, state: Referral, read_version: int, entries: list[LogEntry]) -> None:
        stored = self.docs.get(state.referral_id)
        if (stored.version if stored else 0) != read_version:
            raise StaleReferral(state.referral_id)
        self.docs[state.referral_id] = state_from_doc(state_to_doc(state))
        kept = log_from_docs(log_to_docs(entries))
        self.logs[state.referral_id] = [*self.logs.get(state.referral_id, []), *kept]


@dataclass
class FakeIdempotency:
    answers: dict[str, Remembered] = field(default_factory=dict)

    async def remembered(self, key: str) -> Remembered | None:
        return self.answers.get(key)

    async def remember(self, key: str, answer: Remembered) -> None:
        if key in self.answers:
            raise KeyError(key)
        self.answers[key] = answer
