"""Verifying the archive from outside: against checkpoints an outside party kept (JSON lines)
and the public key it kept with them; exporting the checkpoints and the public key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from schakel.audit.adapters import MongoArchive, MongoCheckpoints
from schakel.audit.domain.checkpoints import Checkpoint, CheckpointCheck, CheckpointResult
from schakel.audit.domain.roots import ROOTS
from schakel.audit.handlers import ArchiveCheck, verify_archive
from schakel.platform.mongo import MongoStore


def read_checkpoints(lines: Iterable[str]) -> list[Checkpoint]:
    """Raises ValueError naming the line that is not a checkpoint."""
    found = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            try:
                found.append(Checkpoint.from_line(line))
            except ValueError as exc:
                raise ValueError(f"line {number}: {exc}") from exc
    return found


async def stored_checkpoints(store: MongoStore) -> list[Checkpoint]:
    return [c async for c in MongoCheckpoints(store).in_order()]


async def export(store: MongoStore, out: TextIO) -> int:
    """Every stored checkpoint as a JSON line, in seq order; how many."""
    count = 0
    async for checkpoint in MongoCheckpoints(store).in_order():
        print(checkpoint.to_line(), file=out)
        count += 1
    return count


def _chain_lines(check: ArchiveCheck) -> list[str]:
    """One line per chain, the roots' last."""
    lines = []
    for report in [*check.chains, check.roots]:
        what = "head records" if report.chain == ROOTS else f"chain {report.chain}"
        if report.intact:
            lines.append(f"{what}: intact, {report.checked} checked")
        else:
            lines.append(f"{what}: BROKEN at {report.first_broken_seq}: {report.reason}")
    verdict = "intact" if check.report.intact else "BROKEN"
    entries = sum(r.checked for r in check.chains)
    lines.append(
        f"archive: {verdict}, {entries} entries in {len(check.chains)} chains and "
        f"{check.roots.checked} head records checked in {check.seconds:.1f} s"
    )
    return lines


def _result_line(result: CheckpointResult) -> str:
    c = result.checkpoint
    what = f"checkpoint of head record {c.seq} (signed {c.signed_at}, key {c.key_id})"
    if result.holds:
        return f"{what}: confirmed"
    return f"{what}: {result.outcome.upper()}: {result.detail}"


async def verify(
    store: MongoStore, checkpoints: list[Checkpoint], key: Ed25519PublicKey, out: TextIO
) -> int:
    """Check every chain, the head records and each checkpoint; 0 when everything holds."""
    check = CheckpointCheck(checkpoints, key)
    archived = await verify_archive(MongoArchive(store), check)
    results = check.results(archived.roots)
    for line in _chain_lines(archived):
        print(line, file=out)
    for result in results:
        print(_result_line(result), file=out)
    failing = sum(not r.holds for r in results)
    print(f"verify: {len(results) - failing} of {len(results)} checkpoints confirmed", file=out)
    return 0 if archived.report.intact and not failing else 1
