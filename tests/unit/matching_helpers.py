"""Builders for matching's helpers and needs, shared by the unit tests and kept small: every
field a test does not name has the value that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from schakel.contracts.vocabulary import Grade, Urgency
from schakel.matching.domain.helpers import Activity, Buddy, HomeCook
from schakel.matching.domain.offers import MaatjeType, Need
from schakel.matching.domain.terms import Location

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LM = Grade.LICHT_TOT_MATIG
# Two real spots in Overvecht and one across town (Vleuten), for distances.
OVERVECHT = Location("3563", 52.1167, 5.1130)
OVERVECHT_NEXT_STREETS = Location("3563", 52.1190, 5.1150)
NOORDOOST = Location("3571", 52.1018, 5.1305)
VLEUTEN = Location("3451", 52.1050, 5.0120)


def buddy(helper_id: str, **fields: Any) -> Buddy:
    defaults: dict[str, Any] = {
        "organisation": "handje-helpen",
        "location": OVERVECHT,
        "capacity": 1,
        "buddy_type": MaatjeType.BEZOEKMAATJE,
    }
    return Buddy(helper_id=helper_id, **(defaults | fields))


def cook(helper_id: str, **fields: Any) -> HomeCook:
    defaults: dict[str, Any] = {
        "organisation": "thuisgekookt",
        "location": OVERVECHT,
        "capacity": 1,
    }
    return HomeCook(helper_id=helper_id, **(defaults | fields))


def activity(helper_id: str, **fields: Any) -> Activity:
    defaults: dict[str, Any] = {
        "organisation": "dock",
        "location": OVERVECHT,
        "capacity": 10,
        "title": helper_id,
        "serves": frozenset(Grade),
        "activity_district": "overvecht",
    }
    return Activity(helper_id=helper_id, **(defaults | fields))


def need(**fields: Any) -> Need:
    defaults: dict[str, Any] = {
        "grade": LM,
        "urgency": Urgency.ROUTINE,
        "district": "overvecht",
        "consent_to_contact": True,
        "location": OVERVECHT,
        "waiting_since": NOW,
    }
    return Need(**(defaults | fields))


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)
