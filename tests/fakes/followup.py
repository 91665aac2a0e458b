"""Follow-up's ports in memory, kept to what the MongoDB adapters do by
``tests/integration/test_followup_adapters.py``: each value makes the same round trip
through the adapters' codec."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from schakel.followup.adapters import (
    CANCELLED,
    FIRED,
    PENDING,
    CodeKind,
    Remembered,
    StaleReferral,
    log_from_docs,
    log_to_docs,
    pending_from_doc,
    pending_to_doc,
    state_from_doc,
    state_to_doc,
)
from schakel.followup.domain.deadlines import Pending
from schakel.followup.domain.log import LogEntry
from schakel.followup.domain.state import Referral
from schakel.followup.notes import NoteSealer
from tests.fakes.times import bson_time

# What the tests seal owners' notes with (the fakes keep them opened, as the views show them).
NOTES = NoteSealer(b"n" * 32)


@dataclass
class FakeReferrals:
    docs: dict[str, Referral] = field(default_factory=dict)
    logs: dict[str, list[LogEntry]] = field(default_factory=dict)

    async def get(self, referral_id: str) -> Referral | None:
        return self.docs.get(referral_id)

    async def by_code(self, code: CodeKind, hashed: str) -> Referral | None:
        return next((r for r in self.docs.values() if getattr(r, code) == hashed), None)

    async def log(self, referral_id: str) -> list[LogEntry]:
        return list(self.logs.get(referral_id, []))

    async def save(self, state: Referral, read_version: int, entries: list[LogEntry]) -> None:
        stored = self.docs.get(state.referral_id)
        if (stored.version if stored else 0) != read_version:
            raise StaleReferral(state.referral_id)
        self.docs[state.referral_id] = state_from_doc(state_to_doc(state))
        kept = log_from_docs(log_to_docs(entries))
        self.logs[state.referral_id] = [*self.logs.get(state.referral_id, []), *kept]

    async def forget_notes(self, referral_id: str) -> int:
        entries = self.logs.get(referral_id, [])
        self.logs[referral_id] = [replace(entry, note=None) for entry in entries]
        return sum(1 for entry in entries if entry.note is not None)


@dataclass
class FakeIdempotency:
    answers: dict[str, Remembered] = field(default_factory=dict)

    async def remembered(self, key: str) -> Remembered | None:
        return self.answers.get(key)

    async def remember(self, key: str, answer: Remembered) -> None:
        if key in self.answers:
            raise KeyError(key)
        self.answers[key] = answer


@dataclass
class FakeDeadlines:
    """Levels of deadlines by id, with their state: pending, fired or cancelled."""

    docs: dict[str, Pending] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)

    async def add(self, pending: Pending) -> None:
        if pending.deadline_id in self.docs:
            raise KeyError(pending.deadline_id)
        kept = pending_from_doc(pending_to_doc(pending))
        self.docs[pending.deadline_id] = replace(
            kept, due_at=bson_time(kept.due_at), deadline_due_at=bson_time(kept.deadline_due_at)
        )
        self.states[pending.deadline_id] = PENDING

    async def cancel_pending(self, referral_id: str) -> None:
        for deadline_id, pending in self.docs.items():
            if pending.referral_id == referral_id and self.states[deadline_id] == PENDING:
                self.states[deadline_id] = CANCELLED

    async def claim(self, deadline_id: str, now: datetime) -> Pending | None:
        pending = self.docs.get(deadline_id)
        if pending is None or self.states[deadline_id] != PENDING or pending.due_at > now:
            return None
        self.states[deadline_id] = FIRED
        return pending

    async def pending_for(self, referral_id: str) -> list[Pending]:
        found = [
            p
            for i, p in self.docs.items()
            if p.referral_id == referral_id and self.states[i] == PENDING
        ]
        return sorted(found, key=lambda p: p.due_at)

    def due(self, now: datetime) -> list[str]:
        """What the scheduler's query finds: pending levels due at ``now``, earliest first."""
        found = [p for i, p in self.docs.items() if self.states[i] == PENDING and p.due_at <= now]
        return [p.deadline_id for p in sorted(found, key=lambda p: p.due_at)]
