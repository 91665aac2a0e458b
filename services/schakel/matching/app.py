"""Matching's process: learns needs from triage, proposes after the owner's first conversation
(or another offer after a decline) and publishes proposals and waitlist decisions, records
the match the person confirms and ends it when its term runs out (a periodic check), and
shows the offer registry to social brokers, the municipality and auditors."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from pydantic import Field

from schakel.matching import api
from schakel.matching.adapters import MongoOffers, MongoProposals, prepare
from schakel.matching.handlers import HANDLERS, end_due_matches
from schakel.matching.helper_store import MongoHelpers
from schakel.platform.mongo import MongoStore, Transaction
from schakel.platform.periodic import Periodic
from schakel.platform.runtime import ServiceRuntime
from schakel.platform.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: str = "matching"
    http_port: int = 8083
    # SCHAKEL_MATCH_TERM_CHECK_SECONDS: how often matches whose term ran out are ended.
    match_term_check_seconds: float = Field(default=3600.0, gt=0)


def settings() -> MatchingSettings:
    return MatchingSettings()


def term_keeper(store: MongoStore, seconds: float) -> Periodic:
    """Ends every match whose term ran out (its place comes free, the waitlist is matched
    again), each with a ``helper.match-ended`` event."""

    async def work(tx: Transaction) -> int:
        offers, proposals, helpers = MongoOffers(tx), MongoProposals(tx), MongoHelpers(tx)
        return await end_due_matches(datetime.now(UTC), offers, proposals, helpers, tx.emit)

    async def step() -> None:
        await store.transaction(work)

    return Periodic("matching-terms", step, seconds)


def build(config: MatchingSettings | None = None) -> FastAPI:
    config = config or settings()
    seconds = config.match_term_check_seconds
    runtime = ServiceRuntime(
        config,
        HANDLERS,
        on_start=prepare,
        workers=(lambda store: term_keeper(store, seconds),),
    )
    return runtime.app("schakel matching", [api.router])
