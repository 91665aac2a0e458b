"""Triage's HTTP adapter: the rule book in force, for anyone who wants to know how signals are
graded and routed, and on what each rule rests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from schakel.triage.domain import RuleBook

router = APIRouter(prefix="/api/v1/triage", tags=["triage"])


def rule_book(request: Request) -> RuleBook:
    """The rule book the service loaded at start-up (``app.build``)."""
    found: RuleBook = request.app.state.rule_book
    return found


InForce = Annotated[RuleBook, Depends(rule_book)]


@router.get("/rules")
async def rules(book: InForce) -> dict[str, Any]:
    """The rule set in force (no personal data): every rule with its condition, effect and
    source in the Utrecht documents (or the assumption where they are silent), the district
    table, the owning organisations and the coordination point."""
    return {"rule_set_version": book.rules.version, **book.model_dump(mode="json")}
