"""Every audit process writes a head record (root) across the chains now and then, when a
chain moved since the last one, and signs a checkpoint of the last root less often, when a
root was written since the last checkpoint. Two instances may do either at once: the second
insert is refused (a root's and a checkpoint's ``_id`` is its seq), so each seq has one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from schakel.audit.adapters import MongoArchive, MongoCheckpoints, RootStore
from schakel.audit.domain.checkpoints import Checkpoint, due, sign
from schakel.audit.domain.roots import HeadBehind, Root, next_root
from schakel.platform.logging import get_logger
from schakel.platform.mongo import MongoStore
from schakel.platform.periodic import Periodic

log = get_logger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class RootWriter:
    def __init__(self, roots: RootStore, clock: Callable[[], datetime] = utc_now) -> None:
        self._roots = roots
        self._clock = clock

    def every(self, seconds: float) -> Periodic:
        """The writer as a worker of the audit process."""
        return Periodic("audit-roots", self.write_once, seconds)

    async def write_once(self) -> Root | None:
        """Write the root after the last one if a chain moved; the root, if one was written.
        The last root is read before the heads, so the heads are never behind it unless
        entries were removed, and then no root is written: verify names that chain."""
        last = await self._roots.last_root()
        try:
            root = next_root(last, await self._roots.heads())
        except HeadBehind as exc:
            log.error("chain head behind the last head record", problem=str(exc))
            return None
        if root is None or not await self._roots.add_root(root, self._clock()):
            return None
        return root


class CheckpointWriter:
    def __init__(
        self,
        store: MongoStore,
        key: Ed25519PrivateKey,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._archive = MongoArchive(store)
        self._roots = RootWriter(self._archive, clock)
        self._checkpoints = MongoCheckpoints(store)
        self._key = key
        self._clock = clock

    def every(self, seconds: float) -> Periodic:
        """The writer as a worker of the audit process."""
        return Periodic("audit-checkpoints", self.write_once, seconds)

    async def write_once(self) -> Checkpoint | None:
        """Write a root of the chains' heads now (if one moved), then sign the last root if it
        is newer than the last checkpoint; the checkpoint, if one was written."""
        await self._roots.write_once()
        root = await self._archive.last_root()
        if root is None or not due(root.head, await self._checkpoints.last()):
            return None
        checkpoint = sign(self._key, root.head, self._clock())
        if not await self._checkpoints.add(checkpoint):
            return None
        log.info("checkpoint signed", seq=checkpoint.seq, key_id=checkpoint.key_id)
        return checkpoint
