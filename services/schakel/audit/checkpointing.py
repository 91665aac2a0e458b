"""A loop in every audit process that signs a checkpoint of the chain head when the chain grew
since the last one. Two instances may sign the same head: the second insert is refused (the
checkpoint's ``_id`` is its seq), so each seq has one checkpoint."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo.errors import PyMongoError

from schakel.audit.adapters import MongoArchive, MongoCheckpoints
from schakel.audit.domain.checkpoints import Checkpoint, due, sign
from schakel.platform.logging import get_logger
from schakel.platform.mongo import MongoStore

log = get_logger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class CheckpointWriter:
    def __init__(
        self,
        store: MongoStore,
        key: Ed25519PrivateKey,
        every_seconds: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._archive = MongoArchive(store)
        self._checkpoints = MongoCheckpoints(store)
        self._key = key
        self._every = every_seconds
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="audit-checkpoints")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._every)
            try:
                await self.write_once()
            except PyMongoError as exc:  # an outage: the next round tries again
                log.warning("checkpoint not written, retrying", error=str(exc))
            except Exception:
                log.exception("checkpoint not written")

    async def write_once(self) -> Checkpoint | None:
        """Sign the chain head if it moved since the last checkpoint; the checkpoint, if one
        was written."""
        head = await self._archive.head()
        if head is None or not due(head, await self._checkpoints.last()):
            return None
        checkpoint = sign(self._key, head, self._clock())
        if not await self._checkpoints.add(checkpoint):
            return None
        log.info("checkpoint signed", seq=checkpoint.seq, key_id=checkpoint.key_id)
        return checkpoint
