"""Who may read what over HTTP, without servers: the chain check is the auditors' alone, and a
proposal is shown to its owner and auditors only, anyone else getting the answer for a missing
one. (Every endpoint × organisation through the running stack: tests/e2e/test_authorisation.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI

from schakel.audit import api as audit_api
from schakel.contracts.persons import ReferralView
from schakel.matching import api as matching_api
from schakel.platform import dependencies
from schakel.platform.auth import Principal, Role, issue_token
from tests.fakes.audit import FakeArchive

SECRET = "test-secret"
OWNER = "buurtteam-overvecht"
PROPOSAL = {"_id": "ref-1", "owner_organisation": OWNER, "offer_id": "offer-9"}


def bearer(org: str, *roles: Role) -> dict[str, str]:
    token = issue_token(Principal("someone", org, frozenset(roles)), SECRET)
    return {"Authorization": f"Bearer {token}"}


class Proposals:
    """The one collection the proposal route reads."""

    async def find_one(self, query: dict[str, Any]) -> dict[str, Any] | None:
        return dict(PROPOSAL) if query == {"_id": PROPOSAL["_id"]} else None


class ProposalStore:
    def __init__(self) -> None:
        self.db = {"proposals": Proposals()}


class Views:
    """Which views were recorded as read (organisation, referral, view)."""

    recorded: ClassVar[list[tuple[str, str, str]]] = []

    async def __call__(
        self, principal: Principal, referral_id: str, view: ReferralView, *, source: str
    ) -> bool:
        self.recorded.append((principal.organisation, referral_id, view.value))
        return True


@pytest.fixture
async def service() -> AsyncIterator[httpx.AsyncClient]:
    """The audit and matching routes on in-memory stores."""
    app = FastAPI()
    app.include_router(audit_api.router)
    app.include_router(matching_api.router)
    app.state.settings = type("Settings", (), {"auth_secret": SECRET})()
    app.dependency_overrides[audit_api._archive] = FakeArchive
    app.dependency_overrides[dependencies.store] = ProposalStore
    Views.recorded = []
    app.dependency_overrides[dependencies.view_recorder] = Views
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


async def test_only_an_auditor_may_check_the_chain(service: httpx.AsyncClient) -> None:
    checked = await service.get("/api/v1/audit/verify", headers=bearer("rekenkamer", Role.AUDITOR))
    assert checked.status_code == 200
    assert checked.json()["report"]["intact"] is True
    for role in (Role.GEMEENTE, Role.COORDINATOR, Role.HUISARTS):
        refused = await service.get("/api/v1/audit/verify", headers=bearer("gemeente", role))
        assert refused.status_code == 403, role
        assert "auditor" in refused.json()["detail"]
    assert (await service.get("/api/v1/audit/verify")).status_code == 401


async def test_a_proposal_is_shown_to_its_owner_and_auditors_only(
    service: httpx.AsyncClient,
) -> None:
    for org, role in ((OWNER, Role.SOCIAAL_MAKELAAR), ("rekenkamer", Role.AUDITOR)):
        shown = await service.get("/api/v1/proposals/ref-1", headers=bearer(org, role))
        assert shown.status_code == 200, org
        assert shown.json() == {"owner_organisation": OWNER, "offer_id": "offer-9"}
    for org, role in (
        ("sociaal-makelaars-west", Role.SOCIAAL_MAKELAAR),
        ("gemeente", Role.GEMEENTE),
    ):
        hidden = await service.get("/api/v1/proposals/ref-1", headers=bearer(org, role))
        missing = await service.get("/api/v1/proposals/ref-2", headers=bearer(org, role))
        assert hidden.status_code == missing.status_code == 404, org
        assert hidden.json()["detail"] == "no proposal for referral ref-1"
    refused = await service.get("/api/v1/proposals/ref-1", headers=bearer(OWNER, Role.HUISARTS))
    assert refused.status_code == 403
    # Reads are audited: what was shown, and only that.
    assert Views.recorded == [(OWNER, "ref-1", "proposal"), ("rekenkamer", "ref-1", "proposal")]
