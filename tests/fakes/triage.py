"""Triage's DecisionStore in memory."""

from __future__ import annotations

from schakel.triage.adapters import AlreadyDecided
from schakel.triage.domain import Decision


class FakeDecisions:
    def __init__(self) -> None:
        self.saved: dict[str, Decision] = {}

    async def add(self, referral_id: str, decision: Decision, event_id: str) -> None:
        if referral_id in self.saved:
            raise AlreadyDecided(referral_id)
        self.saved[referral_id] = decision

    async def decided(self, referral_id: str) -> Decision | None:
        return self.saved.get(referral_id)
