"""Triage's HTTP adapter: the rule set in force, for anyone who wants to know how signals
are graded."""

from __future__ import annotations

from fastapi import APIRouter

from schakel.triage.domain import DISTRICTS, RULE_SET_VERSION

router = APIRouter(prefix="/api/v1/triage", tags=["triage"])


@router.get("/rules")
async def rules() -> dict[str, object]:
    """The rule set in force (no personal data): version and district table."""
    return {"rule_set_version": RULE_SET_VERSION, "districts": DISTRICTS}
