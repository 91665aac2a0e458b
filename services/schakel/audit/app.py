"""Audit's process: consumes every event into the archive; serves timelines and chain checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status

from schakel.audit.adapters import ArchiveReader, MongoArchive, ensure_indexes
from schakel.audit.domain.access import Reader
from schakel.audit.handlers import (
    ArchiveCheck,
    on_every_record,
    read_correlation,
    read_timeline,
    verify_archive,
)
from schakel.audit.views import Correlation, Timeline
from schakel.platform.auth import Authenticated, Principal, Role, require_role
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings

router = APIRouter(prefix="/api/v1", tags=["audit"])


def _archive(request: Request) -> ArchiveReader:
    runtime: ServiceRuntime = request.app.state.runtime
    return MongoArchive(runtime.store)


Archive = Annotated[ArchiveReader, Depends(_archive)]


def reader_of(principal: Principal) -> Reader:
    return Reader(
        username=principal.username,
        organisation=principal.organisation,
        roles=tuple(sorted(principal.roles)),
        auditor=principal.has(Role.AUDITOR),
    )


@router.get("/referrals/{referral_id}/timeline", response_model=Timeline)
async def get_timeline(referral_id: str, principal: Authenticated, archive: Archive) -> Timeline:
    """Every event of one referral, as written, in archive order. 404 both when the referral
    is unknown and when it is not the caller's: existence is not revealed."""
    found = await read_timeline(archive, reader_of(principal), referral_id, datetime.now(UTC))
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such referral")
    return found


@router.get("/audit/verify", response_model=ArchiveCheck)
async def get_verify(principal: Authenticated, archive: Archive) -> ArchiveCheck:
    """Recompute the whole hash chain; names the first broken entry (auditors only)."""
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


class AuditSettings(ServiceSettings):
    service_name: str = "audit"
    http_port: int = 8085


def settings() -> ServiceSettings:
    return AuditSettings()


def build(config: ServiceSettings | None = None) -> FastAPI:
    config = config or settings()
    runtime = ServiceRuntime(config, every_record=on_every_record, on_start=ensure_indexes)
    return runtime.app("schakel audit", [router])
