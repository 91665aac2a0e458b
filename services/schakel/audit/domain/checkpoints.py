"""Signed checkpoints of the archive's head records, pure Python (Ed25519).

A checkpoint says "head record (root) ``seq`` has hash ``hash``", signed with the audit's
key. An outside party keeps the checkpoints (JSON lines) together with the public key. A
root's hash covers every root before it and the head (seq, hash) of every partition's chain,
and each entry's hash covers every entry before it in its chain: an entry removed, changed or
reordered before a checkpoint's root gives another hash somewhere along that path, even when
whoever changed it recomputed every chain and root after it, which the chains alone cannot
tell.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Literal, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from schakel.audit.domain.chain import ChainHead, VerifyReport, canonical_json

# Signed too: the signature means nothing elsewhere. v1 signed the head of the one chain of
# earlier releases; v2 signs a root (docs/audit.md, "Archives of earlier releases").
PURPOSE = "schakel-audit-checkpoint/v2"
KEY_BYTES = 32


def public_key_text(key: Ed25519PublicKey) -> str:
    """The public key as base64 of its 32 raw bytes: what an outside party keeps."""
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def public_key_of(text: str) -> Ed25519PublicKey:
    """Raises ValueError when ``text`` is not base64 of 32 bytes."""
    raw = base64.b64decode(text.strip(), validate=True)
    if len(raw) != KEY_BYTES:
        raise ValueError(f"an Ed25519 public key is {KEY_BYTES} bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_id(key: Ed25519PublicKey) -> str:
    """A short name of the key (its SHA-256, first 16 hex digits): which key signed."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    signed_at: str  # ISO 8601, UTC
    key_id: str
    signature: str  # base64 of the Ed25519 signature of ``signed_bytes``

    def signed_bytes(self) -> bytes:
        return canonical_json(
            {
                "purpose": PURPOSE,
                "seq": self.seq,
                "hash": self.hash,
                "signed_at": self.signed_at,
                "key_id": self.key_id,
            }
        )

    def to_line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        """Raises ValueError for a line that is not a checkpoint."""
        try:
            fields = json.loads(line)
            return cls(
                seq=int(fields["seq"]),
                hash=str(fields["hash"]),
                signed_at=str(fields["signed_at"]),
                key_id=str(fields["key_id"]),
                signature=str(fields["signature"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a checkpoint: {exc!r}") from exc


def sign(key: Ed25519PrivateKey, head: ChainHead, at: datetime) -> Checkpoint:
    unsigned = Checkpoint(head.seq, head.hash, at.isoformat(), key_id(key.public_key()), "")
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    return Checkpoint(unsigned.seq, unsigned.hash, unsigned.signed_at, unsigned.key_id, signature)


def signature_holds(key: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    try:
        key.verify(base64.b64decode(checkpoint.signature), checkpoint.signed_bytes())
    except (InvalidSignature, ValueError):
        return False
    return True


def due(head: ChainHead | None, last: Checkpoint | None) -> bool:
    """A new checkpoint is due when a root was written since the last one."""
    return head is not None and (last is None or head.seq > last.seq)


class HashChained(Protocol):
    """What a checkpoint is checked against: a root (``Root.head``), or any hash chain's link."""

    @property
    def seq(self) -> int: ...

    @property
    def hash(self) -> str: ...


Outcome = Literal["confirmed", "bad-signature", "differs", "missing", "unconfirmed"]


@dataclass(frozen=True)
class CheckpointResult:
    checkpoint: Checkpoint
    outcome: Outcome
    detail: str

    @property
    def holds(self) -> bool:
        return self.outcome == "confirmed"


class CheckpointCheck:
    """Checks checkpoints against roots fed in seq order (only roots the root verifier found
    intact, as their heads), so the roots are streamed once for their chain and these."""

    def __init__(self, checkpoints: Iterable[Checkpoint], key: Ed25519PublicKey) -> None:
        self._results: list[CheckpointResult] = []
        signed: list[Checkpoint] = []
        for checkpoint in checkpoints:
            if signature_holds(key, checkpoint):
                signed.append(checkpoint)
            else:
                detail = "its signature does not verify with the given public key"
                self._results.append(CheckpointResult(checkpoint, "bad-signature", detail))
        self._pending = sorted(signed, key=lambda c: c.seq)
        self._last_seq = 0

    def feed(self, root: HashChained) -> None:
        self._last_seq = root.seq
        while self._pending and self._pending[0].seq <= root.seq:
            checkpoint = self._pending.pop(0)
            self._results.append(self._against(checkpoint, root))

    @staticmethod
    def _against(checkpoint: Checkpoint, root: HashChained) -> CheckpointResult:
        if checkpoint.seq != root.seq:  # cannot happen in an intact chain: seqs are 1, 2, ...
            return CheckpointResult(checkpoint, "missing", f"no head record {checkpoint.seq}")
        if checkpoint.hash != root.hash:
            detail = (
                f"head record {root.seq} has hash {root.hash[:16]}…, the checkpoint signed "
                f"{checkpoint.hash[:16]}…: a head record or an entry up to it was removed, "
                "changed or reordered"
            )
            return CheckpointResult(checkpoint, "differs", detail)
        return CheckpointResult(checkpoint, "confirmed", "")

    def results(self, roots: VerifyReport) -> list[CheckpointResult]:
        """Every checkpoint's result, in seq order, once the scan of the roots ended."""
        for checkpoint in self._pending:
            if not roots.intact and roots.first_broken_seq is not None:
                detail = f"the head records break at {roots.first_broken_seq}, before it"
                self._results.append(CheckpointResult(checkpoint, "unconfirmed", detail))
            else:
                detail = f"the head records end at {self._last_seq}: head records were removed"
                self._results.append(CheckpointResult(checkpoint, "missing", detail))
        self._pending = []
        return sorted(self._results, key=lambda r: r.checkpoint.seq)
