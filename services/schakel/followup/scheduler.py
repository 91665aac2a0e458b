"""The deadline scheduler: a loop in every followup process that fires the deadline levels
that are due, each in its own transaction (claim "pending" → "fired", the DeadlinePassed
event in the outbox, the next level waiting). A level claimed by another instance, or
cancelled by an owner's action meanwhile, is left alone, so each fires exactly once across
restarts and instances; one that was due while no instance ran fires at the next pass."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

from pymongo.errors import PyMongoError

from schakel.followup.adapters import StaleReferral, due_deadlines
from schakel.followup.handlers import Ports, Setup, fire
from schakel.platform.logging import get_logger
from schakel.platform.mongo import MongoStore, Transaction

log = get_logger(__name__)
BATCH = 50


class DeadlineScheduler:
    def __init__(
        self,
        store: MongoStore,
        setup: Setup,
        clock: Callable[[], datetime],
        poll_seconds: float = 5.0,
    ) -> None:
        self._store = store
        self._setup = setup
        self._clock = clock
        self._poll = poll_seconds
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="deadline-scheduler")

    async def stop(self) -> None:
        """Stop after the current transaction (what is left fires at the next start)."""
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                fired = await self.fire_due()
            except PyMongoError as exc:  # an outage: the next pass tries again
                log.warning("deadline pass failed, retrying", error=str(exc))
                fired = 0
            except Exception:
                log.exception("deadline pass failed")
                fired = 0
            if fired < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._poll)

    async def fire_due(self) -> int:
        """One pass: fire every level due now (at most BATCH); how many fired."""
        now = self._clock()
        fired = 0
        for deadline_id in await due_deadlines(self._store, now, BATCH):
            if self._stopping.is_set():
                break
            if await self._fire_one(deadline_id, now):
                fired += 1
        return fired

    async def _fire_one(self, deadline_id: str, now: datetime) -> bool:
        async def work(tx: Transaction) -> bool:
            return await fire(deadline_id, Ports.of(tx, self._setup), self._setup, now, tx.emit)

        try:
            return await self._store.transaction(work)
        except StaleReferral:  # an owner acted meanwhile: decided again at the next pass
            return False
