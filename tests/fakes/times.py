"""Times as MongoDB gives them back, for fakes that must not drift from the adapters."""

from __future__ import annotations

from datetime import UTC, datetime


def bson_time(time: datetime) -> datetime:
    """BSON dates are milliseconds in UTC (pymongo with ``tz_aware=True``)."""
    utc = time.replace(tzinfo=UTC) if time.tzinfo is None else time.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)
