"""Event payloads with sensible defaults, for tests that need one and care about a few fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from schakel.contracts.events import FiredRule, ReferralTriaged
from schakel.contracts.lifecycle import Actor, LifecycleEvent
from schakel.contracts.vocabulary import (
    ActorRole,
    BusinessStatus,
    Grade,
    Route,
    TaskStatus,
    Urgency,
)


def triaged(referral_id: str, **fields: Any) -> ReferralTriaged:
    """A *triaged* (newest version) routed to Overvecht's social brokers unless told otherwise."""
    defaults: dict[str, Any] = {
        "grade": Grade.LICHT_TOT_MATIG,
        "urgency": Urgency.ROUTINE,
        "route": Route.SOCIAAL_MAKELAAR,
        "owner_organisation": "sociaal-makelaars-overvecht",
        "owner_name": "Sociaal makelaars Overvecht",
        "district": "overvecht",
        "district_name": "Overvecht",
        "rules_fired": [FiredRule(rule_id="test-rule", reason="a reason")],
        "rule_set_version": "test",
    }
    return ReferralTriaged(referral_id=referral_id, **{**defaults, **fields})


LifecycleT = TypeVar("LifecycleT", bound=LifecycleEvent)
OWNER = "sociaal-makelaars-overvecht"


def followed_up(
    cls: type[LifecycleT],
    referral_id: str,
    status: TaskStatus,
    business: BusinessStatus | None = None,
    *,
    status_reason: str | None = None,
    owner: str = OWNER,
    actor: Actor | None = None,
    at: datetime | None = None,
    **facts: Any,
) -> LifecycleT:
    """A follow-up event as followup writes it: acted by the owner's social broker unless
    told otherwise, leaving ``status`` / ``business``."""
    return cls(
        referral_id=referral_id,
        actor=actor or Actor(organisation=owner, role=ActorRole.SOCIAAL_MAKELAAR),
        status=status,
        status_reason=status_reason,
        business_status=business,
        owner_organisation=owner,
        occurred_at=at or datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        **facts,
    )
