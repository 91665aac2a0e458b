"""Triage's DecisionStore in memory."""

from __future__ import annotations

from schakel.triage.adapters import AlreadyDecided, facts_of_doc, facts_to_doc
from schakel.triage.domain import Decision, Facts


class FakeDecisions:
    def __init__(self) -> None:
        self.saved: dict[str, Decision] = {}
        self.known: dict[str, Facts] = {}

    async def add(
        self, referral_id: str, decision: Decision, event_id: str, facts: Facts | None = None
    ) -> None:
        if referral_id in self.saved:
            raise AlreadyDecided(referral_id)
        self.saved[referral_id] = decision
        if facts is not None:
            self.known[referral_id] = facts_of_doc(facts_to_doc(facts))

    async def decided(self, referral_id: str) -> Decision | None:
        return self.saved.get(referral_id)

    async def facts(self, referral_id: str) -> Facts | None:
        return self.known.get(referral_id)

    async def revise(self, referral_id: str, decision: Decision, facts: Facts) -> None:
        self.saved[referral_id] = decision
        self.known[referral_id] = facts_of_doc(facts_to_doc(facts))
