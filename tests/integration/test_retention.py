"""State that would only grow expires: a service's start-up leaves TTL indexes with the periods
of its settings on the processed-event markers and on intake's idempotency keys, and a changed
setting changes the period at the next start. (Expiry itself is the server's; not waited for.)"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from schakel.intake.adapters import IDEMPOTENCY
from schakel.intake.app import IntakeSettings, build
from schakel.platform.mongo import PROCESSED

pytestmark = pytest.mark.integration
DAY = 24 * 3600


def expiries(indexes: dict[str, Any], field: str) -> list[int]:
    """The expireAfterSeconds of every index on ``field`` alone."""
    return [
        index["expireAfterSeconds"]
        for index in indexes.values()
        if [name for name, _ in index["key"]] == [field] and "expireAfterSeconds" in index
    ]


async def test_start_up_sets_the_configured_expiry_and_a_new_setting_replaces_it(
    kafka_bootstrap_servers: str, mongodb_uri: str
) -> None:
    database = f"test_retention_{uuid.uuid4().hex[:8]}"

    async def start(markers_days: float, keys_days: float) -> tuple[list[int], list[int]]:
        config = IntakeSettings(
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            mongodb_uri=mongodb_uri,
            mongodb_database=database,
            processed_events_retention_days=markers_days,
            idempotency_key_retention_days=keys_days,
        )
        app = build(config)
        async with app.router.lifespan_context(app):
            db = app.state.runtime.store.db
            markers = expiries(await db[PROCESSED].index_information(), "applied_at")
            keys = expiries(await db[IDEMPOTENCY].index_information(), "created_at")
            if markers_days == 60:  # the last start: clean up
                await app.state.runtime.store.client.drop_database(database)
        return markers, keys

    assert await start(45, 3) == ([45 * DAY], [3 * DAY])
    assert await start(60, 0.5) == ([60 * DAY], [DAY // 2])
