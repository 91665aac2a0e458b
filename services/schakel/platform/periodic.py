"""A background step run every so many seconds until the process stops (a ``Worker`` of the
service runtime); a failing step is logged and tried again at the next round."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo.errors import PyMongoError

from schakel.platform.logging import get_logger

log = get_logger(__name__)


class Periodic:
    def __init__(self, name: str, step: Callable[[], Awaitable[Any]], every_seconds: float):
        self._name = name
        self._step = step
        self._every = every_seconds
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        """Stop after the step in hand, and run it once more: what was due is not left."""
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._every)
            try:
                await self._step()
            except PyMongoError as exc:  # an outage: the next round tries again
                log.warning("background step failed, retrying", task=self._name, error=str(exc))
            except Exception:
                log.exception("background step failed", task=self._name)
