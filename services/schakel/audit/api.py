"""Audit's HTTP adapter: a referral's timeline, every event of one signal, and the check of
the archive's hash chain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from schakel.audit.adapters import ArchiveReader, MongoArchive
from schakel.audit.domain.access import Reader
from schakel.audit.handlers import (
    ArchiveCheck,
    Found,
    find_referrals,
    read_correlation,
    read_timeline,
    verify_archive,
)
from schakel.audit.views import Correlation, Timeline
from schakel.platform.auth import Authenticated, Principal, Role, require_role
from schakel.platform.dependencies import Store

router = APIRouter(prefix="/api/v1", tags=["audit"])


def _archive(store: Store) -> ArchiveReader:
    return MongoArchive(store)


Archive = Annotated[ArchiveReader, Depends(_archive)]


def _reader(principal: Authenticated) -> Reader:
    """The authenticated principal, as the audit's access rules know a reader."""
    return reader_of(principal)


def reader_of(principal: Principal) -> Reader:
    return Reader(
        username=principal.username,
        organisation=principal.organisation,
        roles=tuple(sorted(principal.roles)),
        auditor=principal.has(Role.AUDITOR),
    )


AuthenticatedReader = Annotated[Reader, Depends(_reader)]


@router.get("/referrals/{referral_id}/timeline", response_model=Timeline)
async def get_timeline(referral_id: str, reader: AuthenticatedReader, archive: Archive) -> Timeline:
    """Every event of one referral, as written, in archive order. 404 both when the referral
    is unknown and when it is not the caller's: existence is not revealed."""
    found = await read_timeline(archive, reader, referral_id, datetime.now(UTC))
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such referral")
    return found


@router.get("/audit/verify", response_model=ArchiveCheck)
async def get_verify(principal: Authenticated, archive: Archive) -> ArchiveCheck:
    """Recompute every partition's hash chain and the head records across them; names the
    chain and the first broken entry (auditors only)."""
    require_role(principal, Role.AUDITOR)
    return await verify_archive(archive)


@router.get("/audit/correlations/{correlation_id}", response_model=Correlation)
async def get_correlation(
    correlation_id: str, principal: Authenticated, archive: Archive
) -> Correlation:
    """Every event caused by one signal, across referrals (auditors only)."""
    require_role(principal, Role.AUDITOR)
    found = await read_correlation(archive, reader_of(principal), correlation_id, datetime.now(UTC))
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no events with this correlation id")
    return found


@router.get("/audit/search", response_model=Found)
async def get_search(
    principal: Authenticated,
    archive: Archive,
    q: Annotated[str, Query(min_length=1, max_length=128)],
) -> Found:
    """The referrals a referral id, a correlation id or a receipt code names (auditors only);
    404 when it names nothing archived."""
    require_role(principal, Role.AUDITOR)
    found = await find_referrals(archive, q.strip())
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "nothing archived matches")
    return found
