"""A referral's history as its owner reads it: one entry per event, with who acted, the
status after it and the owner's own note (notes never leave follow-up's database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schakel.contracts.vocabulary import BusinessStatus, TaskStatus


@dataclass(frozen=True)
class LogEntry:
    event_id: str
    type: str  # the event type, e.g. nl.schakel.referral.accepted.v1
    at: datetime
    actor_organisation: str
    actor_role: str
    status: TaskStatus | None
    business_status: BusinessStatus | None
    status_reason: str | None = None
    summary: str | None = None  # what it said, in a few codes (reason, outcome, offer)
    note: str | None = None
