"""Event payloads with sensible defaults, for tests that need one and care about a few fields."""

from __future__ import annotations

from typing import Any

from schakel.contracts.events import FiredRule, ReferralTriaged
from schakel.contracts.vocabulary import Grade, Route, Urgency


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
