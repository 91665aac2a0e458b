"""Who a token says someone is, as every service reads it: an expired, forged or incomplete
token is refused with 401, a missing role with 403 naming the roles, and a role this build
does not know grants nothing. (Through the running stack: tests/e2e/test_authorisation.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from fastapi import APIRouter, FastAPI

from schakel.platform.auth import (
    ALGORITHM,
    ISSUER,
    Authenticated,
    MaybeAuthenticated,
    Principal,
    Role,
    issue_token,
    require_role,
    verify_token,
)

SECRET = "test-secret"
GP = Principal("huisarts", "huisartsenpraktijk-overvecht", frozenset({Role.HUISARTS}))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def service() -> AsyncIterator[httpx.AsyncClient]:
    """A service's routes as every service declares them."""
    router = APIRouter()

    @router.get("/who")
    async def who(principal: Authenticated) -> dict[str, object]:
        return {"org": principal.organisation, "roles": sorted(principal.roles)}

    @router.get("/audit")
    async def audit(principal: Authenticated) -> dict[str, str]:
        require_role(principal, Role.AUDITOR, Role.GEMEENTE)
        return {"org": principal.organisation}

    @router.get("/public")
    async def public(principal: MaybeAuthenticated) -> dict[str, str | None]:
        return {"org": principal.organisation if principal else None}

    app = FastAPI()
    app.include_router(router)
    app.state.settings = type("Settings", (), {"auth_secret": SECRET})()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


def test_a_token_names_who_and_for_which_organisation() -> None:
    token = issue_token(GP, SECRET)
    assert verify_token(token, SECRET) == GP
    claims = jwt.decode(token, SECRET, algorithms=[ALGORITHM], issuer=ISSUER)
    assert (claims["sub"], claims["org"], claims["roles"]) == (
        "huisarts",
        "huisartsenpraktijk-overvecht",
        ["huisarts"],
    )
    lasts = datetime.fromtimestamp(claims["exp"], UTC) - datetime.fromtimestamp(claims["iat"], UTC)
    assert lasts == timedelta(hours=8)


@pytest.mark.parametrize(
    ("token", "why"),
    [
        (issue_token(GP, SECRET, ttl=timedelta(seconds=-1)), "expired"),
        (issue_token(GP, "another-secret"), "Signature verification failed"),
        (jwt.encode({"sub": "x", "org": "y", "iss": ISSUER}, SECRET, ALGORITHM), '"exp"'),
        (
            jwt.encode(
                {"sub": "x", "org": "y", "iss": "elsewhere", "exp": 4102444800}, SECRET, ALGORITHM
            ),
            "issuer",
        ),
        (jwt.encode({"org": "y", "iss": ISSUER, "exp": 4102444800}, SECRET, ALGORITHM), '"sub"'),
    ],
    ids=["expired", "forged", "no-expiry", "other-issuer", "no-subject"],
)
async def test_a_token_that_is_not_valid_now_is_refused_with_401(
    service: httpx.AsyncClient, token: str, why: str
) -> None:
    with pytest.raises(jwt.PyJWTError, match=why):
        verify_token(token, SECRET)
    for path in ("/who", "/public"):  # a token that is sent must be valid, public or not
        answer = await service.get(path, headers=bearer(token))
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["detail"].startswith("invalid token: ")


async def test_without_a_token_only_the_public_route_answers(service: httpx.AsyncClient) -> None:
    refused = await service.get("/who")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"  # how to authenticate (RFC 6750)
    assert refused.json() == {
        "detail": "authentication required: send Authorization: Bearer <token>"
    }
    assert (await service.get("/public")).json() == {"org": None}


async def test_a_missing_role_is_403_naming_the_roles_that_would_do(
    service: httpx.AsyncClient,
) -> None:
    answer = await service.get("/audit", headers=bearer(issue_token(GP, SECRET)))
    assert answer.status_code == 403
    assert answer.json()["detail"] == "this needs one of the roles: auditor, gemeente"
    auditor = Principal("a", "rekenkamer-utrecht", frozenset({Role.AUDITOR}))
    shown = await service.get("/audit", headers=bearer(issue_token(auditor, SECRET)))
    assert shown.json() == {"org": "rekenkamer-utrecht"}


async def test_a_role_this_build_does_not_know_grants_nothing(service: httpx.AsyncClient) -> None:
    claims = {
        "sub": "x",
        "org": "gemeente-utrecht",
        "roles": ["superuser", "gemeente"],
        "iss": ISSUER,
        "exp": 4102444800,
    }
    token = jwt.encode(claims, SECRET, ALGORITHM)
    assert verify_token(token, SECRET).roles == frozenset({Role.GEMEENTE})
    assert (await service.get("/who", headers=bearer(token))).json()["roles"] == ["gemeente"]
