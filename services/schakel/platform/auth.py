"""Bearer tokens (HS256 JWT) issued by the gateway and checked by every service.

A principal belongs to one organisation; services use it to show each organisation only the
referrals it sent or owns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

ALGORITHM = "HS256"
ISSUER = "schakel"


class Role(StrEnum):
    HUISARTS = "huisarts"  # a GP practice: sends wellbeing prescriptions, gets feedback
    SIGNALERINGSPARTNER = "signaleringspartner"  # pharmacy, courier company, Thuisgekookt…
    SOCIAAL_MAKELAAR = "sociaal_makelaar"  # owns and closes referrals
    COORDINATOR = "coordinator"  # an owning organisation's coordinator: hears of escalations
    COORDINATIEPUNT = "coordinatiepunt"  # the municipality's coordination point
    GEMEENTE = "gemeente"  # monitors aggregates, sees no person
    AUDITOR = "auditor"  # replays any referral's history
    ADMINISTRATOR = "administrator"  # issues and revokes organisations' API keys; sees no person
    PROVIDER_COORDINATOR = "provider_coordinator"  # keeps its organisation's helpers (matching)


@dataclass(frozen=True)
class Principal:
    username: str
    organisation: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has(self, role: Role) -> bool:
        return role in self.roles


def issue_token(principal: Principal, secret: str, ttl: timedelta = timedelta(hours=8)) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "sub": principal.username,
        "org": principal.organisation,
        "roles": sorted(principal.roles),
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(token: str, secret: str) -> Principal:
    """The principal a valid token names; ``jwt.InvalidTokenError`` for a token that is not
    one of ours, also when it is signed right but names nobody (no user or organisation)."""
    claims = jwt.decode(
        token, secret, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "sub"]}
    )
    username, organisation, roles = claims.get("sub"), claims.get("org"), claims.get("roles", [])
    if not isinstance(username, str) or not username.strip():
        raise jwt.InvalidTokenError("the token names no user")
    if not isinstance(organisation, str) or not organisation.strip():
        raise jwt.InvalidTokenError("the token names no organisation")
    if not isinstance(roles, list):
        raise jwt.InvalidTokenError("the token's roles are not a list")
    return Principal(
        username=username,
        organisation=organisation,
        roles=frozenset(Role(r) for r in roles if r in Role._value2member_map_),
    )


_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/token")


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "authentication required: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return verify_token(credentials.credentials, request.app.state.settings.auth_secret)
    except jwt.PyJWTError as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            f"invalid token: {exc}",
            headers={"WWW-Authenticate": "Bearer"},
        ) from exc


Authenticated = Annotated[Principal, Depends(current_principal)]


def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """None without a bearer token; a token that is sent must be valid (401 otherwise)."""
    return None if credentials is None else current_principal(request, credentials)


MaybeAuthenticated = Annotated[Principal | None, Depends(optional_principal)]


def require_role(principal: Principal, *roles: Role) -> None:
    if not any(principal.has(r) for r in roles):
        wanted = ", ".join(sorted(roles))
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs one of the roles: {wanted}")
