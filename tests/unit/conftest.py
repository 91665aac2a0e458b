"""Fixtures shared by the unit tests."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Back-off pauses (``asyncio.sleep`` with a time) recorded instead of waited; every other
    task still gets its turn. A test's own zero-second yields are not recorded."""
    waited: list[float] = []
    pause = asyncio.sleep

    async def sleep(seconds: float) -> None:
        if seconds:
            waited.append(seconds)
        await pause(0)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return waited
