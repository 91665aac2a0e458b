"""Feedback's ``ReferralStore`` in memory, kept to what ``MongoReferrals`` does by
``tests/integration/test_feedback_adapters.py``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from schakel.feedback.adapters import lifecycle_from_doc, lifecycle_to_doc
from schakel.feedback.domain import ReferralState
from tests.fakes.times import bson_time


@dataclass
class FakeReferrals:
    states: dict[str, ReferralState] = field(default_factory=dict)
    saves: int = 0

    async def get(self, referral_id: str) -> ReferralState | None:
        return self.states.get(referral_id)

    async def save(self, state: ReferralState) -> None:
        self.states[state.referral_id] = as_bson_keeps_it(state)
        self.saves += 1


def as_bson_keeps_it(state: ReferralState) -> ReferralState:
    """Times as MongoDB gives them back: BSON dates are milliseconds in UTC."""
    return replace(
        state,
        signaler_status_since=bson_time(state.signaler_status_since),
        updated_at=bson_time(state.updated_at),
        received_at=None if state.received_at is None else bson_time(state.received_at),
        history=tuple(replace(h, time=bson_time(h.time)) for h in state.history),
        lifecycle=lifecycle_from_doc(lifecycle_to_doc(state.lifecycle)),
    )
