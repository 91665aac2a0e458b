"""The head records across the archive's chains ("roots"), pure Python.

Each partition has its own chain (``domain.chain``), so no entry depends on another
partition's. What ties the chains together is a chain of its own: now and then the audit
writes a root naming every chain's head (seq and hash) and the hash of the root before it.
A root vouches for every entry up to the seqs it names (each entry's hash covers the ones
before it in its chain), and the signed checkpoints sign roots, so one checkpoint covers every
partition. Verify checks each chain against what the roots say of it: an entry removed,
changed or reordered before a root breaks its chain or disagrees with the root, and a chain's
tail cut off together with its head document is still named by the root.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from schakel.audit.domain.chain import (
    GENESIS_HASH,
    ChainHead,
    Named,
    VerifyReport,
    canonical_json,
)

ROOTS = "roots"  # the name verify gives the chain of roots
PURPOSE = "schakel-audit-root/v1"  # hashed too: a root's hash is never an entry's


@dataclass(frozen=True)
class Root:
    seq: int
    prev_hash: str
    heads: Mapping[str, ChainHead]  # chain: its head when the root was written
    hash: str

    @property
    def head(self) -> ChainHead:
        """What a checkpoint signs."""
        return ChainHead(self.seq, self.hash)


def root_hash(seq: int, prev_hash: str, heads: Mapping[str, ChainHead]) -> str:
    hashed = {
        "purpose": PURPOSE,
        "seq": seq,
        "prev_hash": prev_hash,
        "heads": [{"chain": c, "seq": h.seq, "hash": h.hash} for c, h in sorted(heads.items())],
    }
    return hashlib.sha256(canonical_json(hashed)).hexdigest()


class HeadBehind(ValueError):
    """A chain's head is behind what the last root names: entries were lost or removed."""


def next_root(last: Root | None, heads: Mapping[str, ChainHead]) -> Root | None:
    """The root after ``last`` naming ``heads`` (chains not among them keep the head ``last``
    names); None when no chain moved. Raises HeadBehind rather than vouch for a shorter chain."""
    before = dict(last.heads) if last else {}
    for chain, head in heads.items():
        known = before.get(chain)
        if known is not None and head.seq < known.seq:
            raise HeadBehind(
                f"{chain} is at {head.seq}, root {last and last.seq} named {known.seq}"
            )
    merged = before | dict(heads)
    if not merged or merged == before:
        return None
    seq = last.seq + 1 if last else 1
    prev_hash = last.hash if last else GENESIS_HASH
    return Root(seq, prev_hash, merged, root_hash(seq, prev_hash, merged))


class RootVerifier:
    """Checks the roots fed in seq order: each follows the one before it, its hash holds, and
    no chain's head goes back or disappears. Keeps, per chain, the (seq: hash) the roots name,
    each once (a chain that did not move is named again with the same head), for the chains'
    verifiers."""

    def __init__(self) -> None:
        self._last: Root | None = None
        self._checked = 0
        self._broken: tuple[int, str] | None = None
        self.named: dict[str, dict[int, Named]] = {}

    @property
    def last(self) -> Root | None:
        """The last root found intact."""
        return self._last

    def feed(self, root: Root) -> bool:
        """False once the chain of roots is broken."""
        if self._broken is not None:
            return False
        self._checked += 1
        problem = self._problem(root)
        if problem is not None:
            self._broken = root.seq if problem[0] is None else problem[0], problem[1]
            return False
        for chain, head in root.heads.items():
            self.named.setdefault(chain, {}).setdefault(head.seq, Named(head.hash, root.seq))
        self._last = root
        return True

    def _problem(self, root: Root) -> tuple[int | None, str] | None:
        last = self._last
        expected = last.seq + 1 if last else 1
        if root.seq != expected:
            return expected, f"head record {expected} is missing (found {root.seq} next)"
        if root.prev_hash != (last.hash if last else GENESIS_HASH):
            return None, "prev_hash does not match the previous head record's hash"
        if root_hash(root.seq, root.prev_hash, root.heads) != root.hash:
            return None, "content does not match its hash"
        for chain, before in (last.heads if last else {}).items():
            now = root.heads.get(chain)
            if now is None:
                return None, f"{chain}, named by the head record before, is not named"
            if now.seq < before.seq or (now.seq == before.seq and now.hash != before.hash):
                return None, f"{chain} went from {before.seq} back to {now.seq} or another hash"
        return None

    def report(self) -> VerifyReport:
        last_seq = self._last.seq if self._last else 0
        if self._broken is None:
            return VerifyReport(True, self._checked, last_seq, chain=ROOTS)
        seq, reason = self._broken
        return VerifyReport(False, self._checked, last_seq, seq, reason, ROOTS)
