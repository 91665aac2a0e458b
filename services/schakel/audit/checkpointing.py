"""Every audit process signs a checkpoint of the chain head now and then, when the chain grew
since the last one. Two instances may sign the same head: the second insert is refused (the
checkpoint's ``_id`` is its seq), so each seq has one checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from schakel.audit.adapters import MongoArchive, MongoCheckpoints
from schakel.audit.domain.checkpoints import Checkpoint, due, sign
from schakel.platform.logging import get_logger
from schakel.platform.mongo import MongoStore
from schakel.platform.periodic import Periodic

log = get_logger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class CheckpointWriter:
    def __init__(
        self,
        store: MongoStore,
        key: Ed25519PrivateKey,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._archive = MongoArchive(store)
        self._checkpoints = MongoCheckpoints(store)
        self._key = key
        self._clock = clock

    def every(self, seconds: float) -> Periodic:
        """The writer as a worker of the audit process."""
        return Periodic("audit-checkpoints", self.write_once, seconds)

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
