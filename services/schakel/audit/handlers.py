"""Audit's handlers: one for every event of the referral and the helper topic (archive it as
written) and the archive's queries."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from schakel.audit.adapters import ArchiveReader, ChainStore, MongoChain
from schakel.audit.domain.access import (
    Reader,
    ReadOutcome,
    archive_read,
    may_see_timeline,
    sees_person_handles,
)
from schakel.audit.domain.chain import (
    ArchiveEntry,
    ChainVerifier,
    VerifyReport,
    append,
    written_event,
)
from schakel.audit.domain.checkpoints import CheckpointCheck
from schakel.audit.domain.roots import RootVerifier
from schakel.audit.views import Correlation, Timeline, correlation, read_view, timeline
from schakel.contracts.receipts import receipt_hash
from schakel.contracts.topics import HELPER_EVENTS
from schakel.platform.consumer import Delivery
from schakel.platform.mongo import Transaction


async def archive(delivery: Delivery, chain: ChainStore) -> ArchiveEntry:
    written = written_event(
        delivery.event,
        topic=delivery.topic,
        partition=delivery.partition,
        offset=delivery.offset,
        key=delivery.key,
        headers=delivery.headers,
    )
    head = await chain.head(written.chain)
    entry = append(head, written)
    await chain.append(entry, after=head)
    return entry


async def on_every_record(delivery: Delivery, tx: Transaction) -> None:
    """Every schakel event is archived as written: not upcast, and also when its type or
    version is newer than this build knows (a producer deployed first), so history stays whole."""
    await archive(delivery, MongoChain(tx))


async def read_timeline(
    archive: ArchiveReader, reader: Reader, referral_id: str, at: datetime
) -> Timeline | None:
    """The referral's timeline, or None when it is unknown or not this principal's to see.
    Every attempt is recorded, shown or not, before anything is returned."""
    entries = await archive.by_referral(referral_id)
    shown = bool(entries) and may_see_timeline(reader, entries)
    outcome: ReadOutcome = "shown" if shown else ("denied" if entries else "unknown")
    await archive.record_read(archive_read("timeline", referral_id, reader, outcome, at))
    if not shown:
        return None
    found = timeline(referral_id, entries, with_person_handles=sees_person_handles(reader, entries))
    if not reader.auditor:
        return found
    # Auditors also see who asked for this timeline (reads are audited), this read included.
    reads = [read_view(r) for r in await archive.timeline_reads(referral_id)]
    return replace(found, reads=reads)


async def read_correlation(
    archive: ArchiveReader, reader: Reader, correlation_id: str, at: datetime
) -> Correlation | None:
    """For auditors only (the caller checks the role); None when nothing shares the id."""
    entries = await archive.by_correlation(correlation_id)
    outcome: ReadOutcome = "shown" if entries else "unknown"
    await archive.record_read(archive_read("correlation", correlation_id, reader, outcome, at))
    return correlation(correlation_id, entries) if entries else None


@dataclass(frozen=True)
class Found:
    """The referrals a text an auditor typed names, and what it matched as."""

    matched: Literal["referral", "correlation", "receipt"]
    referral_ids: list[str]


async def find_referrals(archive: ArchiveReader, text: str) -> Found | None:
    """A referral id, a correlation id (every referral one signal became) or a receipt code
    (matched by its hash, as the archive holds it); None when it names nothing archived."""
    if await archive.by_referral(text):
        return Found("referral", [text])
    if referrals := _referrals(await archive.by_correlation(text)):
        return Found("correlation", referrals)
    if referrals := _referrals(await archive.by_receipt_hash(receipt_hash(text))):
        return Found("receipt", referrals)
    return None


def _referrals(entries: list[ArchiveEntry]) -> list[str]:
    """The referrals the entries are about, in order; a helper's change (its subject a helper
    id) caused by the same request names no referral."""
    return list(dict.fromkeys(e.event.subject for e in entries if e.event.topic != HELPER_EVENTS))


@dataclass(frozen=True)
class ArchiveCheck:
    """``report``: the first break found (its ``chain`` names the partition's chain, or
    ``roots``), else intact with ``checked`` the entries of every chain; ``chains`` and
    ``roots``: each chain's and the head records' own report."""

    report: VerifyReport
    archived: int  # documents in the archive, counted after the scan
    head_seq: int | None  # the last head record (root) found intact
    seconds: float
    chains: list[VerifyReport]
    roots: VerifyReport


async def verify_archive(
    archive: ArchiveReader, checkpoints: CheckpointCheck | None = None
) -> ArchiveCheck:
    """Stream the head records, then every chain in seq order, each stopping at a break: every
    chain is checked against its head document and against what the roots name of it; each
    intact root also goes to ``checkpoints``, which then holds their results."""
    started = time.perf_counter()
    roots = RootVerifier()
    async for root in archive.roots():
        if not roots.feed(root):
            break
        if checkpoints is not None:
            checkpoints.feed(root.head)
    heads = await archive.heads()  # read after the roots: never behind what they name
    chains = []
    for name in sorted(set(await archive.chains()) | set(roots.named)):
        verifier = ChainVerifier(heads.get(name), chain=name, named=roots.named.get(name))
        async for entry in archive.in_chain(name):
            if not verifier.feed(entry):
                break
        chains.append(verifier.report())
    root_report = roots.report()
    last = roots.last
    return ArchiveCheck(
        overall(chains, root_report),
        await archive.count(),
        last.seq if last else None,
        round(time.perf_counter() - started, 6),
        chains,
        root_report,
    )


def overall(chains: list[VerifyReport], roots: VerifyReport) -> VerifyReport:
    """The first break (the roots' before a chain's: what they name is then in doubt), else
    intact over every entry."""
    broken = ([] if roots.intact else [roots]) + [r for r in chains if not r.intact]
    if broken:
        return broken[0]
    return VerifyReport(True, sum(r.checked for r in chains), roots.last_seq)
