"""Logging in: ``POST /api/v1/auth/token`` exchanges a username and password, sent as JSON or
as an OAuth2 password form, for a bearer token."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from schakel.gateway.dependencies import Accounts, Budgets
from schakel.gateway.ratelimit import Limits, too_many
from schakel.gateway.users import UserStore
from schakel.platform.auth import Principal, issue_token
from schakel.platform.dependencies import Settings
from schakel.platform.logging import get_logger
from schakel.platform.settings import ServiceSettings

log = get_logger(__name__)
TOKEN_TTL = timedelta(hours=8)


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class TokenAnswer(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")
    organisation: str
    roles: list[str]


router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
# The body is read by hand to accept both forms; this tells the OpenAPI document about them.
_CREDENTIALS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": Credentials.model_json_schema()},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "grant_type": {"type": "string", "const": "password"},
                        "username": {"type": "string"},
                        "password": {"type": "string"},
                    },
                }
            },
        },
    }
}


@router.post(
    "/token",
    response_model=TokenAnswer,
    openapi_extra=_CREDENTIALS_BODY,
    summary="Log in: a bearer token for the other /api/v1 endpoints",
    responses={
        401: {"description": "Wrong username or password"},
        429: {"description": "Too many attempts from this address, or failures for this user"},
    },
)
async def token(
    request: Request, response: Response, store: Accounts, settings: Settings, limits: Budgets
) -> TokenAnswer | JSONResponse:
    if wait := limits.sign_in(request):
        return too_many(wait, "sign-in attempts from this address")
    credentials = await _credentials(request)
    checked = await check_password(store, limits, credentials)
    if isinstance(checked, SignInRefusal):
        return checked.response()
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 §5.1: tokens are not cached
    return TokenAnswer(
        access_token=issue(checked, settings),
        expires_in=int(TOKEN_TTL.total_seconds()),
        organisation=checked.organisation,
        roles=sorted(checked.roles),
    )


@dataclass(frozen=True)
class SignInRefusal:
    """Why a sign-in did not succeed: 401 (wrong), 429 (throttled) or 503 (logins off)."""

    status_code: int
    detail: str
    wait: float = 0.0

    def response(self) -> JSONResponse:
        if self.status_code == 429:
            return too_many(self.wait, self.detail)
        headers = {"WWW-Authenticate": "Bearer"} if self.status_code == 401 else None
        return JSONResponse(
            status_code=self.status_code, content={"detail": self.detail}, headers=headers
        )


async def check_password(
    store: UserStore | None, limits: Limits, credentials: Credentials
) -> Principal | SignInRefusal:
    """The account's principal, or why not; the same rules for the API and the sign-in page
    (the caller has taken the attempt from the address's budget first)."""
    if store is None:
        return SignInRefusal(503, "no accounts are configured on this gateway (SCHAKEL_USERS_FILE)")
    # Checked before the password: guessing stops, whichever address the guesses come from.
    if wait := limits.username_wait(credentials.username):
        log.info("login throttled", username=credentials.username)
        return SignInRefusal(429, "failed sign-ins for this account", wait)
    # PBKDF2 takes a fraction of a second of CPU: keep it off the event loop.
    principal = await asyncio.to_thread(
        store.authenticate, credentials.username, credentials.password
    )
    if principal is None:
        limits.sign_in_failed(credentials.username)
        log.info("login refused", username=credentials.username)
        return SignInRefusal(401, "wrong username or password")
    return principal


def issue(principal: Principal, settings: ServiceSettings) -> str:
    """A bearer token for ``principal``, valid for TOKEN_TTL."""
    return issue_token(principal, settings.auth_secret, TOKEN_TTL)


async def _credentials(request: Request) -> Credentials:
    """JSON ``{username, password}`` or an OAuth2 password form (what Swagger UI sends)."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            return Credentials.model_validate_json(await request.body())
        form = await request.form()
        if form.get("grant_type", "password") != "password":
            raise RequestValidationError(
                [
                    {
                        "loc": ("grant_type",),
                        "type": "value_error",
                        "msg": "only the password grant is supported",
                    }
                ]
            )
        return Credentials.model_validate(
            {"username": form.get("username"), "password": form.get("password")}
        )
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
